import assert from "node:assert/strict";
import { test } from "node:test";
import { bandVerdict, bar, jobView, progressLine, temperatureChart, testLine, type JobView } from "./demo-view.ts";

const rl = {
  kind: "RLJob",
  metadata: { name: "demo-rl" },
  spec: { temperature: { targetEntropy: 0.25, tolerance: 0.04 } },
  status: {
    phase: "Running", stage: "math-short", epoch: 2, epochs: 4, attempt: 1,
    metrics: { reward: 0.5 },
    temperature: {
      current: 0.8, entropy: 0.25,
      history: [
        { temperature: 0.6, entropy: 0.18, nextTemperature: 0.7, method: "SolvedOnCurve", reward: 0.4 },
        { temperature: 0.7, entropy: 0.25, nextTemperature: 0.8, reward: 0.5 },
      ],
    },
  },
};

test("a job view carries the RLJob's target band and its history for the chart", () => {
  const j = jobView(rl);
  assert.deepEqual([j.targetEntropy, j.tolerance], [0.25, 0.04]);
  assert.deepEqual(j.history?.map((e) => e.entropy), [0.18, 0.25]);
  assert.equal(jobView({ kind: "SFTJob", metadata: { name: "s" } }).tolerance, undefined);
});

test("a progress bar fills in proportion and stays within its width", () => {
  assert.equal(bar(1, 4, 8), "[##......]");
  assert.equal(bar(9, 4, 4), "[####]");
  assert.equal(bar(0, 0, 4), "[....]");
});

test("a job line shows phase, stage, epoch and the temperature loop's figures", () => {
  const line = progressLine(jobView(rl));
  assert.match(line, /^RLJob\s+demo-rl\s+Running\s+\[##########\.{10}\] math-short 2\/4/);
  assert.match(line, /reward 0\.50 T 0\.80 H 0\.250/);
});

test("a job line labels the per-epoch accuracy validation and shows the test accuracy only once the job has one", () => {
  const running = progressLine(jobView({ ...rl, status: { ...rl.status, metrics: { reward: 0.5, accuracy: 0.42 } } }));
  assert.match(running, / val 0\.42 reward 0\.50/);
  assert.doesNotMatch(running, /test/);
  const done = progressLine(jobView({ ...rl, status: { ...rl.status, phase: "Succeeded", metrics: { reward: 0.5, accuracy: 0.42, testAccuracy: 0.38 } } }));
  assert.match(done, / val 0\.42 test 0\.38 reward 0\.50/);
});

test("the chart lists every recorded epoch with its decision", () => {
  const chart = temperatureChart(jobView(rl));
  assert.match(chart, /target 0\.25/);
  assert.match(chart, /epoch {2}1 {2}T 0\.60 {2}H 0\.180 {2}-> next T 0\.70 \(SolvedOnCurve\) {2}reward/);
  assert.match(chart, /epoch {2}2 {2}T 0\.70 {2}H 0\.250 {2}-> next T 0\.80/);
  assert.equal(temperatureChart(jobView({ kind: "RLJob", metadata: { name: "x" } })), "x: no RL epochs recorded");
});

const looped = (entropies: number[]): JobView => ({
  kind: "RLJob", name: "rl", policy: "EntropyTarget", targetEntropy: 0.3, tolerance: 0.05,
  history: entropies.map((entropy) => ({ temperature: 1, entropy, nextTemperature: 1 })),
});

test("the band verdict names the epoch from which every epoch stayed inside the band", () => {
  assert.equal(bandVerdict(looped([0.2, 0.31, 0.29, 0.27])), "rl: entropy inside the band [0.25, 0.35] from epoch 2 of 4 on (final 0.270)");
  // An epoch that left the band restarts the count: in band at epoch 2 does not count once epoch 3 left it.
  assert.equal(bandVerdict(looped([0.2, 0.3, 0.4, 0.3, 0.31])), "rl: entropy inside the band [0.25, 0.35] from epoch 4 of 5 on (final 0.310)");
  assert.equal(bandVerdict(looped([0.3, 0.2])), "rl: final entropy 0.200, outside the band [0.25, 0.35]");
  assert.equal(bandVerdict(looped([0.2, 0.1, 0.3])), "rl: entropy inside the band [0.25, 0.35] at the final epoch only (0.300)");
  assert.equal(bandVerdict({ ...looped([0.3]), tolerance: 0.005 }), "rl: entropy inside the band [0.295, 0.305] from epoch 1 of 1 on (final 0.300)");
  assert.equal(bandVerdict({ ...looped([0.3]), policy: "Fixed" }), "rl: Fixed temperature policy, no entropy target to steer to");
  assert.equal(bandVerdict(looped([])), "rl: no RL epochs recorded");
});

test("the test line compares the jobs that measured their test split, in order", () => {
  assert.equal(testLine([{ kind: "SFTJob", name: "sft", testAccuracy: 0.39 }, { kind: "RLJob", name: "rl", testAccuracy: 0.415 }]), "test accuracy: sft 0.39 → rl 0.41");
  assert.equal(testLine([{ kind: "SFTJob", name: "sft" }]), "test accuracy: not measured");
});
