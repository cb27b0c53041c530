// ops.test.ts: every differentiable op's gradient against finite differences, on both the
// naive and the WASM kernels.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { gradcheck } from "./gradcheck.ts";
import { naiveKernels, type Kernels } from "./kernels.ts";
import { add, attention, rope, crossEntropy, embedding, gelu, layerNorm, linear, logSoftmax, positionRows, rmsNorm } from "./ops.ts";
import { Rng } from "./rng.ts";
import { param, type Tensor } from "./tensor.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

const TOL = 2e-2;
const wasm = createWasmKernels({ threads: 2 });
after(() => wasm.close());

function rand(rng: Rng, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return param(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

/** own moves a tensor and its gradient into the kernels' memory, so WASM kernels take their vector path. */
function own(kern: Kernels, x: Tensor): Tensor {
  const data = kern.alloc(x.size);
  data.set(x.data);
  x.data = data;
  x.alloc = (n, zero) => kern.alloc(n, zero);
  return x;
}

function check(name: string, f: () => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(f, inputs, { probes: 30 });
  assert.ok(r.worst < TOL, `${name}: worst relative gradient error ${r.worst} (per input ${r.perInput.join(", ")})`);
}

for (const kern of [naiveKernels, wasm] as Kernels[]) {
  describe(`ops on ${kern.name} kernels`, () => {
    test("linear's gradient matches finite differences for weights stored either way", () => {
      const rng = new Rng(1);
      const x = rand(rng, [5, 6]);
      const w = rand(rng, [6, 7]);
      const wt = rand(rng, [7, 6]);
      const b = rand(rng, [7]);
      check("linear", () => linear(kern, x, w, b), [x, w, b]);
      check("linear transW", () => linear(kern, x, wt, null, true), [x, wt]);
    });

    test("causal attention's gradient matches finite differences", () => {
      const rng = new Rng(2);
      const qkv = rand(rng, [2 * 5, 3 * 8]);
      check("attention", () => attention(kern, qkv, { batch: 2, t: 5, heads: 2 }), [qkv]);
      // t a multiple of 4 takes the vector softmax path on the WASM kernels
      const qkv8 = rand(rng, [2 * 8, 3 * 8]);
      check("attention t=8", () => attention(kern, qkv8, { batch: 2, t: 8, heads: 2 }), [qkv8]);
    });

    test("layerNorm's gradient matches finite differences", () => {
      const rng = new Rng(5);
      const x = own(kern, rand(rng, [4, 8], 2));
      const w = rand(rng, [8]);
      const b = rand(rng, [8]);
      check("layerNorm", () => layerNorm(kern, x, w, b), [x, w, b]);
    });

    test("gelu's gradient matches finite differences", () => {
      const rng = new Rng(7);
      const x = own(kern, rand(rng, [3, 9], 2));
      check("gelu", () => gelu(kern, x), [x]);
    });
  });
}

test("attention is causal: a later token never changes an earlier output", () => {
  const rng = new Rng(3);
  const qkv = rand(rng, [6, 12]);
  const before = attention(naiveKernels, qkv, { batch: 1, t: 6, heads: 2 }).data.slice(0, 3 * 4);
  for (let j = 0; j < 12; j++) qkv.data[5 * 12 + j] += 1;
  const afterChange = attention(naiveKernels, qkv, { batch: 1, t: 6, heads: 2 }).data.slice(0, 3 * 4);
  assert.deepEqual(afterChange, before);
});

test("embedding and position rows scatter gradients to the looked-up rows", () => {
  const rng = new Rng(4);
  const table = rand(rng, [6, 4]);
  const pos = rand(rng, [5, 4]);
  const ids = Int32Array.from([1, 3, 1, 0, 5, 2]);
  check("embedding", () => add(embedding(naiveKernels, table, ids), positionRows(naiveKernels, pos, 2, 3)), [table, pos]);
});

test("rmsNorm's gradient matches finite differences", () => {
  const rng = new Rng(6);
  const x = rand(rng, [4, 8], 2);
  const w = rand(rng, [8]);
  check("rmsNorm", () => rmsNorm(x, w), [x, w]);
});

test("logSoftmax's gradient matches finite differences at temperature 0.7", () => {
  const rng = new Rng(8);
  const x = rand(rng, [3, 6]);
  check("logSoftmax", () => logSoftmax(x, 0.7), [x]);
});

test("crossEntropy's gradient matches finite differences with signed weights and a temperature", () => {
  const rng = new Rng(9);
  const x = rand(rng, [5, 7]);
  const targets = Int32Array.from([0, 6, 3, 3, 1]);
  const weights = Float32Array.from([0.5, -1, 0, 2, 0.25]);
  check("crossEntropy", () => crossEntropy(x, targets, weights, 1.3), [x]);
});

test("crossEntropy equals the weighted negative log-softmax of the targets", () => {
  const rng = new Rng(10);
  const x = rand(rng, [2, 4]);
  const lp = logSoftmax(x, 0.8).data;
  const ce = crossEntropy(x, Int32Array.from([2, 1]), Float32Array.from([1, 3]), 0.8).item();
  assert.ok(Math.abs(ce - -(lp[2] + 3 * lp[4 + 1])) < 1e-5);
});

test("rope's gradient matches finite differences and it preserves each head's norm", () => {
  const rng = new Rng(12);
  const x = rand(rng, [6, 3 * 8]);
  const pos = Int32Array.from([0, 1, 2, 5, 9, 31]);
  check("rope", () => rope(x, pos, 2), [x]);
  const y = rope(x, pos, 2).data;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.size; i++) {
    nx += x.data[i] ** 2;
    ny += y[i] ** 2;
  }
  assert.ok(Math.abs(nx - ny) < 1e-3 * nx);
  assert.notDeepEqual([...y.slice(24, 48)], [...x.data.slice(24, 48)]);
});
