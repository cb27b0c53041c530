import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runDir, runJob, testCheckpoint } from "./runs.ts";

const root = await mkdtemp(join(tmpdir(), "experiment-runs-"));
after(() => rm(root, { recursive: true, force: true }));

const tinyModel = { architecture: { layers: 1, dModel: 32, heads: 2, contextLength: 128 } };
const sftSpec = {
  model: tinyModel, data: { task: "math", levels: [1], prompts: 24, responsesPerPrompt: 1, validationPrompts: 6, testPrompts: 6 },
  epochs: 2, batchSize: 8, learningRate: 0.003, evaluation: { k: 1 },
};

test("a run is validated, trained for real, stopped at its best validation epoch and tested there, and a rerun of the same spec is reused", async () => {
  const lines: string[] = [];
  const r = await runJob("SFTJob", sftSpec, { name: "tiny", root, progress: (l) => lines.push(l) });
  assert.equal(r.epochs.length, 2);
  assert.ok(r.epochs.every((e) => typeof e.loss === "number" && e.checkpoint !== undefined), JSON.stringify(r.epochs));
  const best = Math.max(...r.epochs.map((e) => e.accuracy ?? -1));
  assert.equal(r.validation, best);
  assert.equal(r.epochs.findIndex((e) => e.accuracy === best) + 1, r.stoppedAt);
  // The test figure is the eval command's, on the test split, of the checkpoint validation chose.
  const events = JSON.parse(await readFile(join(runDir(root, JSON.stringify({ kind: "SFTJob", spec: sftSpec })), "eval.json"), "utf8")) as Record<string, unknown>[];
  const tests = events.filter((e) => e.event === "eval" && e.split === "test");
  assert.deepEqual(tests.map((e) => [e.checkpoint, e.accuracy]), [[r.epochs[r.stoppedAt - 1].checkpoint, r.test]]);
  const again = await runJob("SFTJob", sftSpec, { name: "tiny", root, progress: (l) => lines.push(l) });
  assert.deepEqual(again, r);
  assert.match(lines.at(-1) ?? "", /reusing the finished run/);
  assert.equal((await readdir(join(root, "runs"))).length, 1);
});

test("an RL arm runs from a checkpoint with the job's own temperature policy and records each decision's reason", async () => {
  const sft = await runJob("SFTJob", sftSpec, { name: "tiny", root });
  const rl = await runJob("RLJob", {
    initFrom: { checkpoint: sft.epochs[sft.stoppedAt - 1].checkpoint }, evaluation: { k: 1 },
    stages: [{ name: "s", data: { task: "math", levels: [1], prompts: 4, validationPrompts: 4, testPrompts: 4 }, maxResponseLength: 16, epochs: 2, promptsPerBatch: 4, rolloutsPerPrompt: 2 }],
    temperature: { policy: "EntropyTarget", initial: 0.8, targetEntropy: 0.3 },
  }, { name: "tiny-rl", root });
  assert.equal(rl.epochs.length, 2);
  assert.equal(rl.epochs[0].temperature, 0.8);
  assert.ok(rl.epochs.every((e) => typeof e.entropy === "number" && typeof e.reason === "string" && e.reason.length > 0), JSON.stringify(rl.epochs));
  assert.equal(rl.epochs[1].temperature, rl.epochs[0].nextTemperature);
});

test("a bad arm fails before training with the field and the schema's message", async () => {
  await assert.rejects(runJob("SFTJob", { ...sftSpec, epochs: 0 }, { name: "bad", root }), /bad: spec\.epochs: .*>=1/);
});

test("only the checkpoint validation chose is kept once a run is tested", async () => {
  const r = await runJob("SFTJob", { ...sftSpec, epochs: 3, seed: 5 }, { name: "prune", root });
  const chosen = String(r.epochs[r.stoppedAt - 1].checkpoint);
  const dir = join(chosen, "..");
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith("step-")).map((n) => join(dir, n)), [chosen]);
});

test("a start checkpoint is tested on the arm's own test prompts exactly as the arm's runs are, and the figure is cached", async () => {
  const sft = await runJob("SFTJob", sftSpec, { name: "tiny", root });
  const ck = String(sft.epochs[sft.stoppedAt - 1].checkpoint);
  const rlSpec = { initFrom: { checkpoint: ck }, evaluation: { k: 1 }, stages: [{ name: "s", data: { task: "math", levels: [1], prompts: 4, validationPrompts: 4, testPrompts: 4 }, maxResponseLength: 16 }] };
  const lines: string[] = [];
  const a = await testCheckpoint("RLJob", rlSpec, ck, { name: "start", root, progress: (l) => lines.push(l) });
  const b = await testCheckpoint("RLJob", rlSpec, ck, { name: "start", root, progress: (l) => lines.push(l) });
  assert.equal(a, b);
  assert.equal(lines.length, 1, "the second call reads the cache");
  const dir = runDir(root, JSON.stringify({ kind: "RLJob", spec: rlSpec, testOf: ck }));
  const events = JSON.parse(await readFile(join(dir, "eval.json"), "utf8")) as Record<string, unknown>[];
  assert.deepEqual(events.filter((e) => e.split === "test").map((e) => [e.checkpoint, e.prompts]), [[ck, 4]]);
});
