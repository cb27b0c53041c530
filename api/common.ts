// common: the parts SFTJob and RLJob share — how the gang is run (image, workers, GPUs, pod
// overrides, checkpoints, failure policy, lifecycle) and the status every temper job reports.
// Every field is described for `kubectl explain`; every string and list is bounded.
import { z } from "zod";
import { withRules, type Rule } from "./rules.ts";

/** dnsLabel is a DNS-1123 label, the shape of names that end up in pod host names. */
export const dnsLabel = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);

/** quantity is a Kubernetes resource quantity such as "2", "500m" or "16Gi". */
export const quantity = z
  .string()
  .max(64)
  .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(\d+(\.\d*)?|\.\d+)))?$/);

const stringMap = (what: string) => z.record(z.string().max(317), z.string().max(1024)).describe(what);

/** resources sets per-worker CPU and memory; GPUs come from gpusPerWorker. */
export const resources = z
  .strictObject({
    requests: z.record(z.string().max(253), quantity).optional()
      .describe("requests is the minimum CPU/memory per worker pod, e.g. {cpu: \"4\", memory: \"32Gi\"}."),
    limits: z.record(z.string().max(253), quantity).optional()
      .describe("limits caps CPU/memory per worker pod. nvidia.com/gpu is set from gpusPerWorker; do not set it here."),
  })
  .describe("resources is the CPU and memory of each worker pod. Changing it affects the next attempt only.");

/** keyValue is an environment variable with a literal value. */
const envVar = z.strictObject({
  name: z.string().min(1).max(253).regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/).describe("name is the variable's name."),
  value: z.string().max(32768).default("").describe("value is the variable's value."),
});

const toleration = z.strictObject({
  key: z.string().max(317).optional().describe("key is the taint key the toleration applies to; empty matches all."),
  operator: z.enum(["Exists", "Equal"]).optional().describe("operator is Exists or Equal (default Equal)."),
  value: z.string().max(63).optional().describe("value is the taint value for Equal."),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional().describe("effect is the taint effect matched; empty matches all."),
  tolerationSeconds: z.int().min(0).max(2147483647).optional().describe("tolerationSeconds bounds how long a NoExecute taint is tolerated."),
});

/** opaque marks a field whose content is a Kubernetes type passed through unchanged. */
const opaque = (what: string) =>
  z.record(z.string(), z.unknown()).meta({ "x-kubernetes-preserve-unknown-fields": true }).describe(what);

/** podTemplate holds the overrides applied to every worker pod. */
export const podTemplate = z
  .strictObject({
    nodeSelector: stringMap("nodeSelector restricts worker pods to nodes with these labels.").optional(),
    tolerations: z.array(toleration).max(32).optional().describe("tolerations let worker pods run on tainted (e.g. GPU) nodes."),
    affinity: opaque("affinity is a core/v1 Affinity applied to worker pods unchanged.").optional(),
    env: z.array(envVar).max(128).optional().describe("env adds environment variables to the trainer container."),
    volumes: z.array(opaque("a core/v1 Volume")).max(32).optional().describe("volumes adds core/v1 Volumes to worker pods; mount them with volumeMounts."),
    volumeMounts: z.array(opaque("a core/v1 VolumeMount")).max(32).optional().describe("volumeMounts mounts volumes into the trainer container."),
    priorityClassName: z.string().max(253).optional().describe("priorityClassName sets the worker pods' priority class."),
    serviceAccountName: z.string().max(253).optional().describe("serviceAccountName runs worker pods as this service account."),
  })
  .describe("podTemplate overrides applied to every worker pod (nodeSelector, tolerations, affinity, env, volumes).");

/** checkpoint says where checkpoints live and how often they are written. */
export const checkpoint = z
  .strictObject({
    claimName: z.string().max(253).optional()
      .describe("claimName is an existing PersistentVolumeClaim for checkpoints. When empty the operator creates NAME-checkpoints, owned by the job."),
    storage: quantity.default("10Gi").describe("storage is the size of the claim the operator creates. Default 10Gi. Ignored with claimName."),
    storageClassName: z.string().max(253).optional().describe("storageClassName is the class of the claim the operator creates."),
    everyEpochs: z.int().min(1).max(1000).default(1).describe("everyEpochs writes a checkpoint every N epochs (and always at the end). Default 1."),
    keep: z.int().min(1).max(100).default(3).describe("keep is how many recent checkpoints the trainer retains. Default 3."),
  })
  .describe("checkpoint is where and how often the trainer saves; a restarted gang resumes from the latest one.");

/** failurePolicy bounds how a failing or hung gang is retried. */
export const failurePolicy = z
  .strictObject({
    maxRestarts: z.int().min(0).max(100).default(3)
      .describe("maxRestarts is how many times the whole gang is replaced after a failure before the job fails. Default 3."),
    progressDeadlineSeconds: z.int().min(30).max(604800).default(1800)
      .describe("progressDeadlineSeconds restarts a gang that reports no progress for this long. Default 1800."),
  })
  .describe("failurePolicy is how failed or hung gangs are restarted.");

/** gangFields are the fields of how a job is run, shared by SFTJob and RLJob. */
export const gangFields = {
  suspend: z.boolean().default(false)
    .describe("suspend stops the running gang and keeps progress; setting it back to false resumes from the latest checkpoint. Default false."),
  queueName: z.string().max(63).optional()
    .describe("queueName is the Kueue LocalQueue; it becomes the kueue.x-k8s.io/queue-name label on the child Job."),
  image: z.string().max(512).optional()
    .describe("image is the trainer image. Default: the operator's configured trainer image."),
  workers: z.int().min(1).max(1024).default(1)
    .describe("workers is the number of data-parallel worker pods in the gang. Default 1."),
  gpusPerWorker: z.int().min(0).max(16).default(1)
    .describe("gpusPerWorker is the nvidia.com/gpu limit of each worker pod. Default 1."),
  resources: resources.optional(),
  podTemplate: podTemplate.optional(),
  checkpoint: checkpoint.prefault({}),
  failurePolicy: failurePolicy.prefault({}),
  ttlSecondsAfterFinished: z.int().min(0).max(31536000).optional()
    .describe("ttlSecondsAfterFinished deletes the job's children (pods, Jobs, Services, Secrets) this long after it finishes. The job record itself is kept."),
};

/** maxCodeLevel is the hardest level of the code task; trainer/tasks/code.ts generates levels 1..maxCodeLevel. */
export const maxCodeLevel = 3;

/** data says which generated tasks a stage trains or is evaluated on. */
export const dataFields = {
  task: z.enum(["math", "code"]).default("math").describe("task is the problem family: math (verifiable answer) or code (hidden tests). Default math."),
  levels: z.array(z.int().min(1).max(5)).min(1).max(5).default([1])
    .describe(`levels are the difficulty levels (1 easiest, 5 hardest; code has 1..${maxCodeLevel}) drawn from. Default [1].`),
  prompts: z.int().min(1).max(10000000).default(2000).describe("prompts is the number of distinct training prompts. Default 2000."),
  validationPrompts: z.int().min(0).max(100000).default(200)
    .describe("validationPrompts is the size of the validation set: held-out problems (no rewrite of one is trained on) whose accuracy is measured every evaluation.everyEpochs and reported as status.metrics.accuracy; choose epochs, learning rates and recipes on it. Fewer when the levels have fewer distinct problems. Default 200. 0 turns the per-epoch accuracy off."),
  testPrompts: z.int().min(0).max(100000).default(200)
    .describe("testPrompts is the size of the test set: held-out problems, disjoint from training and validation, evaluated once when the job ends and reported as status.metrics.testAccuracy, for final figures only. Fewer when the levels have fewer distinct problems. Default 200. 0 skips it."),
  seed: z.int().min(0).max(2147483647).default(0).describe("seed makes data generation reproducible. Default 0."),
};

/** evaluation is how validation and test accuracy are measured (the paper: T 0.6, top-p 0.95, avg@k). */
export const evaluation = z
  .strictObject({
    temperature: z.number().gt(0).max(10).default(0.6).describe("temperature to sample evaluation answers at. Default 0.6."),
    topP: z.number().gt(0).max(1).default(0.95).describe("topP is the nucleus for evaluation sampling. Default 0.95."),
    k: z.int().min(1).max(64).default(4).describe("k is the number of samples per prompt (avg@k). Default 4."),
    everyEpochs: z.int().min(1).max(1000).default(1).describe("everyEpochs evaluates the validation set every N epochs. Default 1. The test set is evaluated once, at the end."),
  })
  .describe("evaluation is how validation and test accuracy are measured: avg@k at temperature and topP.");

/**
 * dataRules are the cross-field rules of every data block built from dataFields. Without the
 * code rule a code job asking for level 4 would be accepted and fail only when its pod starts.
 */
export const dataRules: Rule[] = [
  { rule: `self.task != 'code' || self.levels.all(l, l <= ${maxCodeLevel})`, message: `code tasks have levels 1..${maxCodeLevel}`, fieldPath: ".levels" },
];

/** conditionStatus is a condition's truth value. */
export const conditionStatus = z.enum(["True", "False", "Unknown"]);

/** condition is a metav1.Condition. */
export const condition = z.strictObject({
  type: z.string().max(316).describe("type of the condition: Ready, Reconciling, Stalled, Succeeded or Failed."),
  status: conditionStatus.describe("status is True, False or Unknown."),
  observedGeneration: z.int().min(0).optional().describe("observedGeneration is the generation the condition was computed from."),
  lastTransitionTime: z.string().max(64).describe("lastTransitionTime is when status last changed (RFC 3339)."),
  reason: z.string().max(1024).describe("reason is a CamelCase word users and tools can act on."),
  message: z.string().max(32768).default("").describe("message says what happened, for humans."),
});

/** phase is the coarse lifecycle state; Succeeded and Failed are terminal and sticky. */
export const phase = z.enum(["Pending", "Running", "Succeeded", "Failed", "Suspended"]);

/** Phase is one of phase's values. */
export type Phase = z.infer<typeof phase>;

/** metrics are the last figures the trainer reported. */
export const metrics = z.strictObject({
  loss: z.number().optional().describe("loss is the last training loss."),
  accuracy: z.number().optional().describe("accuracy is the last validation accuracy (avg@k at the evaluation temperature)."),
  testAccuracy: z.number().optional().describe("testAccuracy is the test-split accuracy of the final weights, measured once when the job ends (avg@k at the evaluation temperature)."),
  reward: z.number().optional().describe("reward is the last mean rollout reward (RL)."),
  tokensPerSecond: z.number().optional().describe("tokensPerSecond is the last training throughput."),
});

/** statusFields are what every temper job reports. */
export const statusFields = {
  phase: phase.optional().describe("phase is Pending, Running, Succeeded, Failed or Suspended. Succeeded and Failed are final."),
  conditions: z.array(condition).max(16).optional().meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] })
    .describe("conditions are kstatus conditions: Ready, Reconciling, Stalled, Succeeded, Failed."),
  observedGeneration: z.int().min(0).optional().describe("observedGeneration is the spec generation status reflects."),
  attempt: z.int().min(0).optional().describe("attempt is the number of the current (or last) gang, starting at 1."),
  restarts: z.int().min(0).optional().describe("restarts is how many times the gang was replaced."),
  stage: z.string().max(63).optional().describe("stage is the name of the current RL stage (RLJob) or \"sft\"."),
  epoch: z.int().min(0).optional().describe("epoch is the number of epochs completed in the current stage."),
  epochs: z.int().min(0).optional().describe("epochs is the number of epochs the current stage has."),
  latestCheckpoint: z.string().max(2048).optional().describe("latestCheckpoint is the URI of the newest complete checkpoint."),
  startTime: z.string().max(64).optional().describe("startTime is when the first gang started (RFC 3339)."),
  completionTime: z.string().max(64).optional().describe("completionTime is when the job reached Succeeded or Failed (RFC 3339)."),
  metrics: metrics.optional().describe("metrics are the last figures the trainer reported."),
  message: z.string().max(32768).optional().describe("message is a one-line human summary of the current state."),
};

/** withTypeMeta adds apiVersion, kind and metadata to a spec/status pair, as every object has. */
export function objectSchema<S extends z.ZodObject, T extends z.ZodObject>(kind: string, spec: S, status: T, rules: Parameters<typeof withRules>[1]) {
  return withRules(
    z.object({
      apiVersion: z.literal("temper.dev/v1alpha1").describe("apiVersion is temper.dev/v1alpha1."),
      kind: z.literal(kind).describe(`kind is ${kind}.`),
      metadata: z.looseObject({ name: z.string().max(253).optional(), namespace: z.string().max(63).optional() }),
      spec,
      status: status.optional(),
    }),
    rules,
  );
}
