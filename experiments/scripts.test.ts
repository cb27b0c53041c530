// The three experiment commands, end to end on a tiny pipeline: each runs its real jobs and
// writes its JSON, Markdown table and chart. The figures of a model this small mean nothing;
// that the commands run, and write what they claim, is what is proven here.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, test } from "node:test";

const dir = await mkdtemp(join(tmpdir(), "experiment-scripts-"));
after(() => rm(dir, { recursive: true, force: true }));
const manifest = join(dir, "pipeline.yaml");
await writeFile(manifest, `apiVersion: temper.dev/v1alpha1
kind: SFTJob
metadata: {name: tiny-sft}
spec:
  model: {architecture: {layers: 1, dModel: 32, heads: 2, contextLength: 128}, tokenizer: {type: BPE, vocabSize: 256}}
  data: {task: math, levels: [1], prompts: 24, responsesPerPrompt: 1, validationPrompts: 6, testPrompts: 6}
  epochs: 2
  batchSize: 8
  evaluation: {k: 1}
---
apiVersion: temper.dev/v1alpha1
kind: RLJob
metadata: {name: tiny-rl}
spec:
  initFrom: {sftJob: tiny-sft}
  stages:
    - {name: only, data: {task: math, levels: [1]}, maxResponseLength: 12, epochs: 1, promptsPerBatch: 16, rolloutsPerPrompt: 2}
  temperature: {policy: EntropyTarget, initial: 1.0, targetEntropy: 0.3, maxStep: 0.3}
  evaluation: {k: 1}
`);
const run = async (script: string, ...args: string[]) => {
  const out = join(dir, "results");
  const { stdout } = await promisify(execFile)(process.execPath, [new URL(script, import.meta.url).pathname, "--manifest", manifest, "--out", out, "--quick", "--seeds", "1,2", ...args], { maxBuffer: 1 << 24 });
  const written = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, string>;
  for (const k of ["json", "markdown", "svg", "png"]) assert.ok((await stat(written[k])).size > 0, `${script} wrote no ${k}`);
  return { stdout, json: JSON.parse(await readFile(written.json, "utf8")) as Record<string, unknown>, markdown: await readFile(written.markdown, "utf8") };
};

test("experiment:temperature runs every arm over every seed and brackets the steered temperature with the Fixed ones", async () => {
  const r = await run("./temperature.ts", "--targets", "0.3");
  const summary = r.json.summary as { arm: string; test: { n: number } }[];
  assert.deepEqual(summary.map((s) => s.arm.split(" ")[0]), ["Fixed", "EntropyTarget", "Fixed"]);
  assert.ok(summary.every((s) => s.test.n === 2));
  assert.ok((r.json.low as number) < (r.json.settled as number) && (r.json.settled as number) < (r.json.high as number), JSON.stringify(r.json));
  assert.match(r.markdown, /\| EntropyTarget 0\.3 \|/);
});

test("experiment:sft-then-rl runs RL from a weaker and a stronger SFT start and reports both gaps", async () => {
  const r = await run("./sft-then-rl.ts", "--weak-epochs", "1");
  const arms = r.json.arms as { label: string; runs: unknown[] }[];
  assert.deepEqual(arms.map((a) => [a.label, a.runs.length]), [["weaker SFT (1 epochs)", 2], ["stronger SFT (2 epochs)", 2]]);
  assert.ok(Number.isFinite(r.json.gapBefore) && Number.isFinite(r.json.gapAfter), JSON.stringify(r.json.gapBefore));
  // A start that is not stronger on the test prompts gets no verdict on narrowing, only that it cannot say.
  assert.match(r.markdown, (r.json.gapBefore as number) > 0 ? /Gap between the starts: \+/ : /is not stronger on these test prompts/);
});

test("experiment:sft-scaling runs the grid over seeds and fits the scaling law to it", async () => {
  const r = await run("./sft-scaling.ts", "--prompts", "32,64", "--responses", "1,2", "--budget", "128");
  const cells = r.json.cells as { prompts: number; responses: number; test: { n: number } }[];
  assert.deepEqual(cells.map((c) => `${c.prompts}x${c.responses}`), ["32x1", "32x2", "64x1", "64x2"]);
  assert.ok(cells.every((c) => c.test.n === 2));
  const fit = r.json.fit as { a: number; b: number; r2: number };
  assert.ok(Number.isFinite(fit.a) && Number.isFinite(fit.b));
  assert.match(r.markdown, /R² = /);
});

test("a weak start that is not weaker is refused with the flag and the range", async () => {
  await assert.rejects(run("./sft-then-rl.ts", "--weak-epochs", "2"), /--weak-epochs: want 1 to 1/);
});
