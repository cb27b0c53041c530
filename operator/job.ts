// job: one view over the two kinds the operator runs, so that the gang, status and reconcile
// code is written once. It parses custom resources at the boundary with the api/ schemas.
import type { z } from "zod";
import { RLJob, type RLJobStatus } from "../api/rljob.ts";
import { SFTJob, type SFTJobStatus } from "../api/sftjob.ts";
import type { KubeObject } from "./kube.ts";

/** JobKind is the kind of a temper job. */
export type JobKind = "SFTJob" | "RLJob";

/** TemperJob is a parsed SFTJob or RLJob with the metadata the operator needs. */
export type TemperJob =
  | { kind: "SFTJob"; name: string; namespace: string; uid: string; generation: number; resourceVersion: string; obj: SFTJob; status: SFTJobStatus }
  | { kind: "RLJob"; name: string; namespace: string; uid: string; generation: number; resourceVersion: string; obj: RLJob; status: RLJobStatus };

/** AnyStatus is the status of either kind (RLJob's is a superset). */
export type AnyStatus = RLJobStatus;

/** parseJob validates a served object as kind; a failure names the first bad field. */
export function parseJob(kind: JobKind, raw: KubeObject): { ok: true; job: TemperJob } | { ok: false; error: string } {
  const schema: z.ZodType = kind === "SFTJob" ? SFTJob : RLJob;
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, error: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}` };
  }
  const m = raw.metadata;
  const base = { name: m.name, namespace: m.namespace ?? "default", uid: m.uid ?? "", generation: m.generation ?? 1, resourceVersion: m.resourceVersion ?? "" };
  if (kind === "SFTJob") {
    const obj = r.data as SFTJob;
    return { ok: true, job: { kind, ...base, obj, status: obj.status ?? {} } };
  }
  const obj = r.data as RLJob;
  return { ok: true, job: { kind, ...base, obj, status: obj.status ?? {} } };
}

/** totalEpochs is the number of epochs the whole job runs (all stages of an RLJob). */
export function totalEpochs(job: TemperJob): number {
  return job.kind === "SFTJob" ? job.obj.spec.epochs : job.obj.spec.stages.reduce((n, s) => n + s.epochs, 0);
}
