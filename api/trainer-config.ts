// trainer-config: the one contract between the operator and its pods. The operator mounts it
// into every worker (and a user writes it to run the trainer standalone): which job, which
// attempt, the job's own spec, where checkpoints and reports go, how the ranks meet, and the
// pod's limits. The trainer reads its settings from here only — the environment supplies just
// what Kubernetes itself injects (the rank, as JOB_COMPLETION_INDEX) — and validates it with
// this schema before doing any work.
import { z } from "zod";
import { RLJobSpec } from "./rljob.ts";
import { SFTJobSpec } from "./sftjob.ts";

/** rendezvous is where the ranks of a multi-worker gang meet. */
export const rendezvous = z.strictObject({
  host: z.string().min(1).max(253).default("127.0.0.1")
    .describe("host is rank 0's address; on a cluster the operator sets its pod's DNS name (JOB-0.SERVICE.NAMESPACE.svc). Default 127.0.0.1."),
  port: z.int().min(1).max(65535).default(29500).describe("port is where rank 0 listens for the other ranks. Default 29500."),
  timeoutSeconds: z.int().min(1).max(3600).default(300).describe("timeoutSeconds bounds how long the ranks wait for each other to join. Default 300."),
}).describe(
  "rendezvous is where the ranks of a gang meet. The world size is spec.workers; each process's rank is JOB_COMPLETION_INDEX, " +
  "which an Indexed Job injects (set it per process when running a gang standalone).",
);

/** limits are what the pod may use, as the operator derived them from the job's resources. */
export const limits = z.strictObject({
  threads: z.int().min(1).max(256).optional()
    .describe("threads is the number of compute threads; the operator sets it from spec.resources.limits.cpu. Default: the trainer's built-in 2."),
}).describe("limits are what the pod may use, derived by the operator from spec.resources.");

const common = {
  namespace: z.string().max(63).default("default"),
  name: z.string().min(1).max(253).describe("name of the job; used in logs and reports."),
  attempt: z.int().min(1).default(1)
    .describe("attempt is the gang attempt this pod belongs to. Reports carry it, so the operator refuses those of a gang it has replaced."),
  checkpointDir: z.string().min(1).max(4096).describe("checkpointDir is where checkpoints are written; on a PVC they survive a gang restart."),
  resumeFrom: z.string().max(4096).optional().describe("resumeFrom is a checkpoint to resume from (continue the same run)."),
  report: z.strictObject({
    url: z.url().describe("url the trainer POSTs epoch reports to."),
    tokenFile: z.string().max(4096).describe("tokenFile holds the bearer token."),
  }).optional().describe("report is where rank 0 sends epoch reports; absent when the trainer runs standalone."),
  rendezvous: rendezvous.prefault({}),
  limits: limits.prefault({}),
};

/** TrainerConfig is the trainer's whole input. */
export const TrainerConfig = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("SFTJob"), spec: SFTJobSpec, ...common }),
  z.strictObject({
    kind: z.literal("RLJob"),
    spec: RLJobSpec,
    ...common,
    initCheckpoint: z.string().max(4096).optional().describe("initCheckpoint is the resolved start checkpoint (from initFrom)."),
    temperature: z.number().gt(0).max(10).optional().describe("temperature to resume at, as recorded in status."),
  }),
]);

export type TrainerConfig = z.output<typeof TrainerConfig>;
