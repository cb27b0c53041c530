// defaults: the trainer's built-in settings that belong to no job spec — sizes chosen for the
// machine the trainer runs on rather than for the training recipe, so they never change what
// a job learns, only how fast and in how much memory. One block, so every such number is found
// in one place; the job's own settings live in its spec, the pod's in the TrainerConfig.

/** TrainerDefaults lists the trainer's built-in settings. */
export interface TrainerDefaults {
  /** threads the kernels use when the TrainerConfig sets no limits.threads: the two cores of the machines CI runs on. */
  readonly threads: number;
  /** sftMicroBatch is sequences per SFT forward/backward; gradients accumulate up to spec.batchSize. It bounds activation memory. */
  readonly sftMicroBatch: number;
  /** rlMicroBatch is rollouts per GRPO forward/backward, for the same reason. */
  readonly rlMicroBatch: number;
  /** evalBatch is prompts sampled together during evaluation. */
  readonly evalBatch: number;
  /** entropyOffsets are the T′ − T at which each RL epoch re-measures entropy on its own rollouts (the H(T′) curve it reports). */
  readonly entropyOffsets: readonly number[];
}

/** trainerDefaults are the values every run uses. */
export const trainerDefaults: TrainerDefaults = Object.freeze({
  threads: 2,
  sftMicroBatch: 16,
  rlMicroBatch: 32,
  evalBatch: 64,
  entropyOffsets: Object.freeze([-0.2, -0.1, 0.1, 0.2]),
});
