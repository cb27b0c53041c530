// checkpoint.test.ts: safetensors round trips, and checkpoint directories written atomically
// with a `latest` pointer and pruning to the newest few.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { GPTConfigSchema } from "./model.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";

test("safetensors round-trips tensors and metadata with an 8-byte-aligned header", () => {
  const t = new Map([["a", { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }], ["b", { shape: [1], data: Float32Array.from([-7]) }]]);
  const buf = encodeSafetensors(t, { note: "x" });
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: number[]; dtype: string }>;
  assert.deepEqual(header.b.data_offsets, [24, 28]);
  assert.equal(header.a.dtype, "F32");
  const back = decodeSafetensors(buf);
  assert.deepEqual(back.metadata, { note: "x" });
  assert.deepEqual(back.tensors.get("a"), t.get("a"));
});

test("checkpoints land whole under step directories, latest points at the newest, and old ones are pruned", async () => {
  const root = await mkdtemp(join(tmpdir(), "ck-"));
  try {
    const config = GPTConfigSchema.parse({ vocab: 5, d: 4, layers: 1, heads: 1, ctx: 4 });
    const arr = (x: number) => new Map([["w", { shape: [2], data: Float32Array.from([x, x]) }]]);
    for (const step of [1, 2, 3]) {
      await saveCheckpoint(root, {
        config, tokenizer: { step }, backend: { params: arr(step), adamStep: step, m: arr(0), v: arr(1) },
        state: { step, rng: [1, 2, 3, 4], cursor: { epoch: step } },
      }, 2);
    }
    assert.deepEqual((await readdir(root)).sort(), ["latest", "step-000002", "step-000003"]);
    assert.equal((await readFile(join(root, "latest"), "utf8")).trim(), "step-000003");
    const ck = await loadCheckpoint(`file://${root}`);
    assert.equal(ck.state.step, 3);
    assert.deepEqual(ck.state.rng, [1, 2, 3, 4]);
    assert.deepEqual([...(ck.backend.params.get("w")?.data ?? [])], [3, 3]);
    assert.deepEqual([...(ck.backend.v.get("w")?.data ?? [])], [1, 1]);
    assert.equal(ck.backend.adamStep, 3);
    assert.deepEqual(ck.config, config);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
