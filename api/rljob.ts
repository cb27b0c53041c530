// rljob: the RLJob kind — staged GRPO with the sampling temperature steered by entropy, the
// second half of the AceReason recipe. Decisions (temperature, attempt) live in status; the
// operator never writes spec, so GitOps tools see no drift.
import { z } from "zod";
import { dataFields, dataRules, dnsLabel, evaluation, gangFields, objectSchema, statusFields } from "./common.ts";
import { maxJobNameLength } from "./meta.ts";
import { withRules } from "./rules.ts";

/** maxEntropy is ln(262144), the entropy of a uniform distribution over the largest vocabulary the trainer accepts. */
export const maxEntropy = Math.log(262144);

/** initFrom is where RL starts: a finished SFTJob or a checkpoint. */
export const initFrom = withRules(
  z.strictObject({
    sftJob: dnsLabel.optional().describe("sftJob names an SFTJob in the same namespace; the RLJob waits until it succeeds and starts from its final checkpoint."),
    checkpoint: z.string().min(1).max(2048).optional().describe("checkpoint is a checkpoint URI (file:///path or pvc://claim/path) to start from."),
  }),
  [{ rule: "[has(self.sftJob), has(self.checkpoint)].filter(x, x).size() == 1", message: "set exactly one of sftJob or checkpoint" }],
).describe("initFrom is where RL starts: exactly one of sftJob or checkpoint.");

/** stage is one step of the curriculum; stages run in order. */
export const stage = z
  .strictObject({
    name: dnsLabel.describe("name identifies the stage in status and events; unique within the job."),
    data: withRules(z.strictObject({ ...dataFields }), dataRules).prefault({}).describe("data is the prompt set of this stage."),
    maxResponseLength: z.int().min(8).max(131072).describe("maxResponseLength is the longest rollout in tokens; longer ones are truncated."),
    epochs: z.int().min(1).max(1000).default(1).describe("epochs is the number of passes over this stage's prompts. Default 1."),
    promptsPerBatch: z.int().min(1).max(4096).default(16).describe("promptsPerBatch is the number of prompts per on-policy update. Default 16."),
    rolloutsPerPrompt: z.int().min(2).max(256).default(8).describe("rolloutsPerPrompt is the GRPO group size. Default 8."),
    learningRate: z.number().gt(0).max(1).default(0.0001).describe("learningRate is this stage's AdamW learning rate. Default 0.0001."),
    overlongFiltering: z.boolean().default(true).describe("overlongFiltering masks truncated responses out of the loss. Default true."),
    dropSolvedPrompts: z.boolean().default(false).describe("dropSolvedPrompts removes prompts whose whole group was correct from later epochs. Default false."),
  })
  .describe("a stage of the RL curriculum.");

/** scheduleEntry pins the temperature from an epoch on (policy Schedule). */
const scheduleEntry = z.strictObject({
  epoch: z.int().min(0).max(100000).describe("epoch (global, counted from 0 across stages) from which temperature applies."),
  temperature: z.number().gt(0).max(10).describe("temperature to sample at from that epoch on."),
});

/** temperature is how the sampling temperature is chosen between epochs. */
export const temperature = withRules(
  z.strictObject({
    policy: z.enum(["EntropyTarget", "Fixed", "Schedule"]).default("EntropyTarget")
      .describe("policy is EntropyTarget (steer the temperature-adjusted entropy to targetEntropy: each epoch solve H(T) = targetEntropy on the entropy curve the trainer measured, within maxStep and [min, max]), Fixed (always initial) or Schedule (follow schedule). Default EntropyTarget."),
    initial: z.number().gt(0).max(10).default(0.6).describe("initial is the temperature of the first epoch. Default 0.6."),
    targetEntropy: z.number().gt(0).max(maxEntropy).default(0.3)
      .describe("targetEntropy is the temperature-adjusted entropy EntropyTarget steers toward, in nats, in (0, ln(vocab)]. Default 0.3. Ignored by Fixed and Schedule."),
    tolerance: z.number().min(0).max(5).default(0.05).describe("tolerance is the band around targetEntropy within which the temperature is left alone. Default 0.05."),
    min: z.number().gt(0).max(10).default(0.3).describe("min is the lowest temperature any policy may choose. Default 0.3."),
    max: z.number().gt(0).max(10).default(1.5).describe("max is the highest temperature any policy may choose. Default 1.5."),
    maxStep: z.number().gt(0).max(10).default(0.1).describe("maxStep is the largest change EntropyTarget makes between two epochs. Default 0.1."),
    schedule: z.array(scheduleEntry).max(1000).optional().describe("schedule lists (epoch, temperature) pairs for policy Schedule."),
  }),
  [
    {
      rule: "self.min <= self.max",
      message: "must be >= spec.temperature.min",
      messageExpression: "'must be >= spec.temperature.min (' + string(self.min) + ')'",
      fieldPath: ".max",
    },
    {
      rule: "self.initial >= self.min && self.initial <= self.max",
      message: "must be within [spec.temperature.min, spec.temperature.max]",
      messageExpression: "'must be within [spec.temperature.min, spec.temperature.max] = [' + string(self.min) + ', ' + string(self.max) + ']'",
      fieldPath: ".initial",
    },
    { rule: "self.policy != 'Schedule' || (has(self.schedule) && self.schedule.size() > 0)", message: "must be non-empty when policy is Schedule", fieldPath: ".schedule" },
    { rule: "!has(self.schedule) || self.schedule.all(e, e.temperature >= self.min && e.temperature <= self.max)", message: "every temperature must be within [spec.temperature.min, spec.temperature.max]", fieldPath: ".schedule" },
  ],
).describe("temperature is how the rollout sampling temperature is chosen between epochs.");

/** reward configures how rollouts are scored; each stage's data.task picks math or code. */
export const reward = z
  .strictObject({
    truncatedReward: z.number().min(-1).max(1).default(0).describe("truncatedReward is the reward of a response cut at maxResponseLength. Default 0."),
    code: z.strictObject({
      timeoutMs: z.int().min(10).max(600000).default(2000).describe("timeoutMs is the wall-clock limit for running one solution's tests. Default 2000."),
      memoryMb: z.int().min(16).max(65536).default(256).describe("memoryMb is the memory limit of the sandbox. Default 256."),
      isolation: z.enum(["Required", "BestEffort"]).default("BestEffort")
        .describe("isolation is whether code rollouts must run without network access: Required fails the run at start (and so the job) on a node where the sandbox cannot enter a user and network namespace; BestEffort runs them there anyway, with a Warning Event and the SandboxDegraded condition. Default BestEffort."),
    }).prefault({}).describe("code rewards 1 iff every hidden test passes in the sandbox."),
  })
  .describe("reward scores rollouts: math is 1 iff the \\boxed{} answer is equivalent to the reference; code is 1 iff all hidden tests pass.");

/** RLJobSpec is the desired state of an RLJob. */
export const RLJobSpec = withRules(z
  .strictObject({
    ...gangFields,
    initFrom: initFrom,
    stages: z.array(stage).min(1).max(16).meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })
      .describe("stages run in order; each has its own data, maxResponseLength and epochs (the paper grows the length stage by stage)."),
    reward: reward.prefault({}),
    temperature: temperature.prefault({}),
    topP: z.number().gt(0).max(1).default(1).describe("topP is the nucleus for rollout sampling. Default 1 (off)."),
    evaluation: evaluation.prefault({}),
    seed: z.int().min(0).max(2147483647).default(0).describe("seed makes rollouts and data order reproducible. Default 0."),
  }), [
  { rule: "self.stages.all(x, self.stages.exists_one(y, y.name == x.name))", message: "stage names must be unique", fieldPath: ".stages" },
]).describe("spec is the desired state of the RLJob.");

/**
 * decisionMethods name how a temperature decision was made, one per history entry: Fixed and
 * Schedule by those policies; for EntropyTarget, NoEntropy (nothing measured, held),
 * HeldInBand (within tolerance of the target, held), SolvedOnCurve (H(T) = target solved on the
 * reported H(T′) curve), Extrapolated (the target lies beyond the measured curve), DampedLogStep
 * (no curve: a damped step in log T), Bracketed (the stage's last epochs measured the entropy on
 * both sides of the band: the secant in ln T between the closest two) and Unreachable (the target
 * lies beyond min or max).
 */
export const decisionMethods = ["Fixed", "Schedule", "NoEntropy", "HeldInBand", "SolvedOnCurve", "Extrapolated", "DampedLogStep", "Bracketed", "Unreachable"] as const;

/** DecisionMethod is one of decisionMethods. */
export type DecisionMethod = (typeof decisionMethods)[number];

/** historyEntry records one epoch of the temperature loop. */
export const historyEntry = z.strictObject({
  stage: z.string().max(63).describe("stage the epoch belonged to."),
  epoch: z.int().min(0).describe("epoch within the stage, from 1."),
  attempt: z.int().min(1).describe("attempt that ran the epoch."),
  temperature: z.number().describe("temperature the epoch's rollouts were sampled at."),
  entropy: z.number().describe("entropy is the measured temperature-adjusted entropy."),
  reward: z.number().optional().describe("reward is the mean rollout reward."),
  accuracy: z.number().optional().describe("accuracy is the validation accuracy, when evaluated."),
  responseLength: z.number().optional().describe("responseLength is the mean response length in tokens."),
  truncationRate: z.number().optional().describe("truncationRate is the fraction of responses cut at maxResponseLength."),
  nextTemperature: z.number().describe("nextTemperature is the temperature chosen for the next epoch."),
  method: z.enum(decisionMethods).optional()
    .describe("method is how nextTemperature was chosen: Fixed, Schedule, NoEntropy, HeldInBand, SolvedOnCurve, Extrapolated, DampedLogStep, Bracketed or Unreachable."),
  reason: z.string().max(1024).describe("reason explains the decision: the method and the numbers it used."),
});

/** historyLimit bounds status.temperature.history; older epochs are dropped first. */
export const historyLimit = 64;

/** RLJobStatus is the observed state of an RLJob. */
export const RLJobStatus = z
  .strictObject({
    ...statusFields,
    stageIndex: z.int().min(0).optional().describe("stageIndex is the 0-based index of the current stage."),
    temperature: z.strictObject({
      current: z.number().optional().describe("current is the temperature the next (or running) epoch samples at."),
      entropy: z.number().optional().describe("entropy is the last measured temperature-adjusted entropy."),
      history: z.array(historyEntry).max(historyLimit).optional().describe(`history holds the last ${historyLimit} epochs of the temperature loop.`),
    }).optional().describe("temperature is the state of the temperature loop."),
  })
  .describe("status is the observed state of the RLJob, written by the operator.");

/** RLJob is the whole object as stored in the cluster. */
export const RLJob = objectSchema(
  "RLJob",
  RLJobSpec,
  RLJobStatus,
  [{ rule: `!has(self.metadata.name) || self.metadata.name.size() <= ${maxJobNameLength}`, message: `metadata.name must be at most ${maxJobNameLength} characters (child pods are named NAME-aN-INDEX)` }],
);

export type RLJobSpec = z.output<typeof RLJobSpec>;
export type RLJobStatus = z.output<typeof RLJobStatus>;
export type RLJob = z.output<typeof RLJob>;
export type Stage = z.output<typeof stage>;
export type HistoryEntry = z.output<typeof historyEntry>;
