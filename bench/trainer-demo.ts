// bench/trainer-demo.ts: the trainer's learning figures (`npm run bench:trainer-demo`). From
// scratch, SFT of the demo model on math levels 1–2 (1,200 + 400 prompts, 4 teacher traces
// each) within a wall-clock budget, validation avg@4 accuracy (T 0.6, top-p 0.95) on level 1
// after every epoch, stopping once it reaches 80%; then GRPO from those weights on level 2, with
// level-2 validation accuracy after every epoch. Everything the bench decides (when to stop) and
// every setting chosen by comparing runs (--lr, --rl-lr, epochs) uses the validation split only;
// the test split is evaluated once per checkpoint the bench ends a phase with (the SFT weights,
// then the RL weights) and is the figure to quote (tasks/dataset.ts).
//
// GRPO's gain is measured over seeds: with several --rl-lr values, each is tried from the same
// SFT weights with the first of --rl-seeds and the one with the best final level-2 validation
// accuracy is kept; then every seed runs at that rate, each from the same SFT weights (and
// optimizer moments), and the test-split gain is reported per seed with its mean and spread.
// --sft-checkpoint DIR reuses the SFT weights saved there by an earlier run (or saves them there),
// so the RL part can be repeated without retraining. --sft-minutes 0 and --rl-minutes 0 lift the
// wall-clock budgets, so phases end by validation accuracy and epochs alone and seeds are
// comparable on a shared machine (the budgets make a run's length depend on the load). Flags:
// --sft-minutes --epochs --sft-levels --sft-prompts (per level) --per-prompt --lr --batch
// --rl-minutes --rl-epochs --rl-lr (one or a list) --rl-seeds --sft-checkpoint (each GRPO run's final
// weights are saved beside the SFT ones as rl-lr<lr>-seed<seed>). Prints one JSON object at the
// end; progress goes to stderr.
import { access, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { OptimConfigSchema } from "../trainer/adamw.ts";
import { CpuBackend, type BackendState } from "../trainer/backend.ts";
import { loadCheckpoint, saveCheckpoint } from "../trainer/checkpoint.ts";
import { avgAtK } from "../trainer/eval.ts";
import { runGrpo } from "../trainer/grpo.ts";
import { GPTConfigSchema, initParams, countParams } from "../trainer/model.ts";
import { Rng } from "../trainer/rng.ts";
import { runSft } from "../trainer/sft.ts";
import { loadSuite, promptIds, sftExamples, type SuiteProblem } from "../trainer/suite.ts";
import type { Split } from "../trainer/tasks/dataset.ts";
import { createWasmKernels } from "../trainer/wasm/kernels.ts";

const { values: f } = parseArgs({ options: {
  "sft-minutes": { type: "string", default: "10" }, "rl-minutes": { type: "string", default: "8" },
  epochs: { type: "string", default: "8" }, "rl-epochs": { type: "string", default: "3" },
  "sft-levels": { type: "string", default: "1,2" }, "sft-prompts": { type: "string", default: "1200,400" },
  "per-prompt": { type: "string", default: "4" }, lr: { type: "string", default: "3e-3" },
  batch: { type: "string", default: "32" }, "rl-lr": { type: "string", default: "1e-4" },
  "rl-seeds": { type: "string", default: "1" }, "sft-checkpoint": { type: "string" },
} });
const suite = await loadSuite("math");
const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(e)}\n`);
const cfg = GPTConfigSchema.parse({ vocab: suite.tokenizer.vocabSize, d: 128, layers: 4, heads: 4, ctx: 128 });
const optim = OptimConfigSchema.parse({ lr: Number(f.lr), warmup: 20, weightDecay: 0.1 });
const be = new CpuBackend(cfg, initParams(cfg, new Rng(1)), optim, createWasmKernels({ threads: 2 }));
const req = (levels: number[], prompts: number, split: Split) => ({ levels, prompts, split, seed: 7 });
const l1 = { validation: suite.problems(req([1], 100, "validation")), test: suite.problems(req([1], 100, "test")) };
const l2 = { validation: suite.problems({ ...req([2], 100, "validation"), seed: 8 }), test: suite.problems({ ...req([2], 100, "test"), seed: 8 }) };
const sftLevels = f["sft-levels"].split(",").map(Number);
const sftPrompts = f["sft-prompts"].split(",").map(Number);
const train = sftLevels.flatMap((l, i) => suite.problems({ ...req([l], sftPrompts[Math.min(i, sftPrompts.length - 1)], "train"), seed: 6 + l }));
const examples = sftExamples(suite, train, Number(f["per-prompt"]), 1);
const spec = { k: 4, temperature: 0.6, topP: 0.95, maxNewTokens: 110, eos: suite.tokenizer.eos, batch: 100, seed: 1 };
const acc = async (ps: SuiteProblem[]) => (await avgAtK(be, ps.map((p) => ({ prompt: promptIds(suite, p), problem: p })), suite.scoreBatch, spec)).accuracy;
const dir = f["sft-checkpoint"] ?? await mkdtemp(join(tmpdir(), "trainer-demo-"));
// The weights SFT ends with (the loop's own checkpoints stop at the last finished epoch's).
const sftFinal = join(dir, "sft-final");
const saved = await access(join(sftFinal, "latest")).then(() => true, () => false);

// 1. SFT from scratch under a wall-clock budget (epochs stop early when it runs out), or the
//    weights an earlier run saved in --sft-checkpoint
const sftStart = performance.now();
const budget = Number(f["sft-minutes"]) * 60_000;
const sftEpochs: Array<Record<string, unknown>> = [];
if (saved) {
  be.importState((await loadCheckpoint(sftFinal)).backend);
  log({ event: "sft-loaded", dir: sftFinal });
} else {
  await runSft({
    backend: be, tokenizer: suite.tokenizer.toJSON(), log: (e) => { if (e.event === "epoch") log(e); },
    options: { epochs: Number(f.epochs), batchSize: Number(f.batch), seqLen: 128, microBatch: 16, optim, decay: "cosine", seed: 1, pad: suite.tokenizer.pad, checkpointDir: dir },
    train: examples,
    evaluate: async () => {
      const a = await acc(l1.validation);
      sftEpochs.push({ minutes: Number(((performance.now() - sftStart) / 60000).toFixed(2)), level1Validation: a });
      log({ event: "sft-eval", ...sftEpochs[sftEpochs.length - 1] });
      if (a >= 0.8 || (budget > 0 && performance.now() - sftStart > budget)) throw new Error("stop");
      return a;
    },
  }).catch((e: unknown) => { if (!(e instanceof Error && e.message === "stop")) throw e; });
  await saveCheckpoint(sftFinal, { config: cfg, backend: be.exportState(), tokenizer: suite.tokenizer.toJSON(), state: { step: 0, rng: new Rng(1).state(), cursor: {} } });
}
const sftMinutes = (performance.now() - sftStart) / 60000;
// The SFT weights the bench stopped at: validation to compare runs by, test (once) to quote.
const sftLevel1 = { validation: await acc(l1.validation), test: await acc(l1.test) };
const sftLevel2 = { validation: await acc(l2.validation), test: await acc(l2.test) };
log({ event: "sft-done", sftMinutes, sftLevel1, sftLevel2 });

// 2. GRPO from the SFT weights on level 2: the learning rate chosen on validation, then seeds
const sftState: BackendState = be.exportState();
const rlPrompts = suite.problems({ ...req([2], 400, "train"), seed: 8 }).map((p) => ({ id: p.id, prompt: promptIds(suite, p), problem: p }));

const rlBudget = Number(f["rl-minutes"]) * 60_000;

/** grpoRun trains GRPO from the SFT weights at lr with rollout seed seed and returns its epochs and final accuracies. */
async function grpoRun(lr: number, seed: number) {
  be.importState(sftState);
  const start = performance.now();
  const epochs: Array<Record<string, unknown>> = [];
  await runGrpo({
    backend: be, tokenizer: suite.tokenizer.toJSON(), score: suite.scoreBatch, log: (e) => { if (e.event === "epoch") log({ ...e, lr, seed }); },
    options: { temperature: 1, topP: 1, seed, eos: suite.tokenizer.eos, pad: suite.tokenizer.pad, microBatch: 32, truncatedReward: 0, entropyOffsets: [-0.2, -0.1, 0.1, 0.2] },
    stages: [{ name: "level2", prompts: rlPrompts, maxResponseLength: 110, epochs: Number(f["rl-epochs"]), promptsPerBatch: 16, rolloutsPerPrompt: 8, learningRate: lr, overlongFiltering: true, dropSolvedPrompts: false }],
    evaluate: async () => await acc(l2.validation),
    onEpochEnd: async (r) => {
      epochs.push({ epoch: r.epoch, level2Validation: r.accuracy, temperature: r.temperature, entropy: r.entropy, entropyCurve: r.entropyCurve, reward: r.reward, responseLength: r.responseLength, truncationRate: r.truncationRate });
      if (rlBudget > 0 && performance.now() - start > rlBudget) throw new Error("stop");
    },
  }).catch((e: unknown) => { if (!(e instanceof Error && e.message === "stop")) throw e; });
  // The final weights: validation to choose the rate by, test to quote.
  const level2 = { validation: await acc(l2.validation), test: await acc(l2.test) };
  // Kept so the reward audit can read this run's rollouts (bench/reward-audit.ts --checkpoint).
  await saveCheckpoint(join(dir, `rl-lr${lr}-seed${seed}`), { config: cfg, backend: be.exportState(), tokenizer: suite.tokenizer.toJSON(), state: { step: 0, rng: new Rng(seed).state(), cursor: {} } });
  return { lr, seed, minutes: Number(((performance.now() - start) / 60000).toFixed(2)), epochs, level2 };
}

const rlStart = performance.now();
const lrs = f["rl-lr"].split(",").map(Number);
const seeds = f["rl-seeds"].split(",").map(Number);
const sweep = [];
for (const lr of lrs) sweep.push(await grpoRun(lr, seeds[0]));
const chosen = sweep.reduce((a, b) => (b.level2.validation > a.level2.validation ? b : a));
const runs = [chosen];
for (const seed of seeds.slice(1)) runs.push(await grpoRun(chosen.lr, seed));
const gains = runs.map((r) => r.level2.test - sftLevel2.test);
const mean = gains.reduce((a, b) => a + b, 0) / gains.length;
const std = Math.sqrt(gains.reduce((a, g) => a + (g - mean) ** 2, 0) / Math.max(1, gains.length - 1));
const round4 = (x: number) => Number(x.toFixed(4));
be.close();
process.stdout.write(`${JSON.stringify({
  suite: suite.name, model: { ...cfg, params: countParams(initParams(cfg, new Rng(0))) },
  heldOut: { level1: { validation: l1.validation.length, test: l1.test.length }, level2: { validation: l2.validation.length, test: l2.test.length } },
  sft: { minutes: Number(sftMinutes.toFixed(2)), examples: examples.length, epochs: sftEpochs, level1: sftLevel1, level2: sftLevel2 },
  rl: {
    minutes: Number(((performance.now() - rlStart) / 60000).toFixed(2)), level2Before: sftLevel2,
    // The rate sweep compares final validation accuracy only; the test figures below are of the chosen rate.
    sweep: sweep.map((r) => ({ lr: r.lr, seed: r.seed, level2Validation: r.level2.validation })), chosenLr: chosen.lr,
    runs, testGain: { perSeed: gains.map(round4), mean: round4(mean), std: round4(std), seeds: seeds.length },
  },
}, null, 2)}\n`);
