// conditions: the condition types and reasons temper jobs report, for both kinds. They follow
// kstatus (Ready, Reconciling, Stalled) so kubectl wait, Argo CD, Flux and Pulumi can await a
// job, plus Succeeded/Failed for the terminal outcome.

/** conditionTypes are the condition types a temper job carries. */
export const conditionTypes = {
  /** Ready is True while the gang runs and reports progress, and once the job has Succeeded. */
  Ready: "Ready",
  /** Reconciling is True while the operator is still converging (creating a gang, waiting for pods, restarting). */
  Reconciling: "Reconciling",
  /** Stalled is True when the job cannot make progress without a user's help (bad input, missing SFTJob, failed). */
  Stalled: "Stalled",
  /** Succeeded is True once every epoch of every stage finished; final. */
  Succeeded: "Succeeded",
  /** Failed is True once the job gave up (restart budget spent or unrecoverable); final. */
  Failed: "Failed",
  /**
   * SandboxDegraded is True while the latest epoch report says code rollouts run without network
   * isolation on the trainer's node, False once one says they are isolated; absent on jobs that
   * run no code. Set by the report endpoint; the reconciler keeps it as it is.
   */
  SandboxDegraded: "SandboxDegraded",
} as const;

/** reasons are the CamelCase reasons conditions and Events carry; each says what a user can act on. */
export const reasons = {
  /** GangCreated: a new attempt's Job and Service were created. */
  GangCreated: "GangCreated",
  /** GangStarting: the attempt's pods are not all running yet. */
  GangStarting: "GangStarting",
  /** GangRunning: every worker is running. */
  GangRunning: "GangRunning",
  /** WaitingForSFTJob: initFrom.sftJob has not succeeded yet. */
  WaitingForSFTJob: "WaitingForSFTJob",
  /** SFTJobNotFound: initFrom.sftJob names no SFTJob in this namespace. */
  SFTJobNotFound: "SFTJobNotFound",
  /** SFTJobFailed: initFrom.sftJob failed, so this RLJob cannot start. */
  SFTJobFailed: "SFTJobFailed",
  /** PodFailed: a worker failed and the gang is being replaced. */
  PodFailed: "PodFailed",
  /** ProgressDeadlineExceeded: no progress within failurePolicy.progressDeadlineSeconds; the gang is being replaced. */
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  /** RestartLimitExceeded: failurePolicy.maxRestarts was spent. */
  RestartLimitExceeded: "RestartLimitExceeded",
  /** Suspended: spec.suspend is true; the gang was removed and progress kept. */
  Suspended: "Suspended",
  /** Completed: every epoch finished. */
  Completed: "Completed",
  /** Unschedulable: worker pods cannot be placed (not enough GPUs, CPU or memory). */
  Unschedulable: "Unschedulable",
  /** InvalidSpec: the spec passed the CRD schema but cannot be run (explained in the message). */
  InvalidSpec: "InvalidSpec",
  /** NotFinished: Succeeded is False because the job has not finished yet. */
  NotFinished: "NotFinished",
  /** NotFailed: Failed is False because the job has not given up. */
  NotFailed: "NotFailed",
  /** ChildrenDeleted (Event only): ttlSecondsAfterFinished passed and the children were deleted; the job is kept. */
  ChildrenDeleted: "ChildrenDeleted",
  /** NetworkNotIsolated: SandboxDegraded is True; the node lets the sandbox create no network namespace, so code rollouts can open sockets. */
  NetworkNotIsolated: "NetworkNotIsolated",
  /** NetworkIsolated: SandboxDegraded is False; code rollouts run in a network namespace with no interfaces. */
  NetworkIsolated: "NetworkIsolated",
  /** Unrunnable: a worker's node cannot run the job as specified (the message says why, e.g. spec.reward.code.isolation Required without isolation); the job failed without a restart. */
  Unrunnable: "Unrunnable",
} as const;

/** Reason is one of reasons' values. */
export type Reason = (typeof reasons)[keyof typeof reasons];
