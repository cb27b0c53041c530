// sft.test.ts: the SFT loop on the toy addition task — response-only packing, learning the
// problems of its training split, and a resumed run landing on exactly the weights of an
// unbroken one.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend } from "./backend.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { avgAtK, scoreEach } from "./eval.ts";
import { GPTConfigSchema, initParams } from "./model.ts";
import { Rng } from "./rng.ts";
import { packRows, runSft, type SftOptions } from "./sft.ts";
import { toyDecode, toyExample, toyProblems, toyPrompt, toyVocab, type ToyProblem } from "../test/trainer-toy.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 48, layers: 2, heads: 4, ctx: 32 });
function backend(seed: number): CpuBackend {
  return new CpuBackend(cfg, initParams(cfg, new Rng(seed)), OptimConfigSchema.parse({ lr: 3e-3, warmup: 10 }), createWasmKernels({ threads: 2 }));
}
function options(extra: Partial<SftOptions> = {}): SftOptions {
  return { epochs: 3, batchSize: 16, seqLen: 32, microBatch: 8, optim: OptimConfigSchema.parse({ lr: 3e-3, warmup: 10 }), decay: "cosine", seed: 5, pad: toyVocab.pad, ...extra };
}

test("packing puts the loss on response tokens only", () => {
  const ex = toyExample({ a: 3, b: 4, answer: "7" }); // bos 3 + 4 = | 7 eos
  const p = packRows([ex, ex, ex], 14, toyVocab.pad);
  assert.equal(p.rows, 2); // two whole examples fit in a row of 15 tokens, the third starts the next
  // row 0 inputs: bos 3 + 4 = 7 eos bos 3 + 4 = 7 → targets: only "7" and eos are response tokens
  assert.deepEqual([...p.mask.subarray(0, 14)], [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0]);
  assert.deepEqual([...p.targets.subarray(4, 6)], [7, toyVocab.eos]);
  assert.deepEqual([...p.ids.subarray(14 + 7, 28)], new Array(7).fill(toyVocab.pad));
});

test("packing fills an earlier row's gap with a later example that fits, instead of padding it", () => {
  const short = toyExample({ a: 3, b: 4, answer: "7" }); // 7 tokens
  const long = { prompt: short.prompt, response: [...short.response, ...short.response, ...short.response] }; // 11 tokens
  // In order, short+long would not share a row of 15: long opens row 1, and the next short
  // goes back into row 0's gap rather than after long.
  const p = packRows([short, long, short], 14, toyVocab.pad);
  assert.equal(p.rows, 2);
  // inputs are each row's tokens but the last (that one is only a target)
  assert.deepEqual([...p.ids.subarray(0, 13)], [...short.prompt, ...short.response, ...short.prompt, ...short.response].slice(0, 13));
  assert.deepEqual([...p.ids.subarray(14, 14 + 10)], [...long.prompt, ...long.response].slice(0, 10));
});

test("SFT from scratch learns the toy addition table it is trained on to at least 90% avg@4 at temperature 0.6", async () => {
  const train = toyProblems(new Rng(1), 1200, "train");
  const be = backend(2);
  const events: Array<Record<string, unknown>> = [];
  const res = await runSft({
    backend: be, options: options({ epochs: 8, batchSize: 8, seqLen: 16, optim: OptimConfigSchema.parse({ lr: 3e-3, warmup: 10, weightDecay: 0 }) }),
    train: train.map(toyExample), heldOut: toyProblems(new Rng(2), 24, "test").map(toyExample), tokenizer: {}, log: (e) => events.push(e),
  });
  // Fresh draws from the training split: problems the model was trained on. The toy model does
  // not add sums it never saw reliably (test-split avg@4 measured 0 to 0.7 across seeds and
  // settings: it learns a table), so no held-out accuracy is claimed here; the held-out loss,
  // on the test split, is only reported.
  const acc = await avgAtK(be, toyProblems(new Rng(9), 64, "train").map((p) => ({ prompt: toyPrompt(p), problem: p })),
    scoreEach(async (resp: number[], p: ToyProblem) => (toyDecode(resp) === p.answer ? 1 : 0)),
    { k: 4, temperature: 0.6, topP: 0.95, maxNewTokens: 4, eos: toyVocab.eos, batch: 32, seed: 1 });
  be.close();
  assert.equal(res.reports.length, 8);
  assert.ok(res.reports.every((r) => r.evalLoss !== undefined && Number.isFinite(r.evalLoss)), "held-out loss every epoch");
  const first = Number(events.find((e) => e.event === "step")?.loss);
  assert.ok(res.lastLoss < first / 2, `loss ${first} → ${res.lastLoss}`);
  assert.ok(acc.accuracy >= 0.9, `avg@4 accuracy on training problems ${acc.accuracy}`);
});

test("a run resumed from a mid-epoch checkpoint ends with exactly the weights of an unbroken run", async () => {
  const train = toyProblems(new Rng(3), 300).map(toyExample);
  const dir = await mkdtemp(join(tmpdir(), "sft-resume-"));
  dirs.push(dir);
  const straight = backend(4);
  await runSft({ backend: straight, options: options({ epochs: 2 }), train, tokenizer: {}, log: () => {} });
  const first = backend(4);
  await runSft({ backend: first, options: options({ epochs: 2, checkpointDir: dir, checkpointEverySteps: 3, stopAfterSteps: 3 }), train, tokenizer: { v: 1 }, log: () => {} });
  first.close();
  assert.ok((await readdir(dir)).includes("step-000003"));
  assert.equal((await readFile(join(dir, "latest"), "utf8")).trim(), "step-000003");
  const ck = await loadCheckpoint(dir);
  assert.deepEqual(ck.tokenizer, { v: 1 });
  const resumed = backend(99); // different init: everything must come from the checkpoint
  await runSft({ backend: resumed, options: options({ epochs: 2 }), train, tokenizer: {}, log: () => {}, resume: ck });
  const a = straight.exportState();
  const b = resumed.exportState();
  for (const [name, t] of a.params) assert.deepEqual(b.params.get(name)?.data, t.data, `parameter ${name} differs`);
  assert.equal(a.adamStep, b.adamStep);
  straight.close();
  resumed.close();
});
