// temperature-policy: the one definition of how an RLJob's sampling temperature is chosen —
// for the first epoch, after each reported epoch, and on resume. The operator calls it when a
// report arrives; the standalone trainer (`temper-trainer rl` with no operator) calls the same
// functions at each epoch end, so a job behaves the same with and without the operator. Pure:
// no clock, client or logger. Fixed and Schedule are exact. EntropyTarget solves H(T) = target on
// the H(T′) curve the trainer re-measured on the epoch's own rollouts (api/entropy-curve.ts), holds
// inside the tolerance band, and falls back to a damped step in log T when no curve came; every
// decision is clamped to maxStep and [min, max] and names its method and numbers in its reason.
import { entropyAt, extrapolate, fitCurve, invert, type Curve } from "./entropy-curve.ts";
import type { EpochReport } from "./report.ts";
import type { DecisionMethod, HistoryEntry, RLJobSpec, RLJobStatus } from "./rljob.ts";

/** Decision is the temperature for the next epoch, how it was chosen and why. */
export interface Decision {
  temperature: number;
  method: DecisionMethod;
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
  if (t.policy === "Fixed") return { temperature: t.initial, method: "Fixed", reason: `Fixed policy keeps temperature ${t.initial}` };
  if (t.policy === "Schedule") {
    const next = globalEpochAfter(spec, report);
    const entry = scheduledEntry(t, next);
    if (entry === undefined) return { temperature: t.initial, method: "Schedule", reason: `Schedule has no entry at or before epoch ${next}; kept initial ${t.initial}` };
    return { temperature: round4(clamp(entry.temperature, t.min, t.max)), method: "Schedule", reason: `Schedule sets ${entry.temperature} from epoch ${entry.epoch} (next epoch ${next})` };
  }
  return entropyTarget(t, history, report, currentTemperature(spec, history, report));
}

/** Wish is where a method would take T before maxStep and [min, max] have their say. */
interface Wish {
  method: "SolvedOnCurve" | "Extrapolated" | "DampedLogStep" | "Bracketed";
  temperature: number;
  /** why is the method's own account: "solved on curve: …", with the numbers it used. */
  why: string;
}

/**
 * entropyTarget is the EntropyTarget policy. Inside the band it holds; otherwise it solves on
 * the curve when the report has one (two or more temperatures, the measured T among them),
 * else takes a damped step in log T. When the stage's last epochs measured the entropy on both
 * sides of the band, the answer is kept between them (bracketed). The curve is this epoch's
 * alone, and history is read only for the bracket and only within the reported stage, so a new
 * stage — whose longer responses change the entropy — is solved from its own first measurement.
 */
function entropyTarget(t: TemperatureSpec, history: HistoryEntry[], report: EpochReport, current: number): Decision {
  const h = report.entropy;
  if (h === undefined) return { temperature: step(t, current, current).temperature, method: "NoEntropy", reason: "No entropy reported; held temperature" };
  const fresh = history.length > 0 && history.at(-1)?.stage !== report.stage ? `; first epoch of stage ${report.stage}, decided from its own measurement` : "";
  const curve = fitCurve(report.entropyCurve ?? [], current, h);
  if (Math.abs(h - t.targetEntropy) <= t.tolerance) {
    // Off-centre in the band (beyond a quarter of the tolerance) the entropy is drifting out as
    // the policy sharpens: re-centre, by the more cautious of two estimates (recentred).
    const recentre = Math.abs(h - t.targetEntropy) > t.tolerance / 4 ? recentred(t, history, report.stage, current, h, curve) : undefined;
    if (recentre !== undefined) {
      const d = step(t, current, recentre.temperature);
      return { temperature: d.temperature, method: "SolvedOnCurve", reason: `re-centred in band: H(${fmt(current)})=${fmt(h)} off-centre in the band around ${t.targetEntropy}; ${recentre.why}; ${moved(current, d.temperature, d.limit, t.maxStep)}${fresh}` };
    }
    const held = step(t, current, current).temperature;
    return { temperature: held, method: "HeldInBand", reason: `held in band: H(${fmt(current)})=${fmt(h)} within ${t.tolerance} of target ${t.targetEntropy}; held temperature ${fmt(held)}${fresh}` };
  }
  const wish = curve === undefined ? dampedLogStep(t, current, h) : onCurve(t, curve, current);
  return decide(t, current, h, bracketed(t, wish, excursion(t, history, report.stage, current, h), curve), curve, fresh);
}

/**
 * recentred is where to move T from inside the band. Two estimates may say: H(T) = target
 * solved on this epoch's curve, and the secant in ln T to the closest of this stage's last
 * bracketEpochs epochs measured on the target's other side. Either can be fooled (the curve
 * between its points, the secant by a kink between its ends), so the smaller move wins: from
 * inside the band, the cautious estimate is the one that cannot throw T out of it as far.
 * Undefined when neither says.
 */
function recentred(t: TemperatureSpec, history: HistoryEntry[], stage: string, current: number, h: number, curve: Curve | undefined): { temperature: number; why: string } | undefined {
  const target = t.targetEntropy;
  const found: { temperature: number; why: string }[] = [];
  const solved = curve === undefined ? undefined : invert(curve, target, current);
  if (solved !== undefined) found.push({ temperature: solved, why: `solved on curve: H(${fmt(solved)})=${target}` });
  const recent = history.slice(-bracketEpochs).filter((e) => e.stage === stage && e.method !== "NoEntropy" && e.temperature !== current && Math.sign(e.entropy - target) === -Math.sign(h - target));
  const distance = (x: number) => Math.abs(Math.log(x / current));
  const other = recent.sort((a, b) => distance(a.temperature) - distance(b.temperature))[0];
  if (other !== undefined && (other.entropy - h) * (other.temperature - current) > 0) {
    const temperature = Math.exp(Math.log(current) + ((target - h) * Math.log(other.temperature / current)) / (other.entropy - h));
    found.push({ temperature, why: `the secant to H(${fmt(other.temperature)})=${fmt(other.entropy)} puts the target at T ${fmt(temperature)}` });
  }
  return found.sort((a, b) => distance(a.temperature) - distance(b.temperature))[0];
}

/** Measured is one epoch's temperature and the entropy measured at it. */
interface Measured {
  t: number;
  h: number;
}

/** bracketEpochs bounds the epochs before the reported one that may bracket the target: few, since the curve moves as the policy learns. */
export const bracketEpochs = 4;

/**
 * excursion is the reported epoch and the epochs just before it in the same stage that were
 * outside the band too (at most bracketEpochs of them): the current approach to the band, as
 * (T, H). An epoch inside the band ends it, so a bracket never outlives a landing.
 */
function excursion(t: TemperatureSpec, history: HistoryEntry[], stage: string, current: number, h: number): Measured[] {
  const out: Measured[] = [{ t: current, h }];
  for (let i = history.length - 1; i >= 0 && out.length <= bracketEpochs; i--) {
    const e = history[i];
    if (e.stage !== stage || e.method === "NoEntropy" || Math.abs(e.entropy - t.targetEntropy) <= t.tolerance) break;
    out.push({ t: e.temperature, h: e.entropy });
  }
  return out;
}

/**
 * bracketed keeps a wish between the closest epochs of this excursion measured below and above
 * the band, when there are both and the one below is at the lower T (the entropy is monotone in
 * T, so the target lies between them). Inside a bracket the secant between those two measured
 * points in ln T decides, unless the curve has a point of its own inside the bracket (it is then
 * the more local of the two) and its wish lies inside too. So an interpolant fooled by a kink
 * between its points, or a step that would repeat an overshoot, cannot cross the band again.
 */
function bracketed(t: TemperatureSpec, wish: Wish, epochs: Measured[], curve: Curve | undefined): Wish {
  const target = t.targetEntropy;
  const below = epochs.filter((e) => e.h < target - t.tolerance).sort((a, b) => b.t - a.t)[0];
  const above = epochs.filter((e) => e.h > target + t.tolerance).sort((a, b) => a.t - b.t)[0];
  if (below === undefined || above === undefined || !(below.t < above.t)) return wish;
  const inside = (x: number) => x > below.t && x < above.t;
  if (curve !== undefined && curve.t.some(inside) && inside(wish.temperature)) return wish;
  const u = Math.log(below.t) + ((target - below.h) * Math.log(above.t / below.t)) / (above.h - below.h);
  const temperature = Math.exp(u);
  const why = `bracketed: H(${fmt(below.t)})=${fmt(below.h)} and H(${fmt(above.t)})=${fmt(above.h)} in this stage's last epochs put the target between them; ${describeMethod(wish.method)} gave T ${fmt(wish.temperature)}; the secant in ln T gives T ${fmt(temperature)}`;
  return { method: "Bracketed", temperature, why };
}

const describeMethod = (m: Wish["method"]) => ({ SolvedOnCurve: "the curve", Extrapolated: "extrapolation", DampedLogStep: "the damped step", Bracketed: "the bracket" })[m];

/** onCurve solves H(T) = target on the fitted curve, or extrapolates past its end when the target lies beyond it. */
function onCurve(t: TemperatureSpec, c: Curve, current: number): Wish {
  const target = t.targetEntropy;
  const span = `${c.t.length} points, T ${fmt(c.t[0])}..${fmt(c.t.at(-1) ?? 0)}, H ${fmt(c.f[0])}..${fmt(c.f.at(-1) ?? 0)}`;
  const solved = invert(c, target, current);
  if (solved !== undefined) return { method: "SolvedOnCurve", temperature: solved, why: `solved on curve: H(${fmt(solved)})=${target} (${span})` };
  const x = extrapolate(c, target);
  const end = x.up ? "top" : "bottom";
  const slope = x.slope > 0 ? `end slope dH/dlnT ${fmt(x.slope)}` : `flat ${end}`;
  const capped = x.capped ? ", capped half the curve's span beyond it" : "";
  return { method: "Extrapolated", temperature: x.temperature, why: `extrapolated: target ${target} ${x.up ? "above" : "below"} the curve's ${end} H(${fmt(x.from)})=${fmt(x.fromEntropy)}; ${slope} gives T ${fmt(x.temperature)}${capped} (${span})` };
}

/** dampedLogStepGain is the fraction of the log-T step an elasticity-1 model asks for: ln T moves by gain·ln(target/H). */
export const dampedLogStepGain = 0.5;

/**
 * dampedLogStep is the fallback when no curve came: ln T moves by gain·ln(target/H), the Newton
 * step for H ∝ T² — so it never overshoots a curve with d ln H / d ln T ≤ 2 and halves the log
 * of the error where H ∝ T. A steeper curve may be overshot once; the bracket then decides.
 */
function dampedLogStep(t: TemperatureSpec, current: number, h: number): Wish {
  const du = dampedLogStepGain * Math.log(t.targetEntropy / Math.max(h, 1e-9));
  const temperature = current * Math.exp(du);
  return { method: "DampedLogStep", temperature, why: `damped log-T step (no curve): ln T += ${dampedLogStepGain}·ln(${t.targetEntropy}/${fmt(h)}) = ${fmt(du)} gives T ${fmt(temperature)}` };
}

/**
 * decide applies maxStep and [min, max] to a wish and writes the reason. The target is
 * unreachable when the wish lies past the bound in the error's direction and the entropy at
 * that bound is known to be outside the band on the same side: measured, because this epoch ran
 * at the bound, or read off the curve, because the curve reaches it.
 */
function decide(t: TemperatureSpec, current: number, h: number, wish: Wish, curve: Curve | undefined, fresh: string): Decision {
  const next = step(t, current, wish.temperature);
  const up = h < t.targetEntropy;
  const bound = up ? t.max : t.min;
  const name = up ? "max" : "min";
  const atBound = up ? current >= bound : current <= bound;
  const beyond = up ? wish.temperature > bound : wish.temperature < bound;
  const hb = !beyond ? undefined : atBound ? h : curve !== undefined ? entropyAt(curve, bound) : undefined;
  const move = moved(current, next.temperature, next.limit, t.maxStep);
  const observed = `H(${fmt(current)})=${fmt(h)} ${up ? "below" : "above"} target ${t.targetEntropy}`;
  if (hb !== undefined && (up ? hb < t.targetEntropy - t.tolerance : hb > t.targetEntropy + t.tolerance)) {
    const source = atBound ? "" : " on the curve";
    const toward = next.temperature === bound ? "" : ` toward ${name}`;
    return { temperature: next.temperature, method: "Unreachable", reason: `unreachable: at ${name} ${bound}, H(${bound})=${fmt(hb)} ${up ? "<" : ">"} target ${t.targetEntropy}${source}; ${move}${toward}${fresh}` };
  }
  return { temperature: next.temperature, method: wish.method, reason: `${wish.why}; ${observed}; ${move}${fresh}` };
}

/** Step is a next temperature and the bound that stopped it short of the wish, if any. */
interface Step {
  temperature: number;
  limit?: "maxStep" | "min" | "max";
}

/**
 * step moves from current toward wanted by at most maxStep, inside [min, max] (when current lies
 * outside [min, max] by more than maxStep, the bounds win), rounded to 4 decimals without leaving
 * either interval.
 */
function step(t: TemperatureSpec, current: number, wanted: number): Step {
  let lo = Math.max(t.min, current - t.maxStep);
  let hi = Math.min(t.max, current + t.maxStep);
  if (lo > hi) lo = hi = clamp(current, t.min, t.max);
  const x = clamp(wanted, lo, hi);
  let r = round4(x);
  if (r > hi + 1e-12) r = Math.floor(hi * 1e4) / 1e4;
  if (r < lo - 1e-12) r = Math.ceil(lo * 1e4) / 1e4;
  if (r > hi + 1e-12 || r < lo - 1e-12) r = x;
  const limit = wanted > hi ? (hi === t.max ? "max" : "maxStep") : wanted < lo ? (lo === t.min ? "min" : "maxStep") : undefined;
  return { temperature: r, ...(limit !== undefined ? { limit } : {}) };
}

/** moved says what happened to T: "raised 0.6 -> 0.7 (maxStep 0.1)", "lowered 0.4 -> 0.3 (at min)", "held at 1.5". */
function moved(from: number, to: number, limit: Step["limit"], maxStep: number): string {
  const why = limit === "maxStep" ? ` (maxStep ${maxStep})` : limit !== undefined ? ` (at ${limit})` : "";
  if (to === from) return `held at ${fmt(to)}`;
  return `${to > from ? "raised" : "lowered"} ${fmt(from)} -> ${fmt(to)}${why}`;
}

function fmt(x: number): string {
  return String(round4(x));
}
