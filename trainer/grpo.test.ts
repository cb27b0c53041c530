// grpo.test.ts: GRPO's pieces (group advantages, token layout, overlong filtering) and the loop
// itself raising accuracy on the toy addition task from a partly trained SFT start.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend, type TokenBatch } from "./backend.ts";
import { avgAtK, scoreEach, type EvalSpec, type Scorer } from "./eval.ts";
import { groupAdvantages, rolloutBatch, runGrpo, type RlEpochReport } from "./grpo.ts";
import { GPTConfigSchema, initParams } from "./model.ts";
import { Rng } from "./rng.ts";
import type { Rollout, SampleOptions } from "./sample.ts";
import { runSft } from "./sft.ts";
import { assertSameWeights, freePort, toyDecode, toyExample, toyProblems, toyPrompt, toyVocab, type ToyProblem } from "../test/trainer-toy.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

test("group advantages are normalised within each group and zero when a group agrees", () => {
  const a = groupAdvantages([1, 0, 0, 0, 1, 1, 1, 1], 4);
  assert.deepEqual(a.slice(4), [0, 0, 0, 0]);
  assert.ok(Math.abs(a[0] - Math.sqrt(3)) < 1e-9);
  assert.ok(Math.abs(a[1] + 1 / Math.sqrt(3)) < 1e-9);
  assert.ok(Math.abs(a.slice(0, 4).reduce((x, y) => x + y, 0)) < 1e-9);
});

test("rollout rows weight response tokens only, and a zero weight (a filtered rollout) leaves no loss", () => {
  const b = rolloutBatch([
    { prompt: [13, 1, 10, 2, 11], response: [3, 12], truncated: false },
    { prompt: [13, 4, 10, 4, 11], response: [8, 8, 8], truncated: true },
  ], [0.5, 0], 32, toyVocab.pad, 0.8);
  assert.equal(b.t, 7);
  assert.deepEqual([...b.weights.subarray(0, 7)], [0, 0, 0, 0, 0.5, 0.5, 0]);
  assert.deepEqual([...b.mask.subarray(7, 14)], [0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual([...b.weights.subarray(7, 14)], [0, 0, 0, 0, 0, 0, 0]);
  assert.equal(b.temperature, 0.8);
});

test("GRPO raises the rollout reward of a partly trained model and reports entropy at nearby temperatures", async () => {
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 48, layers: 2, heads: 4, ctx: 32 });
  const optim = OptimConfigSchema.parse({ lr: 1e-2, warmup: 10, weightDecay: 0 });
  // Init 3 leaves SFT solving about a third of the training split; from init 2 it solves a
  // tenth, where too few groups hold a right answer for GRPO to move in eight epochs.
  const be = new CpuBackend(cfg, initParams(cfg, new Rng(3)), optim, createWasmKernels({ threads: 2 }));
  const train = toyProblems(new Rng(1), 1200, "train");
  await runSft({ backend: be, options: { epochs: 3, batchSize: 8, seqLen: 16, microBatch: 8, optim, decay: "cosine", seed: 5, pad: toyVocab.pad },
    train: train.map(toyExample), tokenizer: {}, log: () => {} });
  const score = scoreEach(async (resp: number[], p: ToyProblem) => (toyDecode(resp) === p.answer ? 1 : 0));
  const held = toyProblems(new Rng(9), 80, "test");
  const spec: EvalSpec = { k: 4, temperature: 0.6, topP: 0.95, maxNewTokens: 4, eos: toyVocab.eos, batch: 64, seed: 3 };
  const reports: RlEpochReport[] = [];
  const epochs = 8;
  await runGrpo({
    backend: be, tokenizer: {}, score, log: (e) => { if (process.env.DEBUG && e.event === "epoch") console.log(JSON.stringify(e)); },
    evaluate: async () => (await avgAtK(be, held.map((p) => ({ prompt: toyPrompt(p), problem: p })), score, spec)).accuracy,
    options: { temperature: 1, topP: 1, seed: 1, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 0, entropyOffsets: [-0.2, 0.2] },
    stages: [{
      name: "toy", prompts: toyProblems(new Rng(4), 96, "train").map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
      maxResponseLength: 4, epochs, promptsPerBatch: 16, rolloutsPerPrompt: 8, learningRate: 1e-3, overlongFiltering: true, dropSolvedPrompts: false,
    }],
    onEpochEnd: async (r) => {
      reports.push(r);
      return { temperature: 0.9 };
    },
  });
  be.close();
  assert.equal(reports.length, epochs);
  assert.deepEqual(reports.map((r) => r.temperature), [1, ...new Array(epochs - 1).fill(0.9)]);
  const c = reports[0].entropyCurve;
  assert.deepEqual(c.map((p) => p.temperature), [0.8, 1, 1.2]);
  assert.ok(c[0].entropy < c[1].entropy && c[1].entropy < c[2].entropy, `entropy rises with T: ${JSON.stringify(c)}`);
  const late = (reports[6].reward + reports[7].reward) / 2;
  assert.ok(late > reports[0].reward + 0.04, `reward ${reports.map((r) => r.reward).join(" → ")}`);
  assert.ok(reports.every((r) => r.accuracy !== undefined && r.accuracy >= 0 && r.accuracy <= 1));
});

test("two data-parallel GRPO ranks end with the weights of one rank, and a resumed run with those of an unbroken one", async () => {
  const { connectTcp } = await import("./ddp.ts");
  const { loadCheckpoint } = await import("./checkpoint.ts");
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 32, layers: 1, heads: 2, ctx: 16 });
  const optim = OptimConfigSchema.parse({ lr: 1e-3, weightDecay: 0, warmup: 0 });
  const mk = () => new CpuBackend(cfg, initParams(cfg, new Rng(5)), optim, createWasmKernels({ threads: 1 }));
  const score = scoreEach(async (resp: number[], p: ToyProblem) => (toyDecode(resp) === p.answer ? 1 : 0));
  const stages = [{
    name: "toy", prompts: toyProblems(new Rng(4), 12).map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
    maxResponseLength: 3, epochs: 2, promptsPerBatch: 6, rolloutsPerPrompt: 4, learningRate: 1e-3, overlongFiltering: true, dropSolvedPrompts: false,
  }];
  const options = { temperature: 1.2, topP: 1, seed: 2, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 0, entropyOffsets: [0.1] };
  const single = mk();
  await runGrpo({ backend: single, tokenizer: {}, score, log: () => {}, options, stages });
  const port = await freePort();
  const colls = await Promise.all([0, 1].map((rank) => connectTcp({ rank, worldSize: 2, host: "127.0.0.1", port, timeoutMs: 5000 })));
  const pair = [mk(), mk()];
  await Promise.all(pair.map((be, r) => runGrpo({ backend: be, tokenizer: {}, score, log: () => {}, options, stages, collective: colls[r] })));
  await Promise.all(colls.map((c) => c.close()));
  const want = single.exportState().params;
  for (const be of pair) assertSameWeights(be.exportState().params, want, 1e-4);
  // Resume: one epoch, checkpoint, a fresh backend continues the second epoch.
  const dir = await mkdtemp(join(tmpdir(), "grpo-resume-"));
  try {
    const first = mk();
    await runGrpo({ backend: first, tokenizer: {}, score, log: () => {}, options: { ...options, checkpointDir: dir }, stages: [{ ...stages[0], epochs: 1 }] });
    first.close();
    const resumed = new CpuBackend(cfg, initParams(cfg, new Rng(77)), optim, createWasmKernels({ threads: 1 }));
    const ck = await loadCheckpoint(dir);
    // The one-epoch run's checkpoint says "stage 1"; point it back at epoch 2 of the two-epoch stage.
    ck.state.cursor = { ...ck.state.cursor, stage: 0, epoch: 1 };
    await runGrpo({ backend: resumed, tokenizer: {}, score, log: () => {}, options, stages, resume: ck });
    for (const [name, t] of resumed.exportState().params) assert.deepEqual(t.data, want.get(name)?.data, `resumed ${name} differs`);
    resumed.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const be of [single, ...pair]) be.close();
});

test("GRPO scores each batch's finished rollouts in one call and gives truncated ones truncatedReward unscored", async () => {
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 16, layers: 1, heads: 2, ctx: 16 });
  const be = new CpuBackend(cfg, initParams(cfg, new Rng(6)), OptimConfigSchema.parse({ lr: 1e-3, warmup: 0 }), createWasmKernels({ threads: 1 }));
  const calls: number[][] = [];
  const score: Scorer<ToyProblem> = async (items) => {
    // Rewards that vary by problem, so the reported mean depends on which rollouts were scored.
    const rewards = items.map((it) => (it.problem.a % 2 === 0 ? 1 : 0));
    calls.push(rewards);
    return rewards;
  };
  const reports: RlEpochReport[] = [];
  await runGrpo({
    backend: be, tokenizer: {}, score, log: () => {}, onEpochEnd: async (r) => void reports.push(r),
    options: { temperature: 1.5, topP: 1, seed: 3, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 0.25, entropyOffsets: [] },
    stages: [{
      name: "toy", prompts: toyProblems(new Rng(8), 12).map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
      maxResponseLength: 3, epochs: 1, promptsPerBatch: 6, rolloutsPerPrompt: 4, learningRate: 1e-3, overlongFiltering: true, dropSolvedPrompts: false,
    }],
  });
  be.close();
  // 12 prompts in batches of 6, 4 rollouts each: two calls, 48 rollouts in all.
  assert.equal(calls.length, 2);
  const scored = calls.flat();
  const truncated = 48 - scored.length;
  assert.ok(calls.every((c) => c.length > 1) && truncated > 0, `calls ${calls.map((c) => c.length).join(", ")}`);
  assert.equal(reports[0].truncationRate, Number((truncated / 48).toPrecision(5)));
  const want = (scored.reduce((a, b) => a + b, 0) + 0.25 * truncated) / 48;
  assert.equal(reports[0].reward, Number(want.toPrecision(5)));
});

test("every rank of a two-rank gang samples at the temperature the operator answered rank 0 with", async () => {
  const { connectTcp } = await import("./ddp.ts");
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 16, layers: 1, heads: 2, ctx: 16 });
  const optim = OptimConfigSchema.parse({ lr: 1e-3, weightDecay: 0, warmup: 0 });
  const mk = () => new CpuBackend(cfg, initParams(cfg, new Rng(5)), optim, createWasmKernels({ threads: 1 }));
  const score = scoreEach(async (resp: number[], p: ToyProblem) => (toyDecode(resp) === p.answer ? 1 : 0));
  const stages = [{
    name: "toy", prompts: toyProblems(new Rng(4), 8).map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
    maxResponseLength: 3, epochs: 3, promptsPerBatch: 4, rolloutsPerPrompt: 2, learningRate: 1e-3, overlongFiltering: true, dropSolvedPrompts: false,
  }];
  const options = { temperature: 1, topP: 1, seed: 2, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 0, entropyOffsets: [0.1] };
  const port = await freePort();
  const colls = await Promise.all([0, 1].map((rank) => connectTcp({ rank, worldSize: 2, host: "127.0.0.1", port, timeoutMs: 5000 })));
  const reports: RlEpochReport[][] = [[], []];
  const replies = [0.7, 1.3];
  const backends = [mk(), mk()];
  await Promise.all(backends.map((be, r) => runGrpo({
    backend: be, tokenizer: {}, score, options, stages, collective: colls[r],
    log: (e) => { if (e.event === "epoch") reports[r].push(e as unknown as RlEpochReport); },
    // Only rank 0 talks to the operator, as in a pod gang.
    ...(r === 0 ? { onEpochEnd: async (x: RlEpochReport) => ({ temperature: replies[x.epoch - 1] }) } : {}),
  })));
  await Promise.all(colls.map((c) => c.close()));
  for (const be of backends) be.close();
  assert.deepEqual(reports[0].map((x) => x.temperature), [1, 0.7, 1.3]);
  assert.deepEqual(reports[1].map((x) => x.temperature), [1, 0.7, 1.3]);
  assert.deepEqual(reports[1].map((x) => x.entropyCurve), reports[0].map((x) => x.entropyCurve));
  assertSameWeights(backends[1].exportState().params, backends[0].exportState().params, 1e-9);
});

/** spyOn wraps a backend so a test sees every rollout runGrpo draws and every batch it trains on. */
function spyOn(be: CpuBackend) {
  const sampled: { prompts: number[][]; rollouts: Rollout[] }[] = [];
  const trained: TokenBatch[] = [];
  const spy = new Proxy(be, {
    get(target, prop, receiver) {
      if (prop === "sample") {
        return (prompts: number[][], o: SampleOptions, rng: Rng | Rng[]) => {
          const rollouts = target.sample(prompts, o, rng);
          sampled.push({ prompts, rollouts });
          return rollouts;
        };
      }
      if (prop === "forwardBackward") {
        return (b: TokenBatch, temps?: number[]) => {
          trained.push({ ...b, weights: b.weights.slice() });
          return target.forwardBackward(b, temps);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { spy, sampled, trained };
}

const rowWeight = (b: TokenBatch, row: number) => b.weights.subarray(row * b.t, (row + 1) * b.t).reduce((a, w) => a + Math.abs(w), 0);

for (const overlongFiltering of [true, false]) {
  test(`runGrpo ${overlongFiltering ? "keeps truncated rollouts out of the loss with overlongFiltering" : "trains on truncated rollouts without overlongFiltering"}`, async () => {
    const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 16, layers: 1, heads: 2, ctx: 16 });
    const be = new CpuBackend(cfg, initParams(cfg, new Rng(6)), OptimConfigSchema.parse({ lr: 1e-3, warmup: 0 }), createWasmKernels({ threads: 1 }));
    const { spy, sampled, trained } = spyOn(be);
    // Every finished rollout is right, so a group mixing finished and truncated ones has advantages.
    const score: Scorer<ToyProblem> = async (items) => items.map(() => 1);
    await runGrpo({
      backend: spy, tokenizer: {}, score, log: () => {},
      options: { temperature: 1.5, topP: 1, seed: 3, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 0, entropyOffsets: [] },
      stages: [{
        name: "toy", prompts: toyProblems(new Rng(8), 6).map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
        maxResponseLength: 3, epochs: 1, promptsPerBatch: 6, rolloutsPerPrompt: 4, learningRate: 1e-3, overlongFiltering, dropSolvedPrompts: false,
      }],
    });
    be.close();
    assert.equal(sampled.length, 1);
    assert.equal(trained.length, 1);
    const rollouts = sampled[0].rollouts;
    const truncated = rollouts.flatMap((r, i) => (r.truncated ? [i] : []));
    const finished = rollouts.flatMap((r, i) => (r.truncated ? [] : [i]));
    assert.ok(truncated.length > 0 && finished.length > 0, `${truncated.length} truncated, ${finished.length} finished`);
    const weightOf = (i: number) => rowWeight(trained[0], i);
    // Rows of a group with both kinds carry advantages; rows of a uniform group carry none.
    const mixed = (i: number) => { const g = Math.floor(i / 4) * 4; const grp = rollouts.slice(g, g + 4); return grp.some((r) => r.truncated) && grp.some((r) => !r.truncated); };
    const truncatedInMixed = truncated.filter(mixed);
    assert.ok(truncatedInMixed.length > 0, "a group mixes truncated and finished rollouts");
    if (overlongFiltering) for (const i of truncated) assert.equal(weightOf(i), 0, `truncated rollout ${i} is in the loss`);
    else for (const i of truncatedInMixed) assert.ok(weightOf(i) > 0, `truncated rollout ${i} is not in the loss`);
    for (const i of finished.filter(mixed)) assert.ok(weightOf(i) > 0, `finished rollout ${i} is not in the loss`);
  });
}

test("dropSolvedPrompts removes a prompt whose whole group was right from later epochs, and only such prompts", async () => {
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 16, layers: 1, heads: 2, ctx: 16 });
  const problems = toyProblems(new Rng(8), 6);
  const g = 3;
  const run = async (dropSolvedPrompts: boolean) => {
    const be = new CpuBackend(cfg, initParams(cfg, new Rng(6)), OptimConfigSchema.parse({ lr: 1e-3, warmup: 0 }), createWasmKernels({ threads: 1 }));
    const { spy, sampled } = spyOn(be);
    const reports: RlEpochReport[] = [];
    // Problem 0 is always answered right (a truncated answer earns truncatedReward 1 too); the
    // others only when a short answer is even, so some groups are mixed.
    const score: Scorer<ToyProblem> = async (items) => items.map((it) => (it.problem === problems[0] || it.response.length % 2 === 0 ? 1 : 0));
    await runGrpo({
      backend: spy, tokenizer: {}, score, log: () => {}, onEpochEnd: async (r) => void reports.push(r),
      options: { temperature: 1, topP: 1, seed: 3, eos: toyVocab.eos, pad: toyVocab.pad, microBatch: 64, truncatedReward: 1, entropyOffsets: [] },
      stages: [{
        name: "toy", prompts: problems.map((p, i) => ({ id: String(i), prompt: toyPrompt(p), problem: p })),
        maxResponseLength: 6, epochs: 2, promptsPerBatch: problems.length, rolloutsPerPrompt: g, learningRate: 1e-3, overlongFiltering: false, dropSolvedPrompts,
      }],
    });
    be.close();
    return { sampled, reports };
  };
  const key = (p: number[]) => p.join(",");
  const solvedIn = (epoch: { prompts: number[][]; rollouts: Rollout[] }, rewards: (r: Rollout, p: number[]) => number) => {
    const out = new Set<string>();
    for (let i = 0; i < epoch.prompts.length; i += g) {
      const grp = epoch.rollouts.slice(i, i + g);
      if (grp.every((r) => rewards(r, epoch.prompts[i]) >= 1)) out.add(key(epoch.prompts[i]));
    }
    return out;
  };
  const first = key(toyPrompt(problems[0]));
  const reward = (r: Rollout, p: number[]) => (key(p) === first || r.truncated || r.response.length % 2 === 0 ? 1 : 0);
  const dropping = await run(true);
  assert.equal(dropping.sampled.length, 2);
  const solved = solvedIn(dropping.sampled[0], reward);
  assert.ok(solved.has(first) && solved.size < problems.length, `solved ${solved.size} of ${problems.length}`);
  const again = new Set(dropping.sampled[1].prompts.map(key));
  for (const p of problems.map((x) => key(toyPrompt(x)))) assert.equal(again.has(p), !solved.has(p), `prompt ${p}: solved ${solved.has(p)}, sampled again ${again.has(p)}`);
  assert.equal(dropping.reports[0].activePrompts, problems.length - solved.size);
  const keeping = await run(false);
  assert.equal(new Set(keeping.sampled[1].prompts.map(key)).size, problems.length);
  assert.deepEqual(keeping.reports.map((r) => r.activePrompts), [problems.length, problems.length]);
});
