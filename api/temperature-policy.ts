// temperature-policy: the one definition of how an RLJob's sampling temperature is chosen —
// for the first epoch, after each reported epoch, and on resume. The operator calls it when a
// report arrives; the standalone trainer (`temper-trainer rl` with no operator) calls the same
// functions at each epoch end, so a job behaves the same with and without the operator. Pure:
// no clock, client or logger. Fixed and Schedule are exact; EntropyTarget is a proportional
// step (move by the entropy error, clamped by maxStep and [min, max], hold within tolerance).
import type { EpochReport } from "./report.ts";
import type { HistoryEntry, RLJobSpec, RLJobStatus } from "./rljob.ts";

/** Decision is the temperature for the next epoch and why it was chosen. */
export interface Decision {
  temperature: number;
  reason: string;
}

/** EpochPosition names an epoch by its stage and its 1-based index within the stage. */
export interface EpochPosition {
  stageIndex: number;
  epoch: number;
}

type TemperatureSpec = RLJobSpec["temperature"];

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
/** round4 keeps temperatures readable in status and stable across replays. */
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * globalEpochAfter is the 0-based global index of the epoch that follows `at` — equally, how
 * many epochs have finished once `at` has — counting every epoch of the earlier stages. It is
 * the one place the global epoch is computed: Schedule entries and checkpoint cadence use it.
 */
export function globalEpochAfter(job: { stages: readonly { epochs: number }[] }, at: EpochPosition): number {
  let before = 0;
  for (let i = 0; i < at.stageIndex && i < job.stages.length; i++) before += job.stages[i].epochs;
  return before + at.epoch;
}

/** scheduledEntry is the Schedule entry in force at a global epoch: the last one starting at or before it. */
function scheduledEntry(t: TemperatureSpec, globalEpoch: number) {
  return [...(t.schedule ?? [])].sort((a, b) => a.epoch - b.epoch).filter((e) => e.epoch <= globalEpoch).at(-1);
}

/** initialTemperature is the temperature of the job's first epoch: initial, or a Schedule entry for epoch 0. */
export function initialTemperature(spec: RLJobSpec): number {
  const t = spec.temperature;
  const entry = t.policy === "Schedule" ? scheduledEntry(t, 0) : undefined;
  return entry === undefined ? t.initial : round4(clamp(entry.temperature, t.min, t.max));
}

/** resumeTemperature is the temperature a new gang starts sampling at: the last decision in status, else the first epoch's. */
export function resumeTemperature(spec: RLJobSpec, status: Pick<RLJobStatus, "temperature">): number {
  return status.temperature?.current ?? initialTemperature(spec);
}

/** currentTemperature is the temperature the reported epoch ran at: the report's, else the last decision, else the first epoch's. */
export function currentTemperature(spec: RLJobSpec, history: HistoryEntry[], report: Pick<EpochReport, "temperature">): number {
  return report.temperature ?? history.at(-1)?.nextTemperature ?? initialTemperature(spec);
}

/** nextTemperature decides the sampling temperature of the epoch after report. */
export function nextTemperature(spec: RLJobSpec, history: HistoryEntry[], report: EpochReport): Decision {
  const t = spec.temperature;
  if (t.policy === "Fixed") return { temperature: t.initial, reason: `Fixed policy keeps temperature ${t.initial}` };
  if (t.policy === "Schedule") {
    const next = globalEpochAfter(spec, report);
    const entry = scheduledEntry(t, next);
    if (entry === undefined) return { temperature: t.initial, reason: `Schedule has no entry at or before epoch ${next}; kept initial ${t.initial}` };
    return { temperature: round4(clamp(entry.temperature, t.min, t.max)), reason: `Schedule sets ${entry.temperature} from epoch ${entry.epoch} (next epoch ${next})` };
  }
  const current = currentTemperature(spec, history, report);
  if (report.entropy === undefined) return { temperature: round4(clamp(current, t.min, t.max)), reason: "No entropy reported; held temperature" };
  const error = t.targetEntropy - report.entropy;
  if (Math.abs(error) <= t.tolerance) {
    return { temperature: round4(clamp(current, t.min, t.max)), reason: `Entropy ${fmt(report.entropy)} within ${t.tolerance} of target ${t.targetEntropy}; held temperature` };
  }
  const step = clamp(error, -t.maxStep, t.maxStep);
  const next = round4(clamp(current + step, t.min, t.max));
  const dir = next > current ? "Raised" : next < current ? "Lowered" : "Held";
  const bound = next === t.max ? " (at max)" : next === t.min ? " (at min)" : "";
  return { temperature: next, reason: `${dir} temperature ${fmt(current)} -> ${fmt(next)}${bound}: entropy ${fmt(report.entropy)} ${error > 0 ? "below" : "above"} target ${t.targetEntropy}` };
}

function fmt(x: number): string {
  return String(round4(x));
}
