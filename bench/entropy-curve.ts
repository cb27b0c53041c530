// bench/entropy-curve.ts: where the paper's entropy target lies for a model this size, per
// tokenizer (`npm run bench:entropy-curve`). For each tokenizer (char: one token per character;
// bpe: learned from the same training prompts and traces, trainer/bpe.ts) it trains the demo
// model with SFT from scratch for a fixed number of epochs on math levels 1–2, then measures
// H(T), the mean per-token entropy of softmax(logits/T) over responses sampled at T (top-p 1),
// on validation prompts of levels 1 and 2, at each T of --temps. It also reports validation
// avg@k at T 0.6 (does the model still learn arithmetic?) and training speed in tokens/s and
// characters/s (tokens are no longer characters). Everything here uses the validation split:
// this chooses a target, it is not a figure of merit. Flags: --tokenizers --vocab --epochs
// --prompts (level 1, level 2) --per-prompt --lr --temps --eval-prompts (per level) --k
// --max-new --seed. Prints one JSON object; progress goes to stderr.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { OptimConfigSchema } from "../trainer/adamw.ts";
import { CpuBackend } from "../trainer/backend.ts";
import { trainBpe } from "../trainer/bpe.ts";
import { avgAtK } from "../trainer/eval.ts";
import { rolloutBatch } from "../trainer/grpo.ts";
import { GPTConfigSchema, initParams } from "../trainer/model.ts";
import { Rng } from "../trainer/rng.ts";
import { runSft } from "../trainer/sft.ts";
import { loadSuite, promptIds, sftExamples, tokenizerCorpus, type SuiteProblem, type TaskSuite } from "../trainer/suite.ts";
import { createWasmKernels } from "../trainer/wasm/kernels.ts";

const { values: f } = parseArgs({ options: {
  tokenizers: { type: "string", default: "char,bpe" }, vocab: { type: "string", default: "384" },
  epochs: { type: "string", default: "3" }, prompts: { type: "string", default: "1200,400" },
  "per-prompt": { type: "string", default: "4" }, lr: { type: "string", default: "3e-3" },
  temps: { type: "string", default: "0.4,0.6,0.8,1.0,1.2,1.4" }, "eval-prompts": { type: "string", default: "50" },
  k: { type: "string", default: "4" }, "max-new": { type: "string", default: "110" }, seed: { type: "string", default: "1" },
} });
const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(e)}\n`);
const seed = Number(f.seed);
const chars = await loadSuite("math");
const [p1, p2] = f.prompts.split(",").map(Number);
const train = [
  ...chars.problems({ levels: [1], prompts: p1, seed: 7, split: "train" }),
  ...chars.problems({ levels: [2], prompts: p2, seed: 8, split: "train" }),
];
const heldOut = [1, 2].flatMap((l) => chars.problems({ levels: [l], prompts: Number(f["eval-prompts"]), seed: 6 + l, split: "validation" }));
const temps = f.temps.split(",").map(Number);
const maxNew = Number(f["max-new"]);
const k = Number(f.k);

/** curve samples k responses per held-out prompt at each T and returns the mean per-token entropy at T. */
function curve(be: CpuBackend, s: TaskSuite, problems: SuiteProblem[]) {
  return temps.map((T) => {
    const prompts = problems.flatMap((p) => Array.from({ length: k }, () => promptIds(s, p)));
    const rngs = prompts.map((_, i) => new Rng(seed * 1000 + i));
    let sum = 0;
    let tokens = 0;
    let text = 0;
    for (let i = 0; i < prompts.length; i += 32) {
      const rollouts = be.sample(prompts.slice(i, i + 32), { temperature: T, topP: 1, maxNewTokens: maxNew, eos: s.tokenizer.eos }, rngs.slice(i, i + 32));
      const b = rolloutBatch(rollouts, rollouts.map(() => 1), be.config.ctx, s.tokenizer.pad, T);
      const h = be.stats(b, [T]).entropy[0];
      for (let j = 0; j < b.mask.length; j++) if (b.mask[j] > 0) { sum += h[j]; tokens++; }
      for (const r of rollouts) text += s.tokenizer.decode(r.response.filter((x) => x !== s.tokenizer.eos)).length;
    }
    const point = { temperature: T, entropy: Number((sum / tokens).toFixed(4)), tokensPerResponse: Number((tokens / prompts.length).toFixed(1)), charsPerResponse: Number((text / prompts.length).toFixed(1)) };
    log({ event: "curve", ...point });
    return point;
  });
}

const results = [];
for (const name of f.tokenizers.split(",")) {
  const suite = name === "bpe"
    ? await loadSuite("math", trainBpe(tokenizerCorpus(chars, train, Number(f["per-prompt"]), seed), { vocabSize: Number(f.vocab) }).toJSON())
    : chars;
  const cfg = GPTConfigSchema.parse({ vocab: suite.tokenizer.vocabSize, d: 128, layers: 4, heads: 4, ctx: 128 });
  const optim = OptimConfigSchema.parse({ lr: Number(f.lr), warmup: 20, weightDecay: 0.1 });
  const be = new CpuBackend(cfg, initParams(cfg, new Rng(seed)), optim, createWasmKernels({ threads: 2 }));
  const examples = sftExamples(suite, train, Number(f["per-prompt"]), seed);
  const tokensPerEpoch = examples.reduce((a, e) => a + e.prompt.length + e.response.length, 0);
  const charsPerEpoch = examples.reduce((a, e) => a + suite.tokenizer.decode(e.prompt).length + suite.tokenizer.decode(e.response).length, 0);
  const dir = await mkdtemp(join(tmpdir(), "entropy-curve-"));
  const t0 = performance.now();
  await runSft({
    backend: be, tokenizer: suite.tokenizer.toJSON(), log: (e) => { if (e.event === "epoch") log({ tokenizer: name, ...e }); },
    options: { epochs: Number(f.epochs), batchSize: 32, seqLen: 128, microBatch: 16, optim, decay: "cosine", seed, pad: suite.tokenizer.pad, checkpointDir: dir },
    train: examples,
  });
  const seconds = (performance.now() - t0) / 1000;
  await rm(dir, { recursive: true, force: true });
  const ev = { k, temperature: 0.6, topP: 0.95, maxNewTokens: maxNew, eos: suite.tokenizer.eos, batch: 100, seed };
  const accuracy = (await avgAtK(be, heldOut.map((p) => ({ prompt: promptIds(suite, p), problem: p })), suite.scoreBatch, ev)).accuracy;
  const epochs = Number(f.epochs);
  const r = {
    tokenizer: name, vocab: suite.tokenizer.vocabSize, charsPerToken: Number((charsPerEpoch / tokensPerEpoch).toFixed(3)),
    sft: { epochs, seconds: Math.round(seconds), tokensPerSecond: Math.round((tokensPerEpoch * epochs) / seconds), charsPerSecond: Math.round((charsPerEpoch * epochs) / seconds) },
    validationAccuracyAtT06: Number(accuracy.toFixed(4)),
    curve: curve(be, suite, heldOut),
  };
  log({ event: "tokenizer-done", ...r });
  results.push(r);
  be.close();
}
process.stdout.write(`${JSON.stringify({ model: { d: 128, layers: 4, heads: 4, ctx: 128 }, trainPrompts: train.length, heldOutPrompts: heldOut.length, k, maxNew, seed, results }, null, 2)}\n`);
