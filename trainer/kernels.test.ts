// kernels.test.ts: the fast kernels agree with their naive twin on every layout, and the
// checked-in gemm.wasm is exactly what gemm.wat assembles to.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Arena, jsKernels, naiveKernels, type GemmSpec } from "./kernels.ts";
import { Rng } from "./rng.ts";
import { assembleGemm } from "./wasm/build.ts";
import { createWasmKernels, gemmWasmBytes } from "./wasm/kernels.ts";

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

test("the checked-in gemm.wasm is what gemm.wat assembles to", async () => {
  assert.deepEqual(Buffer.from(await assembleGemm()), Buffer.from(gemmWasmBytes()));
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
