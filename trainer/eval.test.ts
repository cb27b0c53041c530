// eval.test.ts: avg@k hands the scorer a whole sampled chunk at a time, so a reward that runs a
// process per response (the code sandbox) can run several side by side.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend } from "./backend.ts";
import { avgAtK, scoreEach, type EvalSpec, type Scorer } from "./eval.ts";
import { GPTConfigSchema, initParams } from "./model.ts";
import { Rng } from "./rng.ts";
import { toyProblems, toyPrompt, toyVocab, type ToyProblem } from "../test/trainer-toy.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

test("avg@k scores each sampled chunk in one call and agrees with scoring rollouts one at a time", async () => {
  // An untrained model: its responses are noise, which is all this test needs from it.
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 16, layers: 1, heads: 2, ctx: 32 });
  const be = new CpuBackend(cfg, initParams(cfg, new Rng(3)), OptimConfigSchema.parse({}), createWasmKernels({ threads: 1 }));
  const problems = toyProblems(new Rng(4), 6, "test").map((p) => ({ prompt: toyPrompt(p), problem: p }));
  // 6 prompts × k=4 = 24 samples in two chunks of 12; 20 new tokens leave room to reach eos.
  const spec: EvalSpec = { k: 4, temperature: 1, topP: 1, maxNewTokens: 20, eos: toyVocab.eos, batch: 12, seed: 1 };
  // A reward some noise earns and some does not.
  const reward = async (response: number[], p: ToyProblem) => ((response.length + p.a) % 2 === 0 ? 1 : 0);

  let singleCalls = 0;
  const one = await avgAtK(be, problems, scoreEach(async (r: number[], p: ToyProblem) => (singleCalls++, reward(r, p))), spec);
  const batchSizes: number[] = [];
  const batch: Scorer<ToyProblem> = async (items) => {
    batchSizes.push(items.length);
    return Promise.all(items.map((it) => reward(it.response, it.problem)));
  };
  const batched = await avgAtK(be, problems, batch, spec);
  be.close();

  assert.deepEqual(batched, one);
  assert.ok(one.accuracy > 0 && one.truncationRate > 0, JSON.stringify(one));
  assert.equal(batchSizes.length, 2);
  assert.ok(batchSizes.every((n) => n > 1), `chunk sizes ${batchSizes.join(", ")}`);
  // Every finished rollout is scored exactly once; truncated ones are never scored.
  assert.equal(batchSizes[0] + batchSizes[1], singleCalls);
  assert.equal(singleCalls, Math.round(one.samples * (1 - one.truncationRate)));
});
