// golden.test.ts: the model against an independent engine. PyTorch computed the logits, the
// SFT loss and every parameter gradient of two tiny GPTs on one packed batch, from the math in
// float64 (trainer/testdata/golden/make_golden.py, which npm test does not run); our forward and
// backward must reproduce them on the naive and on the WASM kernels. Finite differences
// (gradcheck.ts) prove the backward matches our own forward; this proves the forward is the
// model we say it is: rotary pairing, norms, GELU, causal attention, tied head, loss mask.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { z } from "zod";
import { naiveKernels, type Kernels } from "./kernels.ts";
import { forward, GPTConfigSchema, paramShapes, type Params } from "./model.ts";
import { crossEntropy } from "./ops.ts";
import { packRows, rowsBatch } from "./sft.ts";
import { backward, numel, param } from "./tensor.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

/**
 * TOL bounds |ours − PyTorch's| per entry as a fraction of the tensor's largest magnitude.
 * Float32 rounds at u = 6e-8; an entry here is about twenty ops deep with reductions of at most
 * 64 terms, so a few hundred u of the tensor's scale is what honest float32 arithmetic may
 * lose. Observed: 2e-7 (naive, float64 gemm sums) and 5e-7 (WASM, fused multiply-add in
 * another order); 1e-5 leaves a 20× margin and still fails an erf GELU, interleaved rotary
 * pairs or a loss over padded positions by orders of magnitude. Entries far below their tensor's
 * scale are compared in absolute terms: their relative error is cancellation, not a bug.
 */
const TOL = 1e-5;

const Ints = z.array(z.number().int().min(0)).max(4096);
const TensorSchema = z.object({ shape: z.array(z.number().int().min(1)).min(1).max(4), f32: z.string().max(1 << 20) });
const FixtureSchema = z.object({
  batch: z.object({
    rows: z.number().int().min(1),
    t: z.number().int().min(1),
    pad: z.number().int().min(0),
    examples: z.array(z.object({ prompt: Ints, response: Ints })).max(64),
    ids: Ints,
    targets: Ints,
    mask: Ints,
  }),
  cases: z.array(z.object({
    name: z.string().max(200),
    config: z.unknown(),
    params: z.record(z.string(), TensorSchema),
    logits: TensorSchema,
    loss: z.number(),
    grads: z.record(z.string(), TensorSchema),
  })).min(1).max(8),
});
type GoldenTensor = z.infer<typeof TensorSchema>;

const fixture = FixtureSchema.parse(JSON.parse(readFileSync(new URL("./testdata/golden/golden.json", import.meta.url), "utf8")));
const wasm = createWasmKernels({ threads: 2 });
after(() => wasm.close());

/** floats decodes a fixture tensor (float32, little-endian, base64). */
function floats(t: GoldenTensor): Float32Array {
  const bytes = Buffer.from(t.f32, "base64");
  assert.equal(bytes.length, 4 * numel(t.shape), `a tensor of shape [${t.shape.join(", ")}] holds ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

function tensorOf(record: Record<string, GoldenTensor>, name: string): GoldenTensor {
  const t = record[name];
  assert.ok(t !== undefined, `the fixture lacks ${name}`);
  return t;
}

/** sftBatch is the fixture's examples packed and weighted as the SFT loop does: the mean over response tokens. */
function sftBatch() {
  const { examples, t, pad } = fixture.batch;
  const packed = packRows(examples, t, pad);
  let responseTokens = 0;
  for (const m of packed.mask) responseTokens += m;
  return rowsBatch(packed, 0, packed.rows, t, Math.max(1, responseTokens));
}

/** worstError is max |got − want| over the tensor, as a fraction of its largest |want|. */
function worstError(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / Math.max(scale, Number.MIN_VALUE);
}

test("the golden batch is what packRows makes of its examples, the loss on response tokens only", () => {
  const b = sftBatch();
  assert.equal(b.rows, fixture.batch.rows);
  assert.deepEqual([...b.ids], fixture.batch.ids);
  assert.deepEqual([...b.targets], fixture.batch.targets);
  assert.deepEqual([...b.mask], fixture.batch.mask);
});

for (const kern of [naiveKernels, wasm] as Kernels[]) {
  describe(`the model on ${kern.name} kernels against PyTorch`, () => {
    for (const golden of fixture.cases) {
      test(`${golden.name}: logits, loss and every parameter gradient agree to float32 rounding`, (t) => {
        const c = GPTConfigSchema.parse(golden.config);
        const shapes = paramShapes(c);
        assert.deepEqual(Object.keys(golden.params), shapes.map(([name]) => name), "the fixture's parameters are the model's, in checkpoint order");
        const p: Params = new Map(shapes.map(([name, shape]) => {
          assert.deepEqual(tensorOf(golden.params, name).shape, shape, `${name}'s shape`);
          return [name, param(floats(tensorOf(golden.params, name)), shape)];
        }));
        const b = sftBatch();
        kern.reset();
        const logits = forward(kern, c, p, b.ids, b.rows, b.t); // (rows*t, vocab)
        const loss = crossEntropy(logits, b.targets, b.weights, b.temperature);
        backward(loss);

        const errors: Array<[string, number]> = [["logits", worstError(logits.data, floats(golden.logits))]];
        errors.push(["loss", Math.abs(loss.item() - golden.loss) / Math.abs(golden.loss)]);
        for (const [name] of shapes) errors.push([name, worstError(p.get(name)?.grad ?? new Float32Array(0), floats(tensorOf(golden.grads, name)))]);
        const worst = errors.reduce((a, e) => (e[1] > a[1] ? e : a));
        t.diagnostic(`worst error ${worst[1].toExponential(2)} of scale, in ${worst[0]}`);
        for (const [what, err] of errors) assert.ok(err <= TOL, `${what}: error ${err.toExponential(2)} of its scale exceeds ${TOL}`);
      });
    }
  });
}
