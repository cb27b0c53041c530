import assert from "node:assert/strict";
import { test } from "node:test";
import { EpochReport } from "./report.ts";
import type { HistoryEntry } from "./rljob.ts";
import { rlJob } from "../test/operator/builders.ts";
import { globalEpochAfter, initialTemperature, nextTemperature, resumeTemperature } from "./temperature-policy.ts";

const report = (p: Record<string, unknown>) => EpochReport.parse({ attempt: 1, stage: "s1", epoch: 1, epochs: 2, ...p });
const specWith = (temperature: Record<string, unknown>, stages?: unknown[]) => {
  const j = rlJob().spec({ temperature, ...(stages !== undefined ? { stages } : {}) }).build();
  if (j.kind !== "RLJob") throw new Error("not an RLJob");
  return j.obj.spec;
};
const entry = (nextTemperature: number): HistoryEntry => ({ stage: "s1", epoch: 1, attempt: 1, temperature: 0.6, entropy: 0.3, nextTemperature, reason: "" });

const cases: { name: string; temperature: Record<string, unknown>; history?: HistoryEntry[]; report: Record<string, unknown>; want: number; reason?: RegExp }[] = [
  { name: "keeps initial under Fixed whatever the entropy", temperature: { policy: "Fixed", initial: 0.8 }, report: { entropy: 0.01, temperature: 0.8 }, want: 0.8, reason: /Fixed/ },
  { name: "raises T when entropy is below target minus tolerance", temperature: { initial: 0.6 }, report: { entropy: 0.1, temperature: 0.6 }, want: 0.7, reason: /Raised/ },
  { name: "lowers T when entropy is above target plus tolerance", temperature: { initial: 0.6 }, report: { entropy: 0.5, temperature: 0.6 }, want: 0.5, reason: /Lowered/ },
  { name: "holds T within the tolerance band", temperature: { initial: 0.6, tolerance: 0.05 }, report: { entropy: 0.33, temperature: 0.6 }, want: 0.6, reason: /held/ },
  { name: "steps by the entropy error when it is smaller than maxStep", temperature: { initial: 0.6, maxStep: 0.5, tolerance: 0.01 }, report: { entropy: 0.2, temperature: 0.6 }, want: 0.7 },
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
