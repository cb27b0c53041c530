// sftjob: the SFTJob kind — supervised fine-tuning on teacher traces, the first half of the
// AceReason recipe. A finished SFTJob's final checkpoint is what an RLJob's initFrom.sftJob uses.
import { z } from "zod";
import { dataFields, dataRules, evaluation, gangFields, objectSchema, statusFields } from "./common.ts";
import { maxJobNameLength } from "./meta.ts";
import { withRules } from "./rules.ts";


/** architecture is a decoder-only transformer trained from scratch. */
export const architecture = withRules(
  z.strictObject({
    layers: z.int().min(1).max(128).default(4).describe("layers is the number of transformer blocks. Default 4."),
    dModel: z.int().min(8).max(16384).default(128).describe("dModel is the residual width. Must be a multiple of heads. Default 128."),
    heads: z.int().min(1).max(128).default(4).describe("heads is the number of attention heads. Default 4."),
    contextLength: z.int().min(16).max(131072).default(128).describe("contextLength is the longest sequence the model attends over. Default 128."),
    mlpRatio: z.int().min(1).max(16).default(4).describe("mlpRatio is the MLP hidden width as a multiple of dModel. Default 4."),
  }),
  [{ rule: "self.dModel % self.heads == 0", message: "must be a multiple of heads", fieldPath: ".dModel" }],
).describe("architecture is a decoder-only transformer trained from scratch.");

/** tokenizer is the vocabulary a model trained from scratch reads and writes. */
export const tokenizer = z
  .strictObject({
    type: z.enum(["Character", "BPE"]).default("Character")
      .describe("type is Character (one token per character) or BPE (subword tokens learned from the job's training prompts and teacher traces before the first step; digits stay one per token). Entropy is measured per token, so targetEntropy means per-BPE-token entropy for a BPE model. Default Character."),
    vocabSize: z.int().min(101).max(65536).default(384)
      .describe("vocabSize bounds a BPE vocabulary (specials, 97 characters and learned merges); training stops sooner when no pair repeats. Ignored for Character. Default 384."),
  })
  .describe("tokenizer is the vocabulary of a model trained from scratch; a checkpoint (from) brings its own.");

/** model is what SFT starts from: a fresh architecture or an existing checkpoint. */
export const model = withRules(
  z.strictObject({
    architecture: architecture.optional(),
    tokenizer: tokenizer.optional(),
    from: z.string().min(1).max(2048).optional()
      .describe("from is a checkpoint URI (file:///path or pvc://claim/path) to continue from instead of a fresh architecture."),
  }),
  [
    { rule: "[has(self.architecture), has(self.from)].filter(x, x).size() == 1", message: "set exactly one of architecture or from" },
    { rule: "!has(self.from) || !has(self.tokenizer)", message: "a checkpoint (from) brings its own tokenizer: set tokenizer only with architecture", fieldPath: ".tokenizer" },
  ],
).describe("model is what SFT starts from: exactly one of architecture (train from scratch) or from (a checkpoint).");

/** sftData is the teacher-traced dataset SFT trains on. */
export const sftData = withRules(
  z.strictObject({
    ...dataFields,
    responsesPerPrompt: z.int().min(1).max(64).default(4)
      .describe("responsesPerPrompt is the number of distinct teacher traces per prompt. Default 4."),
  }),
  dataRules,
).describe("data is the generated dataset: task, levels, number of prompts and teacher responses per prompt.");

/** schedule shapes the learning rate over training. */
export const schedule = z
  .strictObject({
    warmupSteps: z.int().min(0).max(1000000).default(20).describe("warmupSteps ramps the learning rate linearly from 0. Default 20."),
    decay: z.enum(["cosine", "constant"]).default("cosine").describe("decay is cosine (to minLearningRateRatio) or constant. Default cosine."),
    minLearningRateRatio: z.number().min(0).max(1).default(0.1).describe("minLearningRateRatio is the floor of the cosine decay, as a fraction of learningRate. Default 0.1."),
  })
  .describe("schedule is the learning-rate schedule: linear warm-up, then cosine or constant.");

/** SFTJobSpec is the desired state of an SFTJob. */
export const SFTJobSpec = z
  .strictObject({
    ...gangFields,
    model: model.prefault({ architecture: {} }),
    data: sftData.prefault({}),
    epochs: z.int().min(1).max(1000).default(5).describe("epochs is the number of passes over the data. Default 5."),
    maxSequenceLength: z.int().min(16).max(131072).default(128)
      .describe("maxSequenceLength is the packed sequence length; at most model.architecture.contextLength. Default 128."),
    batchSize: z.int().min(1).max(65536).default(32).describe("batchSize is the global number of sequences per optimizer step. Default 32."),
    learningRate: z.number().gt(0).max(1).default(0.001).describe("learningRate is the peak AdamW learning rate. Default 0.001."),
    weightDecay: z.number().min(0).max(1).default(0.1).describe("weightDecay is AdamW's decoupled weight decay. Default 0.1."),
    gradientClipNorm: z.number().gt(0).max(1000).default(1).describe("gradientClipNorm clips the global gradient norm. Default 1."),
    schedule: schedule.prefault({}),
    evaluation: evaluation.prefault({}),
    seed: z.int().min(0).max(2147483647).default(0).describe("seed makes initialisation and data order reproducible. Default 0."),
  })
  .describe("spec is the desired state of the SFTJob.");

/** SFTJobStatus is the observed state of an SFTJob. */
export const SFTJobStatus = z.strictObject({ ...statusFields }).describe("status is the observed state of the SFTJob, written by the operator.");

/** SFTJob is the whole object as stored in the cluster. */
export const SFTJob = objectSchema(
  "SFTJob",
  withRules(SFTJobSpec, [
    {
      rule: "!has(self.model.architecture) || self.maxSequenceLength <= self.model.architecture.contextLength",
      message: "must be <= spec.model.architecture.contextLength",
      fieldPath: ".maxSequenceLength",
    },
    { rule: "self.batchSize >= self.workers", message: "must be >= spec.workers (each worker needs at least one sequence)", fieldPath: ".batchSize" },
  ]),
  SFTJobStatus,
  [{ rule: `!has(self.metadata.name) || self.metadata.name.size() <= ${maxJobNameLength}`, message: `metadata.name must be at most ${maxJobNameLength} characters (child pods are named NAME-aN-INDEX)` }],
);

/** SFTJob's TypeScript types: the spec as parsed (defaults filled) and the whole object. */
export type SFTJobSpec = z.output<typeof SFTJobSpec>;
export type SFTJobStatus = z.output<typeof SFTJobStatus>;
export type SFTJob = z.output<typeof SFTJob>;
