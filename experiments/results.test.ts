import assert from "node:assert/strict";
import { test } from "node:test";
import { experimentFlags, markdownTable, narrowing, pct, spread } from "./results.ts";
import { stopByValidation } from "./runs.ts";

test("spread gives the mean, the sample standard deviation and the range over seeds", () => {
  assert.deepEqual(spread([0.1, 0.2, 0.3]), { mean: 0.2, sd: 0.1, min: 0.1, max: 0.3, n: 3 });
  assert.equal(spread([0.5]).sd, 0);
  assert.equal(pct(spread([0.1, 0.2, 0.3])), "20.0% ± 10.0 (n 3)");
  assert.throws(() => spread([]), /no values/);
});

test("a markdown table escapes pipes and refuses a row of the wrong width", () => {
  assert.equal(markdownTable(["arm", "acc"], [["a|b", 1]]), "| arm | acc |\n| --- | --- |\n| a\\|b | 1 |");
  assert.throws(() => markdownTable(["arm", "acc"], [["x"]]), /1 cells for 2 columns/);
});

test("a run stops at its best validation epoch, the earliest of equals, skipping epochs not evaluated", () => {
  assert.equal(stopByValidation([{ accuracy: 0.2 }, { accuracy: 0.4 }, { accuracy: 0.4 }, { accuracy: 0.3 }]), 1);
  assert.equal(stopByValidation([{ accuracy: NaN }, { accuracy: 0.1 }, {}]), 1);
  assert.throws(() => stopByValidation([{}, { accuracy: NaN }]), /no epoch has a validation accuracy/);
});

test("experiment flags default to three seeds and refuse a seed that is not an integer", () => {
  const f = experimentFlags([], { arms: "a,b" });
  assert.deepEqual({ quick: f.quick, seeds: f.seeds, out: f.out, manifest: f.manifest, own: f.own }, { quick: false, seeds: [1, 2, 3], out: "results", manifest: "examples/pipeline.yaml", own: { arms: "a,b" } });
  assert.equal(experimentFlags(["--quick", "--seeds", "4,5"]).seeds.join(), "4,5");
  for (const bad of ["1,x", "", "1,,2", "1,1", "-1"]) assert.throws(() => experimentFlags([`--seeds=${bad}`]), /--seeds: want a comma list of distinct/, bad);
});

test("a gap that moves by less than its spread is reported as no finding, a larger move as narrowing or widening", () => {
  assert.match(narrowing(0.33, 0.313, 0.049), /within its spread: no measurable narrowing or widening/);
  assert.equal(narrowing(0.3, 0.1, 0.05), "The gap narrowed by 20.0 points.");
  assert.equal(narrowing(0.1, 0.3, 0.05), "The gap widened by 20.0 points.");
});
