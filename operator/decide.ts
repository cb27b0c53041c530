// decide: the pure heart of both reconcilers. From a job, what was observed of its children and
// the time, it computes the next status, the actions that move the cluster toward the spec, the
// Events of the transitions, and when to look again. It never talks to the API server: the
// reconciler applies what it returns and writes status once.
import { conditionTypes as C, reasons as R, type Reason } from "../api/conditions.ts";
import type { Phase } from "../api/common.ts";
import { initialTemperature } from "../api/temperature-policy.ts";
import { getCondition, setCondition, type Condition } from "./conditions.ts";
import type { AnyStatus, TemperJob } from "./job.ts";

/** AttemptState is what the operator saw of one attempt's batch/v1 Job. */
export interface AttemptState {
  attempt: number;
  name: string;
  /** created is the Job's creationTimestamp. */
  created: string;
  active: number;
  ready: number;
  succeeded: number;
  failed: number;
  /** complete and failedCondition mirror the Job's Complete and Failed conditions. */
  complete: boolean;
  failedCondition: boolean;
  deleting: boolean;
}

/** Observed is everything decide reads besides the job. */
export interface Observed {
  attempts: AttemptState[];
  /** hasChildren says whether any child object (Job, Service, Secret, ConfigMap, claim) still exists. */
  hasChildren: boolean;
  /** lastProgress is the newest progress signal of the current attempt (an epoch report), RFC 3339. */
  lastProgress?: string;
  /** pods summarises the current attempt's pods, when any are cached. */
  pods?: PodSignals;
  /** sftJob is the state of initFrom.sftJob for RLJobs that name one. */
  sftJob?: { found: false } | { found: true; phase?: Phase; checkpoint?: string };
}

/** PodSignals are what the current attempt's pods say beyond the Job's counters. */
export interface PodSignals {
  /** failed counts pods that failed or were deleted by someone else while running. */
  failed: number;
  /** unschedulable is the scheduler's message when a pod cannot be placed. */
  unschedulable?: string;
  /** unrunnable is why a worker exited with the trainer's unrunnableExitCode: its node cannot run the job as specified. */
  unrunnable?: string;
  /** lastActivity is the newest pod transition (start, ready), the liveness signal before the first report. */
  lastActivity?: string;
}

/** Action is one change decide asks the reconciler to make. */
export type Action =
  | { type: "createGang"; attempt: number; resumeFrom?: string; initCheckpoint?: string }
  | { type: "deleteAttempts"; attempts: number[] }
  | { type: "deleteChildren" };

/** JobEvent is a Kubernetes Event to record on the job. */
export interface JobEvent {
  type: "Normal" | "Warning";
  reason: Reason;
  message: string;
}

/** Decision is decide's answer. */
export interface Decision {
  status: AnyStatus;
  actions: Action[];
  events: JobEvent[];
  requeueAfterMs?: number;
}

/** Said is one condition's (status is True, reason, message). */
type Said = [boolean, Reason, string];

interface Conds {
  ready: Said;
  reconciling: Said;
  stalled: Said;
  succeeded?: Said;
  failed?: Said;
}

function withConditions(prev: Condition[] | undefined, c: Conds, generation: number, now: string): Condition[] {
  let conds = prev ?? [];
  const put = (type: string, v: Said | undefined, fallback: string): void => {
    const [on, reason, message] = v ?? [false, fallback, ""];
    conds = setCondition(conds, type, on ? "True" : "False", reason, message, generation, now);
  };
  put(C.Ready, c.ready, "");
  put(C.Reconciling, c.reconciling, "");
  put(C.Stalled, c.stalled, "");
  put(C.Succeeded, c.succeeded, getCondition(prev, C.Succeeded)?.reason ?? R.NotFinished);
  put(C.Failed, c.failed, getCondition(prev, C.Failed)?.reason ?? R.NotFailed);
  return conds;
}

const isTerminal = (p: Phase | undefined): boolean => p === "Succeeded" || p === "Failed";

/** initCheckpointOf resolves where an RLJob starts: its SFTJob's final checkpoint or initFrom.checkpoint. */
function initCheckpointOf(job: TemperJob, observed: Observed): string | undefined {
  if (job.kind !== "RLJob") return undefined;
  if (job.obj.spec.initFrom.checkpoint !== undefined) return job.obj.spec.initFrom.checkpoint;
  return observed.sftJob?.found === true ? observed.sftJob.checkpoint : undefined;
}

/** decideFinished keeps a finished job's status (conditions at the new generation) and deletes its children once ttlSecondsAfterFinished has passed. */
function decideFinished(job: TemperJob, observed: Observed, nowMs: number, s: AnyStatus): Decision {
  const prev = job.status;
  const ttl = job.obj.spec.ttlSecondsAfterFinished;
  const done = prev.completionTime === undefined ? nowMs : Date.parse(prev.completionTime);
  const actions: Action[] = [];
  const events: JobEvent[] = [];
  let requeue: number | undefined;
  if (ttl !== undefined && observed.hasChildren) {
    const left = done + ttl * 1000 - nowMs;
    if (left <= 0) {
      actions.push({ type: "deleteChildren" });
      events.push({ type: "Normal", reason: R.ChildrenDeleted, message: `Deleted children ${ttl}s after the job finished; the job record is kept` });
    } else requeue = left;
  }
  s.observedGeneration = job.generation;
  s.conditions = (prev.conditions ?? []).map((c) => ({ ...c, observedGeneration: job.generation }));
  return { status: s, actions, events, ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}) };
}

/** sftJobWait is why an RLJob initialised from an SFTJob cannot start yet (stalled when only a person can fix it), or undefined when it can. */
function sftJobWait(job: TemperJob, observed: Observed): { reason: Reason; message: string; stalled: boolean } | undefined {
  if (job.kind !== "RLJob" || job.obj.spec.initFrom.sftJob === undefined) return undefined;
  const sft = job.obj.spec.initFrom.sftJob;
  const o = observed.sftJob;
  if (o === undefined || !o.found) return { reason: R.SFTJobNotFound, message: `SFTJob ${sft} does not exist in namespace ${job.namespace}; create it or fix spec.initFrom.sftJob`, stalled: true };
  if (o.phase === "Failed") return { reason: R.SFTJobFailed, message: `SFTJob ${sft} failed; this RLJob cannot start from it`, stalled: true };
  if (o.phase !== "Succeeded") return { reason: R.WaitingForSFTJob, message: `Waiting for SFTJob ${sft} to succeed (phase ${o.phase ?? "Pending"})`, stalled: false };
  if (o.checkpoint === undefined) return { reason: R.WaitingForSFTJob, message: `SFTJob ${sft} succeeded but reported no checkpoint yet`, stalled: false };
  return undefined;
}

/** resumeOf is where a new attempt starts: the latest checkpoint, and the RLJob's initial checkpoint. */
function resumeOf(job: TemperJob, observed: Observed): { resumeFrom?: string; initCheckpoint?: string } {
  const init = initCheckpointOf(job, observed);
  return { ...(job.status.latestCheckpoint !== undefined ? { resumeFrom: job.status.latestCheckpoint } : {}), ...(init !== undefined ? { initCheckpoint: init } : {}) };
}

/** gangHealth is when the current attempt last made progress, its progress deadline, and what is wrong with it if a worker failed or it hung. */
function gangHealth(job: TemperJob, observed: Observed, cur: Observed["attempts"][number], nowMs: number): { deadlineMs: number; progressAt: number; trouble?: { reason: Reason; why: string; final?: boolean } } {
  const { failurePolicy } = job.obj.spec;
  const deadlineMs = failurePolicy.progressDeadlineSeconds * 1000;
  // Reports are the progress signal once a trainer sends them; until then, the pods' own transitions.
  const signal = observed.lastProgress ?? observed.pods?.lastActivity;
  const progressAt = Math.max(Date.parse(cur.created), signal === undefined ? 0 : Date.parse(signal));
  const failed = cur.failed > 0 || cur.failedCondition || (observed.pods?.failed ?? 0) > 0;
  const hung = !failed && !cur.complete && nowMs - progressAt > deadlineMs;
  // A worker that says its node cannot run the job is not retried: the next gang would meet nodes set up the same way.
  const unrunnable = observed.pods?.unrunnable;
  if (unrunnable !== undefined) return { deadlineMs, progressAt, trouble: { reason: R.Unrunnable, why: `a worker of attempt ${cur.attempt} cannot run on its node: ${unrunnable}`, final: true } };
  if (failed) return { deadlineMs, progressAt, trouble: { reason: R.PodFailed, why: `a worker of attempt ${cur.attempt} failed` } };
  if (hung) return { deadlineMs, progressAt, trouble: { reason: R.ProgressDeadlineExceeded, why: `attempt ${cur.attempt} made no progress for ${failurePolicy.progressDeadlineSeconds}s` } };
  return { deadlineMs, progressAt };
}

/** decide computes the next status and actions of job. now is RFC 3339; nowMs the same instant in ms. */
export function decide(job: TemperJob, observed: Observed, now: string): Decision {
  const nowMs = Date.parse(now);
  const spec = job.obj.spec;
  const prev = job.status;
  const gen = job.generation;
  const s: AnyStatus = structuredClone(prev);
  s.observedGeneration = gen;
  const actions: Action[] = [];
  const events: JobEvent[] = [];
  const finish = (phase: Phase, c: Conds, message: string, requeueAfterMs?: number): Decision => {
    s.phase = phase;
    s.message = message;
    s.conditions = withConditions(prev.conditions, c, gen, now);
    return { status: s, actions, events, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  };
  const live = observed.attempts.filter((a) => !a.deleting);
  const maxSeen = observed.attempts.reduce((m, a) => Math.max(m, a.attempt), 0);
  let attempt = Math.max(prev.attempt ?? 0, maxSeen);
  const older = (n: number): number[] => live.filter((a) => a.attempt !== n).map((a) => a.attempt);

  // 1. Terminal phases are sticky: only the TTL of the children is left to act on.
  if (isTerminal(prev.phase)) return decideFinished(job, observed, nowMs, s);

  // 2. Suspended: remove the gang, keep status (checkpoint, epoch) for the resume.
  if (spec.suspend) {
    if (live.length > 0) actions.push({ type: "deleteAttempts", attempts: live.map((a) => a.attempt) });
    if (prev.phase !== "Suspended") events.push({ type: "Normal", reason: R.Suspended, message: "Suspended: deleted the gang; progress is kept" });
    return finish("Suspended", { ready: [false, R.Suspended, "spec.suspend is true"], reconciling: [false, R.Suspended, ""], stalled: [false, R.Suspended, ""] }, "Suspended; set spec.suspend to false to resume from the latest checkpoint");
  }

  // 3. An RLJob initialised from an SFTJob waits for it before its first attempt.
  const blocked = attempt === 0 ? sftJobWait(job, observed) : undefined;
  if (blocked !== undefined) {
    const { reason, message, stalled } = blocked;
    if (getCondition(prev.conditions, stalled ? C.Stalled : C.Reconciling)?.reason !== reason) events.push({ type: stalled ? "Warning" : "Normal", reason, message });
    return finish("Pending", { ready: [false, reason, message], reconciling: [!stalled, reason, message], stalled: [stalled, reason, stalled ? message : ""] }, message);
  }
  const starting = (n: number, reason: Reason, message: string): Decision => {
    s.attempt = n;
    s.restarts = s.restarts ?? 0;
    s.startTime = s.startTime ?? now;
    if (job.kind === "RLJob" && s.temperature?.current === undefined) s.temperature = { ...s.temperature, current: initialTemperature(job.obj.spec) };
    return finish("Pending", { ready: [false, reason, message], reconciling: [true, reason, message], stalled: [false, reason, ""] }, message);
  };

  // 4. No gang yet, or resuming after suspend: start the next attempt.
  const cur = live.find((a) => a.attempt === attempt);
  if (attempt === 0 || (cur === undefined && prev.phase === "Suspended")) {
    attempt += 1;
    const old = older(attempt);
    if (old.length > 0) actions.push({ type: "deleteAttempts", attempts: old });
    actions.push({ type: "createGang", attempt, ...resumeOf(job, observed) });
    const msg = prev.phase === "Suspended" ? `Resumed with attempt ${attempt}` : `Created gang attempt ${attempt} with ${spec.workers} workers`;
    events.push({ type: "Normal", reason: R.GangCreated, message: msg });
    return starting(attempt, R.GangCreated, msg);
  }
  // The current attempt's Job vanished (deleted by hand, or a crash between steps): recreate it.
  if (cur === undefined) {
    actions.push({ type: "createGang", attempt, ...resumeOf(job, observed) });
    events.push({ type: "Normal", reason: R.GangCreated, message: `Recreated missing gang of attempt ${attempt}` });
    return starting(attempt, R.GangCreated, `Recreated gang attempt ${attempt}`);
  }

  // 5. Failure or a hung gang: replace the whole gang, or give up when the budget is spent.
  const { deadlineMs, progressAt, trouble } = gangHealth(job, observed, cur, nowMs);
  if (trouble !== undefined) {
    const { reason, why } = trouble;
    const restarts = s.restarts ?? 0;
    if (restarts >= spec.failurePolicy.maxRestarts || trouble.final === true) {
      actions.push({ type: "deleteAttempts", attempts: live.map((a) => a.attempt) });
      const gaveUp = trouble.final === true ? reason : R.RestartLimitExceeded;
      const msg = trouble.final === true ? `Failed: ${why}` : `Failed: ${why} and failurePolicy.maxRestarts (${spec.failurePolicy.maxRestarts}) is spent`;
      events.push({ type: "Warning", reason: gaveUp, message: msg });
      s.completionTime = now;
      return finish("Failed", {
        ready: [false, gaveUp, msg], reconciling: [false, gaveUp, ""], stalled: [true, gaveUp, msg],
        succeeded: [false, gaveUp, ""], failed: [true, gaveUp, msg],
      }, msg, spec.ttlSecondsAfterFinished !== undefined ? spec.ttlSecondsAfterFinished * 1000 : undefined);
    }
    const next = attempt + 1;
    s.restarts = restarts + 1;
    actions.push({ type: "deleteAttempts", attempts: live.map((a) => a.attempt) });
    actions.push({ type: "createGang", attempt: next, ...resumeOf(job, observed) });
    const msg = `Replaced the gang: ${why}; attempt ${next} resumes from ${prev.latestCheckpoint ?? "the start"}`;
    events.push({ type: "Warning", reason, message: msg });
    return starting(next, reason, msg);
  }

  // 6. The gang finished every epoch.
  if (cur.complete || cur.succeeded >= spec.workers) {
    s.completionTime = now;
    const msg = `Completed after ${s.epoch ?? 0} epochs in ${attempt} attempt(s)`;
    events.push({ type: "Normal", reason: R.Completed, message: msg });
    return finish("Succeeded", {
      ready: [true, R.Completed, msg], reconciling: [false, R.Completed, ""], stalled: [false, R.Completed, ""],
      succeeded: [true, R.Completed, msg], failed: [false, R.Completed, ""],
    }, msg, spec.ttlSecondsAfterFinished !== undefined ? spec.ttlSecondsAfterFinished * 1000 : undefined);
  }

  // 7. Running or still starting; look again when the progress deadline would pass.
  const wakeIn = Math.max(1000, progressAt + deadlineMs - nowMs + 1000);
  if (cur.ready >= spec.workers) {
    const msg = `Attempt ${attempt}: ${spec.workers}/${spec.workers} workers running`;
    if (prev.phase !== "Running") events.push({ type: "Normal", reason: R.GangRunning, message: msg });
    return finish("Running", { ready: [true, R.GangRunning, msg], reconciling: [false, R.GangRunning, ""], stalled: [false, R.GangRunning, ""] }, msg, wakeIn);
  }
  const unschedulable = observed.pods?.unschedulable;
  if (unschedulable !== undefined) {
    const why = `Attempt ${attempt}: workers cannot be scheduled: ${unschedulable}`;
    if (getCondition(prev.conditions, C.Reconciling)?.reason !== R.Unschedulable) events.push({ type: "Warning", reason: R.Unschedulable, message: why });
    return finish("Pending", { ready: [false, R.Unschedulable, why], reconciling: [true, R.Unschedulable, why], stalled: [false, R.Unschedulable, ""] }, why, wakeIn);
  }
  const msg = `Attempt ${attempt}: ${cur.ready}/${spec.workers} workers ready`;
  return finish("Pending", { ready: [false, R.GangStarting, msg], reconciling: [true, R.GangStarting, msg], stalled: [false, R.GangStarting, ""] }, msg, wakeIn);
}
