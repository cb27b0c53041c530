// leader: Lease-based leader election (coordination.k8s.io/v1), so that of several operator
// replicas exactly one reconciles. Like client-go's elector, expiry is judged by when this
// replica last saw the lease change, not by the holder's clock. Defaults: lease 15 s, renew
// deadline 10 s, retry 2 s.
import type { Logger } from "pino";
import { isConflict, isNotFound, type Kube } from "./kube.ts";
import { collectionPath, objectPath, resources } from "./resources.ts";

/** ElectorOptions configures an elector. */
export interface ElectorOptions {
  kube: Kube;
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  now: () => Date;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** onStoppedLeading is called once when leadership is lost (the process should stop reconciling). */
  onStoppedLeading: () => void;
}

interface Lease {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** Elector runs the election loop. */
export interface Elector {
  isLeader(): boolean;
  start(): void;
  /** stop ends the loop and, when leading, releases the lease so another replica takes over at once. */
  stop(): Promise<void>;
}

/** newElector creates a stopped elector. */
export function newElector(o: ElectorOptions): Elector {
  const leaseMs = o.leaseDurationMs ?? 15_000;
  const renewDeadline = o.renewDeadlineMs ?? 10_000;
  const retry = o.retryPeriodMs ?? 2_000;
  const path = objectPath(resources.Lease, o.namespace, o.name);
  let leader = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let lastRenew = 0;
  let observed: { rv: string; at: number } = { rv: "", at: 0 };

  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = o.now();
    const spec = { holderIdentity: o.identity, leaseDurationSeconds: Math.round(leaseMs / 1000), renewTime: micro(now) };
    let lease: Lease;
    try {
      lease = await o.kube.request<Lease>("GET", path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return createLease(o, { ...spec, acquireTime: micro(now), leaseTransitions: 0 });
    }
    const rv = lease.metadata.resourceVersion ?? "";
    if (rv !== observed.rv) observed = { rv, at: now.getTime() };
    const holder = lease.spec?.holderIdentity ?? "";
    const mine = holder === o.identity;
    const expired = holder === "" || now.getTime() > observed.at + (lease.spec?.leaseDurationSeconds ?? leaseMs / 1000) * 1000;
    if (!mine && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        acquireTime: mine ? lease.spec?.acquireTime : micro(now),
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      const written = await o.kube.request<Lease>("PUT", path, next);
      observed = { rv: written.metadata.resourceVersion ?? "", at: now.getTime() };
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    let ok = false;
    try {
      ok = await tryAcquireOrRenew();
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, "Failed to reach the leader lease");
    }
    if (stopped) return;
    const now = o.now().getTime();
    if (ok) {
      lastRenew = now;
      if (!leader) {
        leader = true;
        o.log.info({ identity: o.identity, lease: `${o.namespace}/${o.name}` }, "Became leader");
        o.onStartedLeading();
      }
    } else if (leader && now - lastRenew > renewDeadline) {
      leader = false;
      o.log.warn({ identity: o.identity }, "Lost leadership");
      o.onStoppedLeading();
    }
    timer = setTimeout(() => void tick(), retry);
  }

  return {
    isLeader: () => leader,
    start() {
      if (!stopped) return;
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (!leader) return;
      leader = false;
      await releaseLease(o, path);
    },
  };
}

/** micro formats d as the MicroTime a Lease's times are written in. */
function micro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** createLease creates the lease with spec; it returns false when another replica created it first. */
async function createLease(o: ElectorOptions, spec: NonNullable<Lease["spec"]>): Promise<boolean> {
  try {
    await o.kube.request("POST", collectionPath(resources.Lease, o.namespace), {
      apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: o.name, namespace: o.namespace }, spec,
    });
    return true;
  } catch (e) {
    if (isConflict(e)) return false;
    throw e;
  }
}

/** releaseLease empties the lease's holder (with a 1 s duration) if this replica still holds it; a failure is logged, not thrown. */
async function releaseLease(o: ElectorOptions, path: string): Promise<void> {
  try {
    const lease = await o.kube.request<Lease>("GET", path);
    if (lease.spec?.holderIdentity === o.identity) {
      await o.kube.request("PUT", path, { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 } });
      o.log.info({ identity: o.identity }, "Released leadership");
    }
  } catch (err) {
    o.log.warn({ err: (err as Error).message }, "Failed to release the leader lease");
  }
}
