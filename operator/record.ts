// record: the pure part of the report endpoint — whether a report is a replay, and the status
// that records a new one (epoch, checkpoint, metrics, RL temperature history). No I/O here.
import { conditionTypes as C, reasons as R } from "../api/conditions.ts";
import type { EpochReport, ReportReply } from "../api/report.ts";
import { historyLimit, type HistoryEntry, type RLJobSpec } from "../api/rljob.ts";
import { checkpointClaimName, checkpointUri } from "./checkpoint-uri.ts";
import { getCondition, setCondition } from "./conditions.ts";
import type { JobEvent } from "./decide.ts";
import type { AnyStatus, TemperJob } from "./job.ts";
import { currentTemperature, nextTemperature } from "../api/temperature-policy.ts";

/** Recorded is what recording a report yields: the reply, the status to write (absent for a replay) and the Events to record once it is written. */
export interface Recorded {
  reply: ReportReply;
  status?: AnyStatus;
  events: JobEvent[];
}

/** replayOf finds the reply already given to (attempt, stage, epoch), if any. */
export function replayOf(job: TemperJob, r: EpochReport): ReportReply | undefined {
  if (job.kind === "RLJob") {
    const h = job.status.temperature?.history?.find((e) => e.attempt === r.attempt && e.stage === r.stage && e.epoch === r.epoch);
    return h === undefined ? undefined : { temperature: h.nextTemperature, reason: h.reason, replay: true };
  }
  const s = job.status;
  if (s.stage === r.stage && s.epoch === r.epoch && (r.checkpoint === undefined || s.latestCheckpoint === checkpointUri(r.checkpoint, checkpointClaimName(job)))) {
    return { reason: `Already recorded epoch ${r.epoch}`, replay: true };
  }
  return undefined;
}

/**
 * sandboxDegraded sets the SandboxDegraded condition from a report's sandbox field (now is when
 * it changes) and returns the Event of a change: a Warning when code starts running unisolated,
 * a Normal one when it is isolated again. A report without the field changes nothing.
 */
export function sandboxDegraded(job: TemperJob, s: AnyStatus, r: EpochReport, now: string): JobEvent[] {
  if (r.sandbox === undefined) return [];
  const was = getCondition(s.conditions, C.SandboxDegraded)?.status;
  const degraded = r.sandbox.isolation === "None";
  const message = degraded
    ? `Attempt ${r.attempt}: code rollouts run without network isolation, so a solution can open sockets from the trainer's pod: ${r.sandbox.reason ?? "no reason given"}`.slice(0, 1024)
    : `Attempt ${r.attempt}: code rollouts run in a network namespace with no interfaces`;
  s.conditions = setCondition(s.conditions ?? [], C.SandboxDegraded, degraded ? "True" : "False", degraded ? R.NetworkNotIsolated : R.NetworkIsolated, message, job.generation, now);
  if (degraded && was !== "True") {
    const fix = job.kind === "RLJob" ? "allow unprivileged user namespaces on the nodes, or set spec.reward.code.isolation to Required to fail instead" : "allow unprivileged user namespaces on the nodes";
    return [{ type: "Warning", reason: R.NetworkNotIsolated, message: `${message}; ${fix}` }];
  }
  return !degraded && was === "True" ? [{ type: "Normal", reason: R.NetworkIsolated, message }] : [];
}

/** recordReport returns the status recording r, the reply to send and the Events to record; now (RFC 3339) stamps a changed condition. */
export function recordReport(job: TemperJob, r: EpochReport, now: string): Recorded {
  const replay = replayOf(job, r);
  if (replay !== undefined) return { reply: replay, events: [] };
  const s: AnyStatus = structuredClone(job.status);
  const events = sandboxDegraded(job, s, r, now);
  s.stage = r.stage;
  s.epoch = r.epoch;
  s.epochs = r.epochs;
  if (r.checkpoint !== undefined) s.latestCheckpoint = checkpointUri(r.checkpoint, checkpointClaimName(job));
  const m = { ...(s.metrics ?? {}) };
  if (r.loss !== undefined) m.loss = r.loss;
  if (r.accuracy !== undefined) m.accuracy = r.accuracy;
  if (r.testAccuracy !== undefined) m.testAccuracy = r.testAccuracy;
  if (r.reward !== undefined) m.reward = r.reward;
  if (r.tokensPerSecond !== undefined) m.tokensPerSecond = r.tokensPerSecond;
  s.metrics = m;
  if (job.kind === "SFTJob") {
    return { status: s, events, reply: { reason: `Recorded epoch ${r.epoch}/${r.epochs}`, replay: false } };
  }
  s.stageIndex = r.stageIndex;
  const spec: RLJobSpec = job.obj.spec;
  const history = s.temperature?.history ?? [];
  const d = nextTemperature(spec, history, r);
  const entry: HistoryEntry = {
    stage: r.stage,
    epoch: r.epoch,
    attempt: r.attempt,
    temperature: currentTemperature(spec, history, r),
    entropy: r.entropy ?? 0,
    ...(r.reward !== undefined ? { reward: r.reward } : {}),
    ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}),
    ...(r.responseLength !== undefined ? { responseLength: r.responseLength } : {}),
    ...(r.truncationRate !== undefined ? { truncationRate: r.truncationRate } : {}),
    nextTemperature: d.temperature,
    method: d.method,
    reason: d.reason,
  };
  s.temperature = {
    current: d.temperature,
    ...(r.entropy !== undefined ? { entropy: r.entropy } : s.temperature?.entropy !== undefined ? { entropy: s.temperature.entropy } : {}),
    history: [...history, entry].slice(-historyLimit),
  };
  return { status: s, events, reply: { temperature: d.temperature, reason: d.reason, replay: false } };
}
