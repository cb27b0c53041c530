// The Kubernetes shapes the node-side controllers read and write: a subset of core/v1 Pod,
// Node, Service, PersistentVolumeClaim and batch/v1 Job, with only the fields acted on. Not a
// copy of the Go types. Objects are parsed at the HTTP boundary (client.ts) with zod for their
// metadata; the rest is trusted as the API server validated it.
import { z } from "zod";

/** ObjectMeta is the part of metadata the controllers use. */
export const ObjectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().default(""),
  resourceVersion: z.string().default(""),
  generation: z.number().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string(), controller: z.boolean().optional() })).optional(),
  finalizers: z.array(z.string()).optional(),
});
/** Meta is parsed ObjectMeta. */
export type Meta = z.infer<typeof ObjectMeta>;

/** KubeObject is any object with parsed metadata; spec and status are read per kind. */
export const KubeObject = z.looseObject({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata: ObjectMeta });

/** Quantities maps resource names to quantity strings ("500m", "4Gi", "1"). */
export type Quantities = Record<string, string | number>;

/** EnvVar is one container env entry: a value or a reference. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    resourceFieldRef?: { resource: string; containerName?: string };
  };
}

/** VolumeMount places a pod volume at a path in a container. */
export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

/** Container is one container of a pod spec. */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean }; prefix?: string }[];
  resources?: { requests?: Quantities; limits?: Quantities };
  volumeMounts?: VolumeMount[];
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; runAsUser?: number };
}

/** KeyToPath selects one Secret or ConfigMap key as a file. */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** DownwardFile is one file of a downwardAPI volume. */
export interface DownwardFile {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { resource: string; containerName?: string };
}

/** Volume is one pod volume; exactly one source is set. */
export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardFile[] };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  projected?: { sources?: { secret?: { name: string; items?: KeyToPath[] }; configMap?: { name: string; items?: KeyToPath[] }; downwardAPI?: { items?: DownwardFile[] } }[] };
}

/** PodSpec is the part of a pod spec the scheduler and kubelet read. */
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: "Always" | "OnFailure" | "Never";
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  schedulerName?: string;
  tolerations?: unknown[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

/** Condition is a status condition of a pod or Job. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

/** ContainerState is waiting, running or terminated. */
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

/** ContainerStatus is the kubelet's report on one container. */
export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
  containerID?: string;
}

/** PodStatus is what the kubelet (and scheduler) write to pods/status. */
export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions?: Condition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  qosClass?: string;
}

/** Pod is a core/v1 Pod as the controllers see it. */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec: PodSpec;
  status?: PodStatus;
}

/** PodFailurePolicyRule is one rule of a Job's podFailurePolicy. */
export interface PodFailurePolicyRule {
  action: "FailJob" | "Ignore" | "Count" | "FailIndex";
  onExitCodes?: { containerName?: string; operator: "In" | "NotIn"; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

/** JobSpec is the part of a batch/v1 Job spec the Job controller reads. */
export interface JobSpec {
  parallelism?: number;
  completions?: number;
  completionMode?: "NonIndexed" | "Indexed";
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  selector?: { matchLabels?: Record<string, string> };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
}

/** JobStatus is what the Job controller writes to jobs/status. */
export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
}

/** Job is a batch/v1 Job as the controllers see it. */
export interface Job {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec: JobSpec;
  status?: JobStatus;
}

/** Node is a core/v1 Node as the scheduler sees it. */
export interface Node {
  metadata: Meta;
  spec?: { unschedulable?: boolean };
  status?: { capacity?: Quantities; allocatable?: Quantities; conditions?: Condition[] };
}

/** Service is a core/v1 Service as the DNS hosts file sees it. */
export interface Service {
  metadata: Meta;
  spec?: { selector?: Record<string, string>; clusterIP?: string; publishNotReadyAddresses?: boolean };
}

/** Pvc is a core/v1 PersistentVolumeClaim. */
export interface Pvc {
  metadata: Meta;
  spec?: { volumeName?: string; accessModes?: string[]; resources?: { requests?: Quantities } };
  status?: { phase?: string; accessModes?: string[]; capacity?: Quantities };
}

/** KeyedData is a Secret or ConfigMap: data (base64 for Secrets) and stringData/binaryData. */
export interface KeyedData {
  metadata: Meta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** keyOf names an object "namespace/name". */
export function keyOf(o: { metadata: { name: string; namespace?: string } }): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}
