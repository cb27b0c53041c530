// bench/trainer-demo.ts: the trainer's learning figures (`npm run bench:trainer-demo`). From
// scratch, SFT of the demo model on math levels 1–2 (1,200 + 400 prompts, 4 teacher traces
// each) within a wall-clock budget, held-out avg@4 accuracy (T 0.6, top-p 0.95) on level 1
// after every epoch, stopping once it reaches 80%; then GRPO from that checkpoint on level 2 and
// the held-out level-2 accuracy before and after. Flags: --sft-minutes --epochs --sft-levels
// --sft-prompts (per level) --per-prompt --lr --batch --rl-minutes --rl-epochs --rl-lr. Prints
// one JSON object at the end; progress goes to stderr.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { OptimConfigSchema } from "../trainer/adamw.ts";
import { CpuBackend } from "../trainer/backend.ts";
import { avgAtK } from "../trainer/eval.ts";
import { runGrpo } from "../trainer/grpo.ts";
import { GPTConfigSchema, initParams, countParams } from "../trainer/model.ts";
import { Rng } from "../trainer/rng.ts";
import { runSft } from "../trainer/sft.ts";
import { loadSuite, promptIds, sftExamples } from "../trainer/suite.ts";
import { createWasmKernels } from "../trainer/wasm/kernels.ts";

const { values: f } = parseArgs({ options: {
  "sft-minutes": { type: "string", default: "10" }, "rl-minutes": { type: "string", default: "8" },
  epochs: { type: "string", default: "8" }, "rl-epochs": { type: "string", default: "3" },
  "sft-levels": { type: "string", default: "1,2" }, "sft-prompts": { type: "string", default: "1200,400" },
  "per-prompt": { type: "string", default: "4" }, lr: { type: "string", default: "3e-3" },
  batch: { type: "string", default: "32" }, "rl-lr": { type: "string", default: "1e-4" },
} });
const suite = await loadSuite("math");
const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(e)}\n`);
const cfg = GPTConfigSchema.parse({ vocab: suite.tokenizer.vocabSize, d: 128, layers: 4, heads: 4, ctx: 128 });
const optim = OptimConfigSchema.parse({ lr: Number(f.lr), warmup: 20, weightDecay: 0.1 });
const be = new CpuBackend(cfg, initParams(cfg, new Rng(1)), optim, createWasmKernels({ threads: 2 }));
const req = (levels: number[], prompts: number, split: "train" | "eval") => ({ levels, prompts, split, seed: 7, evalPrompts: 100 });
const l1Eval = suite.problems(req([1], 100, "eval"));
const l2Eval = suite.problems({ ...req([2], 100, "eval"), seed: 8 });
const sftLevels = f["sft-levels"].split(",").map(Number);
const sftPrompts = f["sft-prompts"].split(",").map(Number);
const train = sftLevels.flatMap((l, i) => suite.problems({ ...req([l], sftPrompts[Math.min(i, sftPrompts.length - 1)], "train"), seed: 6 + l }));
const examples = sftExamples(suite, train, Number(f["per-prompt"]), 1);
const spec = { k: 4, temperature: 0.6, topP: 0.95, maxNewTokens: 110, eos: suite.tokenizer.eos, batch: 100, seed: 1 };
const acc = async (ps: typeof l1Eval) => (await avgAtK(be, ps.map((p) => ({ prompt: promptIds(suite, p), problem: p })), suite.scoreBatch, spec)).accuracy;
const dir = await mkdtemp(join(tmpdir(), "trainer-demo-"));

// 1. SFT from scratch under a wall-clock budget (epochs stop early when it runs out)
const sftStart = performance.now();
const budget = Number(f["sft-minutes"]) * 60_000;
const sftEpochs: Array<Record<string, unknown>> = [];
await runSft({
  backend: be, tokenizer: suite.tokenizer.toJSON(), log: (e) => { if (e.event === "epoch") log(e); },
  options: { epochs: Number(f.epochs), batchSize: Number(f.batch), seqLen: 128, microBatch: 16, optim, decay: "cosine", seed: 1, pad: suite.tokenizer.pad, checkpointDir: dir },
  train: examples,
  evaluate: async () => {
    const a = await acc(l1Eval);
    sftEpochs.push({ minutes: Number(((performance.now() - sftStart) / 60000).toFixed(2)), level1Accuracy: a });
    log({ event: "sft-eval", ...sftEpochs[sftEpochs.length - 1] });
    if (a >= 0.8 || performance.now() - sftStart > budget) throw new Error("stop");
    return a;
  },
}).catch((e: unknown) => { if (!(e instanceof Error && e.message === "stop")) throw e; });
const sftMinutes = (performance.now() - sftStart) / 60000;
const l1 = await acc(l1Eval);
const l2Before = await acc(l2Eval);
log({ event: "sft-done", sftMinutes, l1, l2Before });

// 2. GRPO from the SFT weights on level 2
const rlStart = performance.now();
const rlPrompts = suite.problems({ ...req([2], 400, "train"), seed: 8 }).map((p) => ({ id: p.id, prompt: promptIds(suite, p), problem: p }));
const rlReports: Array<Record<string, unknown>> = [];
await runGrpo({
  backend: be, tokenizer: suite.tokenizer.toJSON(), score: suite.scoreBatch, log: (e) => { if (e.event === "epoch") log(e); },
  options: { temperature: 1, topP: 1, seed: 1, eos: suite.tokenizer.eos, pad: suite.tokenizer.pad, microBatch: 32, truncatedReward: 0, entropyOffsets: [-0.2, -0.1, 0.1, 0.2] },
  stages: [{ name: "level2", prompts: rlPrompts, maxResponseLength: 110, epochs: Number(f["rl-epochs"]), promptsPerBatch: 16, rolloutsPerPrompt: 8, learningRate: Number(f["rl-lr"]), overlongFiltering: true, dropSolvedPrompts: false }],
  onEpochEnd: async (r) => {
    rlReports.push({ epoch: r.epoch, temperature: r.temperature, entropy: r.entropy, entropyCurve: r.entropyCurve, reward: r.reward, responseLength: r.responseLength, truncationRate: r.truncationRate });
    if (performance.now() - rlStart > Number(f["rl-minutes"]) * 60_000) throw new Error("stop");
  },
}).catch((e: unknown) => { if (!(e instanceof Error && e.message === "stop")) throw e; });
const l2After = await acc(l2Eval);
be.close();
process.stdout.write(`${JSON.stringify({
  suite: suite.name, model: { ...cfg, params: countParams(initParams(cfg, new Rng(0))) },
  sft: { minutes: Number(sftMinutes.toFixed(2)), examples: examples.length, epochs: sftEpochs, level1Accuracy: l1, level2Accuracy: l2Before },
  rl: { minutes: Number(((performance.now() - rlStart) / 60000).toFixed(2)), epochs: rlReports, level2AccuracyBefore: l2Before, level2AccuracyAfter: l2After },
}, null, 2)}\n`);
