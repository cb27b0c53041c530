// report: the protocol between a running trainer and the operator. At each epoch end the
// trainer POSTs an EpochReport to /reports/v1/namespaces/NS/{sftjobs|rljobs}/NAME with the
// bearer token from its job's Secret; the operator records it in status and only then replies
// with the temperature to use next. Replays of the same (attempt, stage, epoch) get the same
// reply and change nothing.
import { z } from "zod";
import { kindList, kinds } from "./kinds.ts";

/** ReportedJob is the job a report path names. */
export interface ReportedJob {
  kind: "SFTJob" | "RLJob";
  namespace: string;
  name: string;
}

// Namespaces are DNS labels and job names DNS subdomains, as the API server allows them; the
// plural is the kind's resource name (api/kinds.ts).
const route = /^\/reports\/v1\/namespaces\/([a-z0-9-]{1,63})\/([a-z]+)\/([a-z0-9.-]{1,253})$/;

/** reportPath is the URL path a trainer POSTs its epoch reports to. */
export function reportPath(kind: "SFTJob" | "RLJob", namespace: string, name: string): string {
  return `/reports/v1/namespaces/${namespace}/${kinds[kind].plural}/${name}`;
}

/** parseReportPath is reportPath's inverse: the job a request path names, or undefined when it is not a report path. */
export function parseReportPath(path: string): ReportedJob | undefined {
  const m = route.exec(path);
  if (m === null) return undefined;
  const [, namespace, plural, name] = m;
  const info = kindList.find((k) => k.plural === plural);
  return info === undefined ? undefined : { kind: info.kind, namespace, name };
}

/**
 * unrunnableExitCode is the trainer's exit code when its job cannot run on its node as specified
 * (today: spec.reward.code.isolation is Required and the sandbox cannot isolate the network).
 * The operator fails such a job at once rather than replacing the gang: a cluster's nodes mostly
 * share their kernel settings, so the next attempt would fail the same way.
 */
export const unrunnableExitCode = 3;

/** entropyPoint is the entropy of the same rollouts re-measured at another temperature. */
export const entropyPoint = z.strictObject({
  temperature: z.number().gt(0).max(10),
  entropy: z.number().min(0).max(20),
});

/** sandboxReport is what the trainer's probe found the code sandbox may take away from a solution on its node. */
export const sandboxReport = z.strictObject({
  isolation: z.enum(["NetworkNamespace", "None"])
    .describe("isolation is NetworkNamespace when solutions run in a network namespace with no interfaces, None when they share the pod's network."),
  reason: z.string().max(1024).optional().describe("reason says why there is no isolation: what the probe tried and what the node answered."),
});

/** EpochReport is what the trainer sends at the end of every epoch. */
export const EpochReport = z.strictObject({
  attempt: z.int().min(1).describe("attempt is the TEMPER_ATTEMPT the trainer was started with."),
  stage: z.string().max(63).describe("stage is the stage name (RL) or \"sft\"."),
  stageIndex: z.int().min(0).default(0).describe("stageIndex is the 0-based stage index."),
  epoch: z.int().min(1).describe("epoch is the epoch just finished within the stage, from 1."),
  epochs: z.int().min(1).describe("epochs is the number of epochs of the stage."),
  checkpoint: z.string().max(2048).optional().describe("checkpoint is the URI of the checkpoint written at this epoch's end."),
  loss: z.number().optional(),
  accuracy: z.number().min(0).max(1).optional().describe("accuracy is validation-split avg@k, when evaluated this epoch."),
  testAccuracy: z.number().min(0).max(1).optional().describe("testAccuracy is test-split avg@k of the final weights, on the final report only."),
  tokensPerSecond: z.number().min(0).optional(),
  // RL only: the temperature loop's inputs.
  temperature: z.number().gt(0).max(10).optional().describe("temperature the epoch's rollouts were sampled at."),
  entropy: z.number().min(0).max(20).optional().describe("entropy is the token-mean entropy of softmax(logits/T) over response tokens at that temperature."),
  entropyCurve: z.array(entropyPoint).max(32).optional().describe("entropyCurve is H(T') on the same rollouts at nearby temperatures."),
  reward: z.number().min(-1).max(1).optional(),
  responseLength: z.number().min(0).optional(),
  truncationRate: z.number().min(0).max(1).optional(),
  final: z.boolean().default(false).describe("final is true on the report of the last epoch of the last stage."),
  sandbox: sandboxReport.optional().describe("sandbox is the code sandbox's isolation on the reporting pod, on every report of a job that runs code."),
});

/** ReportReply is the operator's answer: the temperature for the next epoch. */
export const ReportReply = z.strictObject({
  temperature: z.number().gt(0).max(10).optional().describe("temperature to sample the next epoch at (RL)."),
  reason: z.string().max(1024).describe("reason explains the decision."),
  replay: z.boolean().default(false).describe("replay is true when this report had already been recorded."),
});

export type EpochReport = z.output<typeof EpochReport>;
export type ReportReply = z.output<typeof ReportReply>;
