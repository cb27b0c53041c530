// bench/trainer.ts: the trainer's speed figures as one JSON object (`npm run bench:trainer`):
// large square fp32 matmul GFLOP/s, training tokens/s and MFU, and KV-cache sampling tokens/s,
// for the demo model unless flags choose another (--vocab --d --layers --heads --ctx --batch
// --steps --matmul-n --threads). MFU is achieved training FLOP/s ÷ the measured matmul rate.
import { parseArgs } from "node:util";
import { adamwStep, newAdamState, OptimConfigSchema, zeroGrad } from "../trainer/adamw.ts";
import { decodeStep, flopsPerToken, forward, GPTConfigSchema, initParams, newKVCache, countParams } from "../trainer/model.ts";
import { crossEntropy } from "../trainer/ops.ts";
import { Rng } from "../trainer/rng.ts";
import { backward } from "../trainer/tensor.ts";
import { createWasmKernels } from "../trainer/wasm/kernels.ts";

const { values: f } = parseArgs({
  options: {
    vocab: { type: "string", default: "128" },
    d: { type: "string", default: "128" },
    layers: { type: "string", default: "4" },
    heads: { type: "string", default: "4" },
    ctx: { type: "string", default: "128" },
    batch: { type: "string", default: "32" },
    steps: { type: "string", default: "11" },
    "matmul-n": { type: "string", default: "1024" },
    threads: { type: "string", default: "2" },
  },
});
const num = (s: string | undefined) => Number(s);
const kern = createWasmKernels({ threads: num(f.threads) === 1 ? 1 : 2 });
const cfg = GPTConfigSchema.parse({ vocab: num(f.vocab), d: num(f.d), layers: num(f.layers), heads: num(f.heads), ctx: num(f.ctx) });
const batch = num(f.batch);
const rng = new Rng(1);

// 1. matmul (large square fp32) and 2. training (full steps: forward, backward, AdamW on random
// tokens), interleaved — a matmul after every step — so both see the same machine, then each
// the median of its runs: on a shared host a neighbour's burst moves one run, not the ratio.
const n = num(f["matmul-n"]);
const a = Float32Array.from({ length: n * n }, () => rng.normal());
const c = new Float32Array(n * n);
const spec = { batch: 1, m: n, n, k: n, transA: false, transB: false, accumulate: false };
const matmul = () => {
  const t0 = performance.now();
  kern.gemm(a, a, c, spec);
  return performance.now() - t0;
};
const params = initParams(cfg, rng);
const opt = OptimConfigSchema.parse({});
const st = newAdamState(params);
const t = cfg.ctx;
const ids = Int32Array.from({ length: batch * t }, () => rng.int(cfg.vocab));
const targets = Int32Array.from({ length: batch * t }, () => rng.int(cfg.vocab));
const w = new Float32Array(batch * t).fill(1 / (batch * t));
const trainStep = () => {
  const t0 = performance.now();
  kern.reset();
  zeroGrad(params);
  const loss = crossEntropy(forward(kern, cfg, params, ids, batch, t), targets, w);
  backward(loss);
  adamwStep(params, st, opt, 1e-3);
  return performance.now() - t0;
};
trainStep(); // warm-up: the arena's first allocations and the JIT
matmul();
const steps = num(f.steps);
const stepMs: number[] = [];
const matmulMs: number[] = [];
for (let i = 0; i < steps; i++) {
  stepMs.push(trainStep());
  matmulMs.push(matmul());
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const matmulGflops = (2 * n ** 3) / (median(matmulMs) * 1e6);
const trainTokensPerSecond = (batch * t) / (median(stepMs) / 1000);
const trainGflops = (trainTokensPerSecond * flopsPerToken(cfg, t)) / 1e9;

// 3. sampling: batch sequences decoded token by token with the KV cache
const cache = newKVCache(cfg, batch);
const tok = new Int32Array(batch);
const s0 = performance.now();
for (let pos = 0; pos < t; pos++) {
  const logits = decodeStep(kern, cfg, params, cache, tok, pos);
  for (let b = 0; b < batch; b++) {
    let arg = 0;
    for (let j = 1; j < cfg.vocab; j++) if (logits[b * cfg.vocab + j] > logits[b * cfg.vocab + arg]) arg = j;
    tok[b] = arg;
  }
}
const sampleTokensPerSecond = (batch * t) / ((performance.now() - s0) / 1000);
kern.close();

process.stdout.write(`${JSON.stringify({
  trainTokensPerSecond: Math.round(trainTokensPerSecond),
  sampleTokensPerSecond: Math.round(sampleTokensPerSecond),
  matmulGflops: Number(matmulGflops.toFixed(2)),
  trainGflops: Number(trainGflops.toFixed(2)),
  trainMfu: Number((trainGflops / matmulGflops).toFixed(3)),
  model: { vocab: cfg.vocab, d: cfg.d, layers: cfg.layers, heads: cfg.heads, ctx: cfg.ctx, batch, params: countParams(params) },
  kernels: kern.name,
  matmulN: n,
  steps,
  flopsPerToken: flopsPerToken(cfg, t),
}, null, 2)}\n`);
