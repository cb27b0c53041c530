// kernels.test.ts: the fast kernels agree with their naive twin on every layout, and the
// checked-in .wasm files are exactly what their .wat sources assemble to.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Arena, jsKernels, jsPointwise, naiveKernels, type GemmSpec, type Kernels } from "./kernels.ts";
import { Rng } from "./rng.ts";
import { assemble, wasmModules } from "./wasm/build.ts";
import { createWasmKernels, wasmBytes } from "./wasm/kernels.ts";

const one = createWasmKernels({ threads: 1 });
const two = createWasmKernels({ threads: 2 });
after(() => {
  one.close();
  two.close();
});

const shapes: Array<[number, number, number, number]> = [
  [1, 1, 1, 1], [1, 5, 7, 3], [1, 37, 29, 13], [3, 64, 17, 33], [2, 128, 64, 32], [1, 300, 130, 70], [8, 9, 16, 5],
];

test("the WASM and JS gemms match the naive gemm on every shape, transpose and accumulate flag, in place or copied", () => {
  const rng = new Rng(11);
  for (const [batch, m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          const s: GemmSpec = { batch, m, n, k, transA, transB, accumulate };
          const a = Float32Array.from({ length: batch * m * k }, () => rng.normal());
          const b = Float32Array.from({ length: batch * k * n }, () => rng.normal());
          const c0 = Float32Array.from({ length: batch * m * n }, () => rng.normal());
          const want = c0.slice();
          naiveKernels.gemm(a, b, want, s);
          for (const [kern, inPlace] of [[one, false], [two, false], [two, true], [jsKernels, false]] as const) {
            // inPlace: operands allocated by the kernels themselves (in wasm memory, no copies)
            const own = (x: Float32Array) => {
              if (!inPlace) return x.slice();
              const y = kern.alloc(x.length);
              y.set(x);
              return y;
            };
            const got = own(c0);
            kern.gemm(own(a), own(b), got, s);
            for (let i = 0; i < got.length; i++) {
              assert.ok(Math.abs(got[i] - want[i]) < 1e-4 * Math.sqrt(k) + 1e-5,
                `${kern.name} ${JSON.stringify(s)} at ${i}: ${got[i]} vs ${want[i]}`);
            }
          }
          two.reset();
        }
      }
    }
  }
});

test("every checked-in .wasm is what its .wat assembles to", async () => {
  for (const name of wasmModules) assert.deepEqual(Buffer.from(await assemble(name)), Buffer.from(wasmBytes(name)), `${name}.wasm is stale: npm run build:wasm`);
});

/** assertClose asserts two arrays agree within a relative tolerance (absolute below 0.01). */
function assertClose(got: Float32Array, want: Float32Array, rel: number, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= rel * Math.max(Math.abs(want[i]), 1e-2), `${what} at ${i}: ${got[i]} vs ${want[i]}`);
  }
}

test("the WASM GELU and its gradient match the JS reference, on one thread or two, whole vectors or not", () => {
  const rng = new Rng(21);
  for (const kern of [one, two] as Kernels[]) {
    for (const n of [3, 4, 37, 4096, 65536 + 6]) {
      // arena arrays live in wasm memory, so these take the WASM path (but for a tail of n mod 4)
      const x = kern.alloc(n);
      for (let i = 0; i < n; i++) x[i] = rng.normal() * 4;
      x[0] = 30; // deep in tanh's flat tail
      const y = kern.alloc(n);
      const th = kern.alloc(n);
      kern.gelu(x, y, th);
      const wy = new Float32Array(n);
      const wth = new Float32Array(n);
      jsPointwise.gelu(x, wy, wth);
      assertClose(y, wy, 1e-5, `${kern.name} gelu n=${n}`);
      assertClose(th, wth, 1e-5, `${kern.name} tanh n=${n}`);
      const g = kern.alloc(n);
      for (let i = 0; i < n; i++) g[i] = rng.normal();
      const xg = kern.alloc(n).fill(0.5);
      const wxg = new Float32Array(n).fill(0.5);
      kern.geluBackward(x, th, g, xg);
      jsPointwise.geluBackward(x, wth, g, wxg);
      assertClose(xg, wxg, 1e-4, `${kern.name} gelu backward n=${n}`);
      kern.reset();
    }
  }
});

test("the WASM layer norm and its gradient match the JS reference, with or without an input gradient", () => {
  const rng = new Rng(23);
  for (const kern of [one, two] as Kernels[]) {
    for (const [rows, d] of [[3, 8], [4096, 128], [5, 6]]) {
      const x = kern.alloc(rows * d);
      for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 2 + 0.5;
      const w = Float32Array.from({ length: d }, () => rng.normal());
      const b = Float32Array.from({ length: d }, () => rng.normal());
      const [y, mean, rstd] = [kern.alloc(rows * d), kern.alloc(rows), kern.alloc(rows)];
      const [wy, wmean, wrstd] = [new Float32Array(rows * d), new Float32Array(rows), new Float32Array(rows)];
      kern.layerNorm(x, w, b, y, mean, rstd, rows, d, 1e-5);
      jsPointwise.layerNorm(x, w, b, wy, wmean, wrstd, rows, d, 1e-5);
      assertClose(y, wy, 1e-4, `${kern.name} layerNorm ${rows}x${d}`);
      const g = kern.alloc(rows * d);
      for (let i = 0; i < g.length; i++) g[i] = rng.normal();
      for (const withXg of [true, false]) {
        const xg = withXg ? kern.alloc(rows * d).fill(0.25) : null;
        const wxg = withXg ? new Float32Array(rows * d).fill(0.25) : null;
        const [wg, bg, wwg, wbg] = [d, d, d, d].map(() => new Float32Array(d).fill(1));
        kern.layerNormBackward(x, w, g, mean, rstd, xg, wg, bg, rows, d);
        jsPointwise.layerNormBackward(x, w, g, wmean, wrstd, wxg, wwg, wbg, rows, d);
        if (xg !== null && wxg !== null) assertClose(xg, wxg, 1e-3, `${kern.name} layerNorm dx ${rows}x${d}`);
        assertClose(wg, wwg, 1e-3, `${kern.name} layerNorm dw ${rows}x${d}`);
        assertClose(bg, wbg, 1e-3, `${kern.name} layerNorm db ${rows}x${d}`);
      }
      kern.reset();
    }
  }
});

test("the WASM causal softmax and its gradient match the JS reference and stay causal", () => {
  const rng = new Rng(22);
  for (const kern of [one, two] as Kernels[]) {
    for (const [rows, t] of [[5, 5], [8, 8], [24, 12], [4 * 128, 128], [64 * 128, 128]]) {
      const raw = Float32Array.from({ length: rows * t }, () => rng.normal() * 3);
      const p = kern.alloc(rows * t);
      p.set(raw);
      kern.causalSoftmax(p, rows, t, 0.35);
      const wp = raw.slice();
      jsPointwise.causalSoftmax(wp, rows, t, 0.35);
      assertClose(p, wp, 1e-5, `${kern.name} softmax ${rows}x${t}`);
      for (let r = 0; r < rows; r++) for (let j = (r % t) + 1; j < t; j++) assert.equal(p[r * t + j], 0, `row ${r} column ${j} is past the causal edge`);
      const dp = kern.alloc(rows * t);
      for (let i = 0; i < dp.length; i++) dp[i] = rng.normal();
      const wdp = dp.slice();
      kern.softmaxBackward(p, dp, rows, t, 0.35);
      jsPointwise.softmaxBackward(wp, wdp, rows, t, 0.35);
      assertClose(dp, wdp, 1e-4, `${kern.name} softmax backward ${rows}x${t}`);
      kern.reset();
    }
  }
});

test("the arena hands back zeroed arrays, reusing a released block of the same size class", () => {
  const arena = new Arena();
  const a = arena.alloc(5);
  a.fill(3);
  arena.reset();
  const b = arena.alloc(5);
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.byteOffset, a.byteOffset);
  assert.deepEqual([...b], [0, 0, 0, 0, 0]);
  const c = arena.alloc(5);
  assert.ok(c.buffer !== a.buffer || c.byteOffset !== a.byteOffset, "a block in use is not handed out twice");
});

test("the arena's memory stays bounded when every pass asks for different lengths", () => {
  // RL passes vary in shape (rollout lengths, decode batch sizes); exact-size pooling would
  // allocate anew for each new length and never-freed device memory would grow until it ran out.
  let made = 0;
  const arena = new Arena((n) => {
    made += n;
    return new Float32Array(n);
  });
  for (let pass = 0; pass < 500; pass++) {
    for (const base of [1000, 5000, 20000]) arena.alloc(base + ((pass * 37) % 900));
    arena.reset();
  }
  assert.ok(made <= 2 * (1024 + 8192 + 32768), `made ${made} floats`);
});
