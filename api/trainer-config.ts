// trainer-config: what the operator mounts into every worker pod (and what a user writes to
// run the trainer standalone): which job, which attempt, the job's own spec, and where
// checkpoints and reports go. The trainer validates it with this schema before doing anything.
import { z } from "zod";
import { RLJobSpec } from "./rljob.ts";
import { SFTJobSpec } from "./sftjob.ts";

const common = {
  namespace: z.string().max(63).default("default"),
  name: z.string().min(1).max(253).describe("name of the job; used in logs and reports."),
  attempt: z.int().min(1).default(1).describe("attempt is the gang attempt number (TEMPER_ATTEMPT)."),
  checkpointDir: z.string().min(1).max(4096).describe("checkpointDir is where checkpoints are written; on a PVC they survive a gang restart."),
  resumeFrom: z.string().max(4096).optional().describe("resumeFrom is a checkpoint to resume from (continue the same run)."),
  report: z.strictObject({
    url: z.url().describe("url the trainer POSTs epoch reports to."),
    tokenFile: z.string().max(4096).describe("tokenFile holds the bearer token."),
  }).optional().describe("report is where epoch reports go; absent when the trainer runs standalone."),
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
