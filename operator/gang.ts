// gang: the pure description of one attempt's children — the Indexed batch/v1 Job of the worker
// gang, its headless Service, the TrainerConfig ConfigMap, the report-token Secret and the
// checkpoint claim. desiredGang only builds objects; the reconciler decides when to create them.
import { apiVersion, labels as labelKeys, managerName } from "../api/meta.ts";
import { reportPath } from "../api/report.ts";
import type { TrainerConfig } from "../api/trainer-config.ts";
import { checkpointClaimName, toPodPath } from "./checkpoint-uri.ts";
import type { TemperJob } from "./job.ts";
import type { KubeObject } from "./kube.ts";
import { configMapName, gangJobName, masterPort, paths, serviceName, tokenSecretName } from "./names.ts";

/** GangInputs are the facts desiredGang needs beyond the job itself. */
export interface GangInputs {
  /** image is the operator's default trainer image (spec.image wins). */
  image: string;
  /** reportBaseUrl is where pods reach the operator's report endpoint (scheme://host:port). */
  reportBaseUrl: string;
  /** resumeFrom is the latest checkpoint of an earlier attempt. */
  resumeFrom?: string;
  /** initCheckpoint is the resolved start checkpoint of an RLJob (pvc://claim/path or a URI). */
  initCheckpoint?: string;
  /** temperature is the RL temperature to resume at, as recorded in status. */
  temperature?: number;
}

/** Gang is every child object of one attempt. */
export interface Gang {
  job: KubeObject;
  service: KubeObject;
  configMap: KubeObject;
  /** claim is absent when spec.checkpoint.claimName names an existing claim. */
  claim?: KubeObject;
}

/** childLabels are the labels every child of job carries (attempt only on per-attempt children). */
export function childLabels(job: TemperJob, attempt?: number): Record<string, string> {
  const l: Record<string, string> = { [labelKeys.managedBy]: managerName, [labelKeys.jobName]: job.name, [labelKeys.jobKind]: job.kind };
  if (attempt !== undefined) l[labelKeys.attempt] = String(attempt);
  return l;
}

/** ownerReference makes job the controlling owner of a child, so deleting the job deletes it. */
export function ownerReference(job: TemperJob) {
  return { apiVersion, kind: job.kind, name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true };
}

function meta(job: TemperJob, name: string, attempt?: number) {
  return { name, namespace: job.namespace, labels: childLabels(job, attempt), ownerReferences: [ownerReference(job)] };
}

/** tokenSecret is the per-job Secret with the bearer token trainers present to the report endpoint. */
export function tokenSecret(job: TemperJob, token: string): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: meta(job, tokenSecretName(job.name)), type: "Opaque", stringData: { token } };
}

/** threadsFor turns a CPU limit ("4", "2500m") into whole compute threads, at least one; no limit leaves the trainer's default. */
export function threadsFor(cpu: string | undefined): { threads?: number } {
  if (cpu === undefined) return {};
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu);
  if (m === null) return {};
  const cores = Number(m[1]) / (m[2] === "m" ? 1000 : 1);
  return { threads: Math.min(256, Math.max(1, Math.floor(cores))) };
}

function trainerConfig(job: TemperJob, attempt: number, in_: GangInputs, ownClaim: string, init?: string): TrainerConfig {
  const common = {
    namespace: job.namespace,
    name: job.name,
    attempt,
    checkpointDir: paths.checkpoints,
    ...(in_.resumeFrom !== undefined ? { resumeFrom: toPodPath(in_.resumeFrom, ownClaim).uri } : {}),
    report: { url: in_.reportBaseUrl.replace(/\/$/, "") + reportPath(job.kind, job.namespace, job.name), tokenFile: paths.tokenFile },
    // Rank 0's stable DNS name: pod JOB-0 under the headless Service (the pod's subdomain).
    rendezvous: { host: `${gangJobName(job.name, attempt)}-0.${serviceName(job.name)}.${job.namespace}.svc`, port: masterPort, timeoutSeconds: 300 },
    limits: threadsFor(job.obj.spec.resources?.limits?.cpu),
  };
  if (job.kind === "SFTJob") return { kind: "SFTJob", spec: job.obj.spec, ...common };
  return {
    kind: "RLJob",
    spec: job.obj.spec,
    ...common,
    ...(init !== undefined ? { initCheckpoint: init } : {}),
    ...(in_.temperature !== undefined ? { temperature: in_.temperature } : {}),
  };
}

/** desiredGang builds the children of attempt number attempt of job. */
export function desiredGang(job: TemperJob, attempt: number, in_: GangInputs): Gang {
  const spec = job.obj.spec;
  const jobName = gangJobName(job.name, attempt);
  const svc = serviceName(job.name);
  const ownClaim = checkpointClaimName(job);
  const init = in_.initCheckpoint === undefined ? undefined : toPodPath(in_.initCheckpoint, ownClaim);
  const config = trainerConfig(job, attempt, in_, ownClaim, init?.uri);
  const podLabels = childLabels(job, attempt);
  const jobLabels = { ...podLabels, ...(spec.queueName !== undefined ? { [labelKeys.queueName]: spec.queueName } : {}) };
  const limits: Record<string, string> = { ...(spec.resources?.limits ?? {}) };
  if (spec.gpusPerWorker > 0) limits["nvidia.com/gpu"] = String(spec.gpusPerWorker);
  const pt = spec.podTemplate ?? {};
  // Everything the trainer needs is in the mounted TrainerConfig; its rank is JOB_COMPLETION_INDEX,
  // which the Indexed Job injects. Only the user's own variables are added here.
  const env = [...(pt.env ?? [])];
  const volumes: unknown[] = [
    { name: "config", configMap: { name: configMapName(job.name, attempt) } },
    { name: "report-token", secret: { secretName: tokenSecretName(job.name) } },
    { name: "checkpoints", persistentVolumeClaim: { claimName: ownClaim } },
    { name: "tmp", emptyDir: {} },
    ...(init?.mountClaim !== undefined ? [{ name: "init", persistentVolumeClaim: { claimName: init.mountClaim, readOnly: true } }] : []),
    ...(pt.volumes ?? []),
  ];
  const mounts: unknown[] = [
    { name: "config", mountPath: paths.configDir, readOnly: true },
    { name: "report-token", mountPath: paths.tokenDir, readOnly: true },
    { name: "checkpoints", mountPath: paths.checkpoints },
    { name: "tmp", mountPath: "/tmp" },
    ...(init?.mountClaim !== undefined ? [{ name: "init", mountPath: paths.init, readOnly: true }] : []),
    ...(pt.volumeMounts ?? []),
  ];
  const podSpec: Record<string, unknown> = {
    restartPolicy: "Never",
    subdomain: svc,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
    containers: [
      {
        name: "trainer",
        image: spec.image ?? in_.image,
        args: [job.kind === "SFTJob" ? "sft" : "rl", "--config", paths.configFile],
        env,
        resources: { ...(spec.resources?.requests !== undefined ? { requests: spec.resources.requests } : {}), limits },
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
        // A trainer that refuses to run on its node says why in its last log line; the pod's status carries it to the operator.
        terminationMessagePolicy: "FallbackToLogsOnError",
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
  if (pt.nodeSelector !== undefined) podSpec.nodeSelector = pt.nodeSelector;
  if (pt.tolerations !== undefined) podSpec.tolerations = pt.tolerations;
  if (pt.affinity !== undefined) podSpec.affinity = pt.affinity;
  if (pt.priorityClassName !== undefined) podSpec.priorityClassName = pt.priorityClassName;
  if (pt.serviceAccountName !== undefined) podSpec.serviceAccountName = pt.serviceAccountName;

  const gang: Gang = {
    job: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { ...meta(job, jobName, attempt), labels: jobLabels },
      spec: {
        completionMode: "Indexed",
        completions: spec.workers,
        parallelism: spec.workers,
        // Any failed pod fails the attempt: the operator replaces the whole gang, never one pod.
        backoffLimit: 0,
        template: { metadata: { labels: podLabels }, spec: podSpec },
      },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(job, svc),
      spec: {
        clusterIP: "None",
        // Rank 0 must be resolvable before it is ready, or the other ranks cannot find it.
        publishNotReadyAddresses: true,
        selector: { [labelKeys.jobName]: job.name, [labelKeys.jobKind]: job.kind },
        ports: [{ name: "collective", port: masterPort }],
      },
    },
    configMap: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(job, configMapName(job.name, attempt), attempt),
      data: { "config.json": JSON.stringify(config, null, 2) },
    },
  };
  if (spec.checkpoint.claimName === undefined) {
    gang.claim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta(job, ownClaim),
      spec: {
        accessModes: ["ReadWriteMany"],
        resources: { requests: { storage: spec.checkpoint.storage } },
        ...(spec.checkpoint.storageClassName !== undefined ? { storageClassName: spec.checkpoint.storageClassName } : {}),
      },
    };
  }
  return gang;
}
