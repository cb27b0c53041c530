// temperature: the pure decision of the RL sampling temperature for the next epoch, from the
// job's temperature spec, the recorded history and the epoch report just received. Fixed and
// Schedule are exact; EntropyTarget is a simple proportional step (move by the entropy error,
// clamped by maxStep and [min, max], hold within tolerance). No clock, client or logger here.
import type { EpochReport } from "../api/report.ts";
import type { HistoryEntry, RLJobSpec } from "../api/rljob.ts";

/** Decision is the temperature for the next epoch and why it was chosen. */
export interface Decision {
  temperature: number;
  reason: string;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
/** round4 keeps temperatures readable in status and stable across replays. */
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** globalEpochAfter is the 0-based global index of the epoch that follows report (stages counted in order). */
export function globalEpochAfter(spec: RLJobSpec, report: Pick<EpochReport, "stageIndex" | "epoch">): number {
  let before = 0;
  for (let i = 0; i < report.stageIndex && i < spec.stages.length; i++) before += spec.stages[i].epochs;
  return before + report.epoch;
}

/** currentTemperature is the temperature the reported epoch ran at: the report's, else the last decision, else initial. */
export function currentTemperature(spec: RLJobSpec, history: HistoryEntry[], report: Pick<EpochReport, "temperature">): number {
  return report.temperature ?? history.at(-1)?.nextTemperature ?? spec.temperature.initial;
}

/** nextTemperature decides the sampling temperature of the epoch after report. */
export function nextTemperature(spec: RLJobSpec, history: HistoryEntry[], report: EpochReport): Decision {
  const t = spec.temperature;
  if (t.policy === "Fixed") return { temperature: t.initial, reason: `Fixed policy keeps temperature ${t.initial}` };
  if (t.policy === "Schedule") {
    const next = globalEpochAfter(spec, report);
    const entry = [...(t.schedule ?? [])].sort((a, b) => a.epoch - b.epoch).filter((e) => e.epoch <= next).at(-1);
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
