// jobcontroller: the batch/v1 Job controller of the local cluster. Level-triggered like
// kube-controller-manager's: a Job or pod change queues the Job's key; reconcileJob reads the
// caches, asks decideJob (jobdecision.ts) what to do, creates and deletes pods, writes status
// once when it changed, records events, and deletes the Job when ttlSecondsAfterFinished is up.
import type { Logger } from "pino";
import type { Client, Informer } from "./client.ts";
import { newInformer } from "./client.ts";
import type { Recorder } from "./events.ts";
import { completionIndexAnnotation, decideJob, defaultDecideOptions, type DecideOptions } from "./jobdecision.ts";
import { newQueue } from "./queue.ts";
import { keyOf, type Container, type Job, type Pod } from "./types.ts";
import { deepEqual } from "../types.ts";

/** JobControllerOptions wires the controller to the API server. */
export interface JobControllerOptions {
  client: Client;
  log: Logger;
  events: Recorder;
  now: () => Date;
  decide?: DecideOptions;
}

/** podForJob builds the pod the Job controller creates for one completion index (pure). */
export function podForJob(job: Job, index: number | undefined): Pod {
  const name = job.metadata.name;
  const tmpl = job.spec.template;
  const idx: Record<string, string> = index === undefined ? {} : { [completionIndexAnnotation]: String(index) };
  // Kubernetes injects JOB_COMPLETION_INDEX as a downward API reference to the annotation.
  const withIndexEnv = (c: Container): Container => index === undefined || (c.env ?? []).some((e) => e.name === "JOB_COMPLETION_INDEX") ? c
    : { ...c, env: [...(c.env ?? []), { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexAnnotation}']` } } }] };
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name: "", generateName: index === undefined ? `${name}-` : `${name}-${index}-`, namespace: job.metadata.namespace, uid: "", resourceVersion: "",
      labels: { ...(tmpl.metadata?.labels ?? {}), ...idx },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), ...idx },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...tmpl.spec,
      ...(index !== undefined && tmpl.spec.hostname === undefined ? { hostname: `${name}-${index}` } : {}),
      containers: tmpl.spec.containers.map(withIndexEnv),
      ...(tmpl.spec.initContainers === undefined ? {} : { initContainers: tmpl.spec.initContainers.map(withIndexEnv) }),
    },
  };
}

/** statusPatch turns a next status into a merge patch that also clears the removed fields. */
function statusPatch(old: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...next };
  for (const k of Object.keys(old)) if (!(k in next) || next[k] === undefined) out[k] = null;
  return out;
}

function ownerUid(p: Pod): string | undefined {
  return p.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === "Job")?.uid;
}

/** startJobController runs the Job controller until stop. */
export function startJobController(opts: JobControllerOptions): { stop(): void; synced: Promise<void> } {
  let jobs: Informer<Job> | undefined = undefined;
  let pods: Informer<Pod> | undefined = undefined;
  // Pods created but not yet seen through the watch, so a quick second pass does not create twice.
  const inFlight = new Map<string, Pod[]>();
  // Pods deleted but still in the cache, so they are neither counted as active nor deleted twice.
  const deleted = new Set<string>();
  const reconcile = async (key: string): Promise<{ requeueAfterMs?: number }> => {
    const job = jobs?.get(key);
    if (job === undefined || pods === undefined) return {};
    if (job.metadata.deletionTimestamp) return {};
    const uid = job.metadata.uid;
    const seen = pods.items().filter((p) => ownerUid(p) === uid && !deleted.has(p.metadata.uid));
    const seenNames = new Set(seen.map((p) => p.metadata.name));
    const pendingCreates = (inFlight.get(uid) ?? []).filter((p) => !seenNames.has(p.metadata.name));
    inFlight.set(uid, pendingCreates);
    const owned = [...seen, ...pendingCreates];
    const d = decideJob(job, owned, opts.now(), opts.decide ?? defaultDecideOptions);
    const ns = job.metadata.namespace ?? "default";
    for (const p of d.remove) {
      await opts.client.remove(`/api/v1/namespaces/${ns}/pods/${p.metadata.name}`);
      deleted.add(p.metadata.uid);
      await opts.events.emit(job, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
    }
    for (const index of d.create) {
      const created = await opts.client.create<Pod>(`/api/v1/namespaces/${ns}/pods`, podForJob(job, index));
      inFlight.get(uid)?.push(created);
      opts.log.info({ job: key, pod: created.metadata.name, index }, "Created pod");
      await opts.events.emit(job, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
    }
    const old = (job.status ?? {}) as Record<string, unknown>;
    const next = d.status as Record<string, unknown>;
    if (!deepEqual(old, next)) {
      await opts.client.patch(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata.name}/status`, { status: statusPatch(old, next) });
      for (const e of d.events) await opts.events.emit(job, e.type, e.reason, e.message);
    }
    if (d.deleteJob) {
      opts.log.info({ job: key }, "Deleted finished job after its TTL");
      await opts.client.remove(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata.name}`, { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" });
      return {};
    }
    return d.requeueAfterMs === undefined ? {} : { requeueAfterMs: d.requeueAfterMs };
  };
  const queue = newQueue("job", reconcile, opts.log);
  jobs = newInformer<Job>({
    client: opts.client, path: "/apis/batch/v1/jobs", log: opts.log,
    onChange: (type, j) => {
      if (type === "DELETED") inFlight.delete(j.metadata.uid);
      else queue.add(keyOf(j));
    },
  });
  pods = newInformer<Pod>({
    client: opts.client, path: "/api/v1/pods", log: opts.log,
    onChange: (type, p) => {
      if (type === "DELETED") deleted.delete(p.metadata.uid);
      const owner = p.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === "Job");
      if (owner !== undefined) queue.add(`${p.metadata.namespace ?? ""}/${owner.name}`);
    },
  });
  const synced = Promise.all([jobs.synced, pods.synced]).then(() => {
    for (const j of jobs?.items() ?? []) queue.add(keyOf(j));
  });
  return {
    synced,
    stop() {
      queue.stop();
      jobs?.stop();
      pods?.stop();
    },
  };
}
