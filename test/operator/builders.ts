// builders: fixtures for the operator's tests — parsed SFTJobs and RLJobs built one property at
// a time (`sftJob("ns", "a").workers(2).suspended().build()`), and the batch/v1 Job states the
// reconcilers observe.
import type { AttemptState } from "../../operator/decide.ts";
import { parseJob, type TemperJob } from "../../operator/job.ts";

type Obj = Record<string, unknown>;

/** JobBuilder sets one property of a temper job per call. */
export interface JobBuilder {
  workers(n: number): JobBuilder;
  gpus(n: number): JobBuilder;
  suspended(on?: boolean): JobBuilder;
  queue(name: string): JobBuilder;
  maxRestarts(n: number): JobBuilder;
  deadline(seconds: number): JobBuilder;
  ttl(seconds: number): JobBuilder;
  generation(n: number): JobBuilder;
  spec(patch: Obj): JobBuilder;
  status(patch: Obj): JobBuilder;
  build(): TemperJob;
  manifest(): Obj;
}

function builder(kind: "SFTJob" | "RLJob", namespace: string, name: string, baseSpec: Obj): JobBuilder {
  const spec: Obj = structuredClone(baseSpec);
  let status: Obj | undefined;
  let generation = 1;
  const b: JobBuilder = {
    workers: (n) => ((spec.workers = n), b),
    gpus: (n) => ((spec.gpusPerWorker = n), b),
    suspended: (on = true) => ((spec.suspend = on), b),
    queue: (q) => ((spec.queueName = q), b),
    maxRestarts: (n) => ((spec.failurePolicy = { ...(spec.failurePolicy as Obj | undefined), maxRestarts: n }), b),
    deadline: (s) => ((spec.failurePolicy = { ...(spec.failurePolicy as Obj | undefined), progressDeadlineSeconds: s }), b),
    ttl: (s) => ((spec.ttlSecondsAfterFinished = s), b),
    generation: (n) => ((generation = n), b),
    spec: (p) => (Object.assign(spec, p), b),
    status: (p) => ((status = { ...status, ...p }), b),
    manifest: () => ({ apiVersion: "temper.dev/v1alpha1", kind, metadata: { name, namespace }, spec: structuredClone(spec) }),
    build() {
      const raw = {
        apiVersion: "temper.dev/v1alpha1",
        kind,
        metadata: { name, namespace, uid: `uid-${name}`, generation, resourceVersion: "7", creationTimestamp: "2026-01-01T00:00:00Z" },
        spec: structuredClone(spec),
        ...(status !== undefined ? { status: structuredClone(status) } : {}),
      };
      const p = parseJob(kind, raw);
      if (!p.ok) throw new Error(`fixture does not parse: ${p.error}`);
      return p.job;
    },
  };
  return b;
}

/** sftJob starts an SFTJob fixture with the API's defaults. */
export function sftJob(namespace = "ns", name = "a"): JobBuilder {
  return builder("SFTJob", namespace, name, {});
}

/** rlJob starts an RLJob fixture initialised from a checkpoint, with one stage. */
export function rlJob(namespace = "ns", name = "r"): JobBuilder {
  return builder("RLJob", namespace, name, { initFrom: { checkpoint: "pvc://base/final" }, stages: [{ name: "s1", maxResponseLength: 64, epochs: 2 }] });
}

/** attempt describes an attempt's batch/v1 Job as observed; fields default to a just-created gang. */
export function attempt(n: number, patch: Partial<AttemptState> = {}): AttemptState {
  return { attempt: n, name: `a-a${n}`, created: "2026-01-01T00:00:00Z", active: 0, ready: 0, succeeded: 0, failed: 0, complete: false, failedCondition: false, deleting: false, ...patch };
}
