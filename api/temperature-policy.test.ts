import assert from "node:assert/strict";
import { test } from "node:test";
import { EpochReport } from "./report.ts";
import type { HistoryEntry } from "./rljob.ts";
import { rlJob } from "../test/operator/builders.ts";
import { globalEpochAfter, initialTemperature, nextTemperature, resumeTemperature } from "./temperature-policy.ts";
import { trainerDefaults } from "../trainer/defaults.ts";

const report = (p: Record<string, unknown>) => EpochReport.parse({ attempt: 1, stage: "s1", epoch: 1, epochs: 2, ...p });
const specWith = (temperature: Record<string, unknown>, stages?: unknown[]) => {
  const j = rlJob().spec({ temperature, ...(stages !== undefined ? { stages } : {}) }).build();
  if (j.kind !== "RLJob") throw new Error("not an RLJob");
  return j.obj.spec;
};
const entry = (nextTemperature: number): HistoryEntry => ({ stage: "s1", epoch: 1, attempt: 1, temperature: 0.6, entropy: 0.3, nextTemperature, reason: "" });

const cases: { name: string; temperature: Record<string, unknown>; history?: HistoryEntry[]; report: Record<string, unknown>; want: number; reason?: RegExp }[] = [
  { name: "keeps initial under Fixed whatever the entropy", temperature: { policy: "Fixed", initial: 0.8 }, report: { entropy: 0.01, temperature: 0.8 }, want: 0.8, reason: /Fixed/ },
  { name: "raises T when entropy is below target minus tolerance", temperature: { initial: 0.6 }, report: { entropy: 0.1, temperature: 0.6 }, want: 0.7, reason: /raised/ },
  { name: "lowers T when entropy is above target plus tolerance", temperature: { initial: 0.6 }, report: { entropy: 0.5, temperature: 0.6 }, want: 0.5, reason: /lowered/ },
  { name: "holds T within the tolerance band", temperature: { initial: 0.6, tolerance: 0.05 }, report: { entropy: 0.33, temperature: 0.6 }, want: 0.6, reason: /held/ },
  // 0.6 · (0.3 / 0.2)^0.5: half the log-T step that would reach the target if H were proportional to T.
  { name: "without a curve, steps ln T by half of ln(target / H) when that is smaller than maxStep", temperature: { initial: 0.6, maxStep: 0.5, tolerance: 0.01 }, report: { entropy: 0.2, temperature: 0.6 }, want: 0.7348 },
  { name: "never exceeds max", temperature: { initial: 1.45, max: 1.5 }, report: { entropy: 0.0, temperature: 1.45 }, want: 1.5, reason: /at max/ },
  { name: "never goes below min", temperature: { initial: 0.35, min: 0.3 }, report: { entropy: 2, temperature: 0.35 }, want: 0.3, reason: /at min/ },
  { name: "continues from the last decision when the report carries no temperature", temperature: { initial: 0.6 }, history: [entry(0.9)], report: { entropy: 0.1 }, want: 1.0 },
  { name: "holds when no entropy is reported", temperature: { initial: 0.6 }, report: { temperature: 0.6 }, want: 0.6, reason: /No entropy/ },
  { name: "follows the Schedule entry in force at the next global epoch", temperature: { policy: "Schedule", initial: 0.6, schedule: [{ epoch: 0, temperature: 0.6 }, { epoch: 1, temperature: 0.9 }, { epoch: 3, temperature: 1.2 }] }, report: { epoch: 1 }, want: 0.9 },
  { name: "keeps initial when the Schedule starts later", temperature: { policy: "Schedule", initial: 0.6, schedule: [{ epoch: 5, temperature: 0.9 }] }, report: { epoch: 1 }, want: 0.6 },
];

for (const c of cases) {
  test(c.name, () => {
    const d = nextTemperature(specWith(c.temperature), c.history ?? [], report(c.report));
    assert.equal(d.temperature, c.want);
    if (c.reason !== undefined) assert.match(d.reason, c.reason);
  });
}

test("counts global epochs across earlier stages", () => {
  const spec = specWith({}, [{ name: "s1", maxResponseLength: 64, epochs: 3 }, { name: "s2", maxResponseLength: 64, epochs: 2 }]);
  assert.equal(globalEpochAfter(spec, { stageIndex: 1, epoch: 1 }), 4);
  assert.equal(globalEpochAfter(spec, { stageIndex: 0, epoch: 2 }), 2);
});

test("switches to the second stage's Schedule entry after the first stage ends", () => {
  const spec = specWith({ policy: "Schedule", initial: 0.6, schedule: [{ epoch: 3, temperature: 1.1 }] }, [{ name: "s1", maxResponseLength: 64, epochs: 3 }, { name: "s2", maxResponseLength: 64, epochs: 2 }]);
  assert.equal(nextTemperature(spec, [], report({ stage: "s1", stageIndex: 0, epoch: 2, epochs: 3 })).temperature, 0.6);
  assert.equal(nextTemperature(spec, [], report({ stage: "s1", stageIndex: 0, epoch: 3, epochs: 3 })).temperature, 1.1);
});

test("starts a Schedule job at its epoch-0 entry, and any other policy at initial", () => {
  assert.equal(initialTemperature(specWith({ policy: "Schedule", initial: 0.6, schedule: [{ epoch: 0, temperature: 0.8 }, { epoch: 2, temperature: 1.0 }] })), 0.8);
  assert.equal(initialTemperature(specWith({ policy: "Schedule", initial: 0.6, schedule: [{ epoch: 2, temperature: 1.0 }] })), 0.6);
  assert.equal(initialTemperature(specWith({ policy: "EntropyTarget", initial: 0.7 })), 0.7);
});

test("resumes a new gang at the last decision recorded in status, else at the first epoch's temperature", () => {
  const spec = specWith({ policy: "Schedule", initial: 0.6, schedule: [{ epoch: 0, temperature: 0.8 }] });
  assert.equal(resumeTemperature(spec, { temperature: { current: 1.1 } }), 1.1);
  assert.equal(resumeTemperature(spec, {}), 0.8);
});

test("the epoch after the last of a stage is the first of the next stage", () => {
  const job = { stages: [{ epochs: 3 }, { epochs: 2 }] };
  assert.equal(globalEpochAfter(job, { stageIndex: 0, epoch: 3 }), 3);
  assert.equal(globalEpochAfter(job, { stageIndex: 1, epoch: 0 }), 3);
  assert.equal(globalEpochAfter(job, { stageIndex: 1, epoch: 2 }), 5);
});

// EntropyTarget's methods, each with the reason a user reads in status. Curves are sampled as the
// trainer samples them: at the epoch's T and T + the trainer's offsets, T′ ≤ 0.05 dropped.
const sampled = (T: number, H: (t: number) => number) => {
  const temps = [T, ...trainerDefaults.entropyOffsets.map((d) => T + d)].filter((x) => x > 0.05).sort((a, b) => a - b);
  return temps.map((x) => ({ temperature: Number(x.toPrecision(5)), entropy: Number(H(x).toPrecision(5)) }));
};
const measured = (T: number, H: (t: number) => number, p: Record<string, unknown> = {}) => ({ temperature: T, entropy: Number(H(T).toPrecision(5)), entropyCurve: sampled(T, H), ...p });
const line = (T: number) => 0.3 + 0.5 * (T - 0.75); // H(0.75) = 0.3
const at = (stage: string, temperature: number, entropy: number, method: HistoryEntry["method"] = "SolvedOnCurve"): HistoryEntry => ({ stage, epoch: 1, attempt: 1, temperature, entropy, nextTemperature: temperature, method, reason: "" });
const twoStages = [{ name: "s1", maxResponseLength: 64, epochs: 3 }, { name: "s2", maxResponseLength: 128, epochs: 3 }];

const methods: { name: string; temperature: Record<string, unknown>; history?: HistoryEntry[]; report: Record<string, unknown>; want: number; method: string; reason: RegExp }[] = [
  {
    name: "holds near the band's centre and says the entropy it measured there",
    temperature: { initial: 0.7, tolerance: 0.1 }, report: measured(0.7, line), want: 0.7, method: "HeldInBand",
    reason: /^held in band: H\(0\.7\)=0\.275 within 0\.1 of target 0\.3; held temperature 0\.7$/,
  },
  {
    name: "solves H(T) = target on the reported curve and says where and from which points",
    // Linear in ln T, which the fit reproduces exactly.
    temperature: { initial: 0.7, tolerance: 0.02 }, report: measured(0.7, (T) => 0.3 + 0.6 * Math.log(T / 0.75)), want: 0.75, method: "SolvedOnCurve",
    reason: /^solved on curve: H\(0\.75\)=0\.3 \(5 points, T 0\.5\.\.0\.9, H 0\.0567\.\.0\.4094\); H\(0\.7\)=0\.2586 below target 0\.3; raised 0\.7 -> 0\.75$/,
  },
  {
    name: "moves a solved T by at most maxStep and says maxStep limited it",
    temperature: { initial: 0.6 }, report: measured(0.6, line), want: 0.7, method: "SolvedOnCurve",
    reason: /^solved on curve: H\(0\.75\)=0\.3 .*; raised 0\.6 -> 0\.7 \(maxStep 0\.1\)$/,
  },
  {
    name: "fits a noisy, non-monotone curve monotonically, so a spurious crossing below T cannot send it the wrong way",
    // 0.35 at T 0.5 crosses 0.3 below T 0.6, where the entropy measured 0.2. It pools with the
    // measured 0.2, which carries the fit; the fit then tops out at 0.27, below the target.
    temperature: { initial: 0.6 },
    report: { temperature: 0.6, entropy: 0.2, entropyCurve: [{ temperature: 0.4, entropy: 0.1 }, { temperature: 0.5, entropy: 0.35 }, { temperature: 0.6, entropy: 0.2 }, { temperature: 0.7, entropy: 0.22 }, { temperature: 0.8, entropy: 0.27 }] },
    want: 0.7, method: "Extrapolated", reason: /^extrapolated: target 0\.3 above the curve's top H\(0\.8\)=0\.27; .* \(5 points, T 0\.4\.\.0\.8, H 0\.1\.\.0\.27\); H\(0\.6\)=0\.2 below target 0\.3; raised 0\.6 -> 0\.7 \(maxStep 0\.1\)$/,
  },
  {
    name: "extrapolates past the curve's top along its end slope and says so",
    temperature: { initial: 0.5, maxStep: 0.3 }, report: measured(0.5, line), want: 0.7522, method: "Extrapolated",
    reason: /^extrapolated: target 0\.3 above the curve's top H\(0\.7\)=0\.275; end slope dH\/dlnT 0\.3473 gives T 0\.7522 \(5 points, T 0\.3\.\.0\.7, H 0\.075\.\.0\.275\); H\(0\.5\)=0\.175 below target 0\.3; raised 0\.5 -> 0\.7522$/,
  },
  {
    name: "extrapolates at most half the curve's span (in ln T) beyond it, even when its end is flat",
    temperature: { initial: 0.6, maxStep: 0.6 }, report: measured(0.6, () => 0.1), want: 1.1314, method: "Extrapolated",
    reason: /^extrapolated: target 0\.3 above the curve's top H\(0\.8\)=0\.1; flat top gives T 1\.1314, capped half the curve's span beyond it/,
  },
  {
    name: "says unreachable at max with the entropy measured there, and holds",
    temperature: { initial: 1.5, max: 1.5 }, report: measured(1.5, (T) => 0.14 * T), want: 1.5, method: "Unreachable",
    reason: /^unreachable: at max 1\.5, H\(1\.5\)=0\.21 < target 0\.3; held at 1\.5$/,
  },
  {
    name: "says unreachable at max when the curve shows it before the loop gets there, and steps toward it",
    temperature: { initial: 1.3, max: 1.5 }, report: measured(1.3, (T) => 0.14 * T), want: 1.4, method: "Unreachable",
    reason: /^unreachable: at max 1\.5, H\(1\.5\)=0\.21 < target 0\.3 on the curve; raised 1\.3 -> 1\.4 \(maxStep 0\.1\) toward max$/,
  },
  {
    name: "says unreachable at min with the entropy measured there",
    temperature: { initial: 0.3, min: 0.3 }, report: measured(0.3, (T) => 0.5 + T), want: 0.3, method: "Unreachable",
    reason: /^unreachable: at min 0\.3, H\(0\.3\)=0\.8 > target 0\.3; held at 0\.3$/,
  },
  {
    name: "says unreachable without a curve too, once it has reached the bound",
    temperature: { initial: 1.5, max: 1.5 }, report: { temperature: 1.5, entropy: 0.1 }, want: 1.5, method: "Unreachable",
    reason: /^unreachable: at max 1\.5, H\(1\.5\)=0\.1 < target 0\.3; held at 1\.5$/,
  },
  {
    name: "takes a damped step in ln T when no curve is reported and shows the arithmetic",
    temperature: { initial: 0.6 }, report: { temperature: 0.6, entropy: 0.1 }, want: 0.7, method: "DampedLogStep",
    reason: /^damped log-T step \(no curve\): ln T \+= 0\.5·ln\(0\.3\/0\.1\) = 0\.5493 gives T 1\.0392; H\(0\.6\)=0\.1 below target 0\.3; raised 0\.6 -> 0\.7 \(maxStep 0\.1\)$/,
  },
  {
    name: "takes the damped step when the curve has only the sampled temperature",
    temperature: { initial: 0.6, maxStep: 0.5 }, report: { temperature: 0.6, entropy: 0.2, entropyCurve: [{ temperature: 0.6, entropy: 0.2 }] }, want: 0.7348, method: "DampedLogStep",
    reason: /^damped log-T step \(no curve\)/,
  },
  {
    name: "after the damped step overshoots, takes the secant between the epochs either side of the band",
    temperature: { initial: 0.6, maxStep: 0.5 }, history: [at("s1", 0.8, 0.5, "DampedLogStep")], report: { stage: "s1", temperature: 0.6, entropy: 0.1 },
    // 0.6 · (0.8 / 0.6)^((0.3 − 0.1) / (0.5 − 0.1)).
    want: 0.6928, method: "Bracketed", reason: /^bracketed: H\(0\.6\)=0\.1 and H\(0\.8\)=0\.5 in this stage's last epochs put the target between them; the damped step gave T 1\.0392; the secant in ln T gives T 0\.6928; H\(0\.6\)=0\.1 below target 0\.3; raised 0\.6 -> 0\.6928$/,
  },
  {
    name: "keeps a curve's T between the stage's last epochs measured below and above the band, by the secant between them",
    // A kink between the curve's points: the entropy is 0 up to T 0.695, then rises by 12 per unit of T.
    temperature: { initial: 0.7, maxStep: 0.3 }, history: [at("s1", 0.73, 0.42)],
    report: measured(0.7, (T) => Math.max(0, 12 * (T - 0.695))), want: 0.7199, method: "Bracketed",
    reason: /^bracketed: H\(0\.7\)=0\.06 and H\(0\.73\)=0\.42 in this stage's last epochs put the target between them; the curve gave T 0\.7[0-9]*; the secant in ln T gives T 0\.7199/,
  },
  {
    name: "solves a new stage from its own first measurement and says so",
    temperature: { initial: 0.6 }, history: [at("s1", 0.9, 0.5)], report: { stage: "s2", stageIndex: 1, ...measured(0.6, line) }, want: 0.7, method: "SolvedOnCurve",
    reason: /; raised 0\.6 -> 0\.7 \(maxStep 0\.1\); first epoch of stage s2, decided from its own measurement$/,
  },
];

for (const c of methods) {
  test(c.name, () => {
    const d = nextTemperature(specWith(c.temperature, twoStages), c.history ?? [], report(c.report));
    assert.equal(d.temperature, c.want, d.reason);
    assert.equal(d.method, c.method, d.reason);
    assert.match(d.reason, c.reason);
  });
}

test("does not bracket with an epoch of the previous stage", () => {
  // In s1, T 0.65 measured above the band; s2's first epoch at 0.6 measures below it and its curve asks for 0.7.
  const spec = specWith({ initial: 0.6 }, twoStages);
  const r = report({ stage: "s2", stageIndex: 1, ...measured(0.6, line) });
  assert.equal(nextTemperature(spec, [at("s2", 0.65, 0.5)], r).method, "Bracketed");
  const d = nextTemperature(spec, [at("s1", 0.65, 0.5)], r);
  assert.equal(d.method, "SolvedOnCurve", d.reason);
  assert.equal(d.temperature, 0.7);
});

test("records the method of every policy's decision", () => {
  assert.equal(nextTemperature(specWith({ policy: "Fixed", initial: 0.8 }), [], report({ entropy: 0.1 })).method, "Fixed");
  assert.equal(nextTemperature(specWith({ policy: "Schedule", initial: 0.6, schedule: [{ epoch: 0, temperature: 0.6 }] }), [], report({})).method, "Schedule");
  assert.equal(nextTemperature(specWith({}), [], report({ temperature: 0.6 })).method, "NoEntropy");
});
