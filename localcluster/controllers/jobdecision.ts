// jobdecision: the Job controller's pure decision. Given a batch/v1 Job, the pods it owns and
// the time, it returns the pods to create and delete, the next status and the events to record,
// as kube-controller-manager's job controller would: Indexed and NonIndexed completion modes,
// parallelism, backoffLimit with exponential pod backoff, podFailurePolicy (FailJob, Ignore,
// Count on exit codes and pod conditions), suspend, activeDeadlineSeconds, Complete/Failed
// conditions and ttlSecondsAfterFinished. No client, logger or clock here.
//
// Known difference: terminated pods are counted from the pods that still exist, merged with the
// counts already in status (the real controller tracks them with a pod finalizer). A failed pod
// deleted by hand before it was seen is therefore not counted.
import type { Condition, Job, JobStatus, Pod, PodFailurePolicyRule } from "./types.ts";

/** completionIndexAnnotation carries an Indexed Job pod's index, as in Kubernetes. */
export const completionIndexAnnotation = "batch.kubernetes.io/job-completion-index";

/** JobEvent is one Event the controller should record about the Job. */
export interface JobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** JobDecision is what decideJob asks the controller to do. */
export interface JobDecision {
  /** create lists pods to create: the completion index for Indexed jobs, undefined otherwise. */
  create: (number | undefined)[];
  remove: Pod[];
  status: JobStatus;
  events: JobEvent[];
  /** deleteJob is set when ttlSecondsAfterFinished has run out. */
  deleteJob: boolean;
  requeueAfterMs?: number;
}

/** DecideOptions tunes the pod backoff (Kubernetes: 10 s doubling to 6 min). */
export interface DecideOptions {
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** defaultDecideOptions are Kubernetes' own backoff figures. */
export const defaultDecideOptions: DecideOptions = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };

const isTerminal = (p: Pod): boolean => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
const isTrue = (conds: Condition[] | undefined, type: string): boolean => (conds ?? []).some((c) => c.type === type && c.status === "True");

/** podIndex reads the completion index of an Indexed Job's pod, or undefined. */
export function podIndex(p: Pod): number | undefined {
  const v = p.metadata.annotations?.[completionIndexAnnotation] ?? p.metadata.labels?.[completionIndexAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** parseIndexes reads a completedIndexes string ("0-2,5") into a set. */
export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.add(i);
  }
  return out;
}

/** formatIndexes renders a set of indexes as Kubernetes does: sorted, with runs as ranges. */
export function formatIndexes(set: Set<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

function ruleMatches(rule: PodFailurePolicyRule, pod: Pod): string | undefined {
  if (rule.onExitCodes !== undefined) {
    const { containerName, operator, values } = rule.onExitCodes;
    for (const cs of pod.status?.containerStatuses ?? []) {
      const code = cs.state.terminated?.exitCode;
      if (code === undefined || code === 0 || (containerName !== undefined && cs.name !== containerName)) continue;
      if (values.includes(code) === (operator === "In")) return `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${code}`;
    }
    return undefined;
  }
  for (const pc of rule.onPodConditions ?? []) {
    if ((pod.status?.conditions ?? []).some((c) => c.type === pc.type && c.status === (pc.status ?? "True"))) return `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${pc.type} matching`;
  }
  return undefined;
}

/** failureAction applies the podFailurePolicy to one failed pod: the first matching rule wins. */
export function failureAction(job: Job, pod: Pod): { action: PodFailurePolicyRule["action"]; message?: string } {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    const why = ruleMatches(rule, pod);
    if (why !== undefined) return { action: rule.action, message: `${why} matching ${rule.action} rule at index ${i}` };
  }
  return { action: "Count" };
}

function finishedAt(p: Pod): number {
  const times = (p.status?.containerStatuses ?? []).map((c) => Date.parse(c.state.terminated?.finishedAt ?? "")).filter((t) => !Number.isNaN(t));
  return times.length === 0 ? 0 : Math.max(...times);
}

function setCondition(conds: Condition[], type: string, status: Condition["status"], reason: string, message: string, at: string): Condition[] {
  const old = conds.find((c) => c.type === type);
  if (old !== undefined && old.status === status && old.reason === reason) return conds;
  const next: Condition = { type, status, reason, message, lastProbeTime: at, lastTransitionTime: old !== undefined && old.status === status ? (old.lastTransitionTime ?? at) : at };
  return [...conds.filter((c) => c.type !== type), next];
}

function finishTime(job: Job): number | undefined {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True");
  return c === undefined ? undefined : Date.parse(job.status?.completionTime ?? c.lastTransitionTime ?? "");
}

function finished(job: Job, pods: Pod[], now: Date): JobDecision {
  const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
  const status: JobStatus = { ...job.status, active: 0, ready: 0 };
  const d: JobDecision = { create: [], remove: active, status, events: [], deleteJob: false };
  const ttl = job.spec.ttlSecondsAfterFinished;
  const at = finishTime(job);
  if (ttl !== undefined && at !== undefined && !Number.isNaN(at)) {
    const left = at + ttl * 1000 - now.getTime();
    if (left <= 0) d.deleteJob = true;
    else d.requeueAfterMs = left;
  }
  return d;
}

/** decideJob computes the next step for one Job (pure). */
export function decideJob(job: Job, pods: Pod[], now: Date, opts: DecideOptions = defaultDecideOptions): JobDecision {
  if (isTrue(job.status?.conditions, "Complete") || isTrue(job.status?.conditions, "Failed")) return finished(job, pods, now);
  const at = now.toISOString();
  const spec = job.spec;
  const indexed = spec.completionMode === "Indexed";
  const parallelism = spec.parallelism ?? 1;
  const completions = spec.completions;
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const active = live.filter((p) => !isTerminal(p));
  const events: JobEvent[] = [];
  let conds = job.status?.conditions ?? [];

  // 1. count terminated pods, merged with what status already holds
  const completed = parseIndexes(job.status?.completedIndexes);
  let succeededPods = 0;
  for (const p of pods.filter((x) => x.status?.phase === "Succeeded")) {
    succeededPods++;
    const i = podIndex(p);
    if (indexed && i !== undefined && completions !== undefined && i < completions) completed.add(i);
  }
  const succeeded = indexed ? completed.size : Math.max(job.status?.succeeded ?? 0, succeededPods);
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  let failJob: { reason: string; message: string } | undefined;
  let counted = 0;
  for (const p of failedPods) {
    const a = failureAction(job, p);
    if (a.action === "FailJob") failJob ??= { reason: "PodFailurePolicy", message: a.message ?? "" };
    if (a.action !== "Ignore") counted++;
  }
  const failed = Math.max(job.status?.failed ?? 0, counted);

  // 2. suspend: no pods run; resuming restarts the clock
  const status: JobStatus = { ...job.status, succeeded, failed, ...(indexed ? { completedIndexes: formatIndexes(completed) } : {}) };
  if (spec.suspend === true) {
    if (!isTrue(conds, "Suspended")) events.push({ type: "Normal", reason: "Suspended", message: "Job suspended" });
    conds = setCondition(conds, "Suspended", "True", "JobSuspended", "Job suspended", at);
    delete status.startTime;
    return { create: [], remove: active, status: { ...status, conditions: conds, active: 0, ready: 0 }, events, deleteJob: false };
  }
  if (isTrue(conds, "Suspended")) {
    conds = setCondition(conds, "Suspended", "False", "JobResumed", "Job resumed", at);
    events.push({ type: "Normal", reason: "Resumed", message: "Job resumed" });
  }
  status.startTime ??= at;

  // 3. terminal outcomes
  const target = completions ?? (succeeded > 0 ? succeeded : Infinity);
  const deadline = spec.activeDeadlineSeconds;
  if (failJob === undefined && failed > (spec.backoffLimit ?? 6)) failJob = { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  if (failJob === undefined && deadline !== undefined && now.getTime() - Date.parse(status.startTime) >= deadline * 1000) failJob = { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
  if (failJob !== undefined) {
    conds = setCondition(setCondition(conds, "FailureTarget", "True", failJob.reason, failJob.message, at), "Failed", "True", failJob.reason, failJob.message, at);
    events.push({ type: "Warning", reason: failJob.reason, message: failJob.message });
    return { create: [], remove: active, status: { ...status, conditions: conds, active: 0, ready: 0 }, events, deleteJob: false };
  }
  if (succeeded >= target && (completions !== undefined || active.length === 0)) {
    conds = setCondition(setCondition(conds, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", at), "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", at);
    events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
    return { create: [], remove: active, status: { ...status, conditions: conds, completionTime: at, active: 0, ready: 0 }, events, deleteJob: false };
  }

  // 4. pods to create, after the failure backoff
  const create: (number | undefined)[] = [];
  let requeueAfterMs: number | undefined;
  const lastFailure = Math.max(0, ...failedPods.map(finishedAt));
  const wait = failed === 0 ? 0 : Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (failed - 1)) - (now.getTime() - lastFailure);
  if (wait > 0) requeueAfterMs = wait;
  else if (indexed && completions !== undefined) {
    const busy = new Set(active.map(podIndex));
    for (let i = 0; i < completions && active.length + create.length < parallelism; i++) if (!completed.has(i) && !busy.has(i)) create.push(i);
  } else {
    const want = Math.min(parallelism, completions === undefined ? (succeeded > 0 ? 0 : parallelism) : completions - succeeded) - active.length;
    for (let i = 0; i < want; i++) create.push(undefined);
  }
  if (deadline !== undefined && requeueAfterMs === undefined) requeueAfterMs = Date.parse(status.startTime) + deadline * 1000 - now.getTime();
  const ready = active.filter((p) => isTrue(p.status?.conditions, "Ready")).length;
  return { create, remove: [], status: { ...status, conditions: conds, active: active.length + create.length, ready }, events, deleteJob: false, requeueAfterMs };
}
