// model.test.ts: the GPT end to end — whole-model gradients, KV-cache decoding against the
// full forward pass, and a small overfit run whose loss must really fall.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { adamwStep, lrAt, newAdamState, OptimConfigSchema, zeroGrad } from "./adamw.ts";
import { gradcheck } from "./gradcheck.ts";
import { naiveKernels, type Kernels } from "./kernels.ts";
import { decodeStep, forward, GPTConfigSchema, initParams, newKVCache } from "./model.ts";
import { crossEntropy } from "./ops.ts";
import { Rng } from "./rng.ts";
import { backward } from "./tensor.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

const wasm = createWasmKernels({ threads: 2 });
after(() => wasm.close());

test("the whole model's gradient matches finite differences for both norms and heads", () => {
  for (const [norm, tied, positions] of [["layernorm", true, "rope"], ["rmsnorm", false, "learned"]] as const) {
    const c = GPTConfigSchema.parse({ vocab: 7, d: 8, layers: 2, heads: 2, ctx: 6, norm, tied, positions });
    const p = initParams(c, new Rng(1));
    // Larger weights than the init so that every path carries a measurable gradient.
    for (const t of p.values()) for (let i = 0; i < t.size; i++) t.data[i] += 0.3 * Math.sin(i * 1.7 + t.size);
    const ids = Int32Array.from([1, 2, 3, 4, 5, 0, 6, 2]);
    const targets = Int32Array.from([2, 3, 4, 5, 0, 6, 2, 1]);
    const w = new Float32Array(8).fill(1 / 8);
    const f = () => crossEntropy(forward(naiveKernels, c, p, ids, 2, 4), targets, w);
    // floor 5e-3: at eps 3e-3 the float32 loss of a whole model moves by noise of about 6e-5,
    // so smaller gradients are compared in absolute terms (worst 9e-3 of the 3e-2 allowed).
    const r = gradcheck(f, [...p.values()], { probes: 6, eps: 3e-3, floor: 5e-3 });
    assert.ok(r.worst < 3e-2, `${norm}: worst ${r.worst} per input ${r.perInput.map((x) => x.toFixed(4)).join(",")}`);
  }
});

test("the WASM kernels' loss and gradients match the naive kernels', also on a later pass over reused, unzeroed memory", () => {
  // t = 8 takes the vector softmax path; the first pass on other data leaves the arena dirty.
  const c = GPTConfigSchema.parse({ vocab: 13, d: 16, layers: 2, heads: 2, ctx: 8 });
  const rng = new Rng(5);
  const ids = Int32Array.from({ length: 3 * 8 }, () => rng.int(13));
  const targets = Int32Array.from({ length: 3 * 8 }, () => rng.int(13));
  const w = new Float32Array(3 * 8).fill(1 / 24);
  const pass = (kern: Kernels, x: Int32Array) => {
    const p = initParams(c, new Rng(6));
    kern.reset();
    const loss = crossEntropy(forward(kern, c, p, x, 3, 8), targets, w);
    backward(loss);
    return { loss: loss.item(), grads: [...p.values()].map((t) => t.g().slice()) };
  };
  const want = pass(naiveKernels, ids);
  pass(wasm, Int32Array.from(ids, (v) => (v * 7 + 3) % 13));
  for (const got of [pass(wasm, ids), pass(wasm, ids)]) {
    assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `loss ${got.loss} vs ${want.loss}`);
    got.grads.forEach((g, i) => {
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j] - want.grads[i][j]) < 1e-5 + 1e-3 * Math.abs(want.grads[i][j]), `param ${i} at ${j}: ${g[j]} vs ${want.grads[i][j]}`);
    });
  }
});

test("decoding with the KV cache gives the same logits as the full forward pass", () => {
  for (const positions of ["rope", "learned"] as const) decodeMatches(positions);
});

function decodeMatches(positions: "rope" | "learned"): void {
  const c = GPTConfigSchema.parse({ vocab: 11, d: 16, layers: 2, heads: 4, ctx: 8, positions });
  const p = initParams(c, new Rng(2));
  const ids = Int32Array.from([1, 5, 3, 9, 2, 7, 0, 4, 4, 10]);
  const full = forward(wasm, c, p, ids, 2, 5).data; // (2*5, 11)
  const cache = newKVCache(c, 2);
  for (let pos = 0; pos < 5; pos++) {
    const step = decodeStep(wasm, c, p, cache, Int32Array.from([ids[pos], ids[5 + pos]]), pos);
    for (let s = 0; s < 2; s++) {
      for (let j = 0; j < 11; j++) {
        const want = full[(s * 5 + pos) * 11 + j];
        assert.ok(Math.abs(step[s * 11 + j] - want) < 1e-4, `${positions} pos ${pos} seq ${s} logit ${j}: ${step[s * 11 + j]} vs ${want}`);
      }
    }
  }
}

test("a tiny model overfits a fixed batch: the loss falls below a tenth of its start", () => {
  const c = GPTConfigSchema.parse({ vocab: 12, d: 32, layers: 2, heads: 4, ctx: 16 });
  const p = initParams(c, new Rng(3));
  const o = OptimConfigSchema.parse({ lr: 1e-2, warmup: 5, weightDecay: 0 });
  const st = newAdamState(p);
  const rng = new Rng(4);
  const seq = Int32Array.from({ length: 4 * 17 }, () => rng.int(12));
  const ids = new Int32Array(4 * 16);
  const targets = new Int32Array(4 * 16);
  for (let b = 0; b < 4; b++) {
    ids.set(seq.subarray(b * 17, b * 17 + 16), b * 16);
    targets.set(seq.subarray(b * 17 + 1, b * 17 + 17), b * 16);
  }
  const w = new Float32Array(64).fill(1 / 64);
  let first = 0;
  let last = 0;
  for (let step = 0; step < 150; step++) {
    wasm.reset();
    zeroGrad(p);
    const loss = crossEntropy(forward(wasm, c, p, ids, 4, 16), targets, w);
    backward(loss);
    adamwStep(p, st, o, lrAt(o, step, 150));
    if (step === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(first > 2, `initial loss ${first} should be near ln 12`);
  assert.ok(last < first / 10, `loss fell only from ${first} to ${last}`);
});

test("the schedule warms up linearly and decays by cosine to its floor", () => {
  const o = OptimConfigSchema.parse({ lr: 1, warmup: 10, minLrRatio: 0.1 });
  assert.equal(lrAt(o, 0, 110), 0.1);
  assert.equal(lrAt(o, 9, 110), 1);
  assert.ok(Math.abs(lrAt(o, 60, 110) - 0.55) < 1e-9);
  assert.ok(Math.abs(lrAt(o, 110, 110) - 0.1) < 1e-9);
});
