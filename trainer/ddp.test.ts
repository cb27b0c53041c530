// ddp.test.ts: the TCP all-reduce over real loopback sockets, and two data-parallel ranks
// training to the same weights as one rank on the same global batches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend } from "./backend.ts";
import { connectTcp } from "./ddp.ts";
import { GPTConfigSchema, initParams } from "./model.ts";
import { Rng } from "./rng.ts";
import { runSft, type SftOptions } from "./sft.ts";
import { assertSameWeights, freePort, toyExample, toyProblems, toyVocab } from "../test/trainer-toy.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

test("an all-reduce over three ranks leaves every rank with the elementwise sum", async () => {
  const port = await freePort();
  const ranks = await Promise.all([0, 1, 2].map((rank) => connectTcp({ rank, worldSize: 3, host: "127.0.0.1", port, timeoutMs: 5000 })));
  const data = ranks.map((c) => [Float32Array.from([c.rank, 1, 2 * c.rank]), Float32Array.from({ length: 70000 }, (_, i) => i * (c.rank + 1))]);
  await Promise.all(ranks.map((c, i) => c.allReduceSum(data[i])));
  for (const d of data) {
    assert.deepEqual([...d[0]], [3, 3, 6]);
    assert.equal(d[1][69999], 69999 * 6);
  }
  await Promise.all(ranks.map((c) => c.close()));
});

test("two data-parallel ranks train to the weights of one rank on the same global batches", async () => {
  const cfg = GPTConfigSchema.parse({ vocab: toyVocab.size, d: 32, layers: 2, heads: 4, ctx: 16 });
  const optim = OptimConfigSchema.parse({ lr: 3e-3, warmup: 3 });
  const o: SftOptions = { epochs: 1, batchSize: 8, seqLen: 16, microBatch: 8, optim, decay: "cosine", seed: 3, pad: toyVocab.pad, stopAfterSteps: 5 };
  const train = toyProblems(new Rng(1), 300).map(toyExample);
  const mk = () => new CpuBackend(cfg, initParams(cfg, new Rng(7)), optim, createWasmKernels({ threads: 1 }));
  const single = mk();
  await runSft({ backend: single, options: o, train, tokenizer: {}, log: () => {} });
  const port = await freePort();
  const colls = await Promise.all([0, 1].map((rank) => connectTcp({ rank, worldSize: 2, host: "127.0.0.1", port, timeoutMs: 5000 })));
  const pair = [mk(), mk()];
  await Promise.all(pair.map((be, r) => runSft({ backend: be, options: o, train, tokenizer: {}, log: () => {}, collective: colls[r] })));
  await Promise.all(colls.map((c) => c.close()));
  const want = single.exportState().params;
  for (const be of pair) assertSameWeights(be.exportState().params, want, 1e-4);
  const [a, b] = pair.map((be) => be.exportState().params);
  for (const [name, t] of a) assert.deepEqual(b.get(name)?.data, t.data, `ranks disagree on ${name}`);
  for (const be of [single, ...pair]) be.close();
});

test("a broadcast hands rank 0's float64 values to every rank bit for bit", async () => {
  const port = await freePort();
  const ranks = await Promise.all([0, 1, 2].map((rank) => connectTcp({ rank, worldSize: 3, host: "127.0.0.1", port, timeoutMs: 5000 })));
  const data = ranks.map((c) => (c.rank === 0 ? Float64Array.of(0.7, 1 / 3) : Float64Array.of(9, 9)));
  await Promise.all(ranks.map((c, i) => c.broadcast(data[i])));
  for (const d of data) assert.deepEqual([...d], [0.7, 1 / 3]);
  await Promise.all(ranks.map((c) => c.close()));
});
