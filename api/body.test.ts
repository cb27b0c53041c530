import assert from "node:assert/strict";
import { test } from "node:test";
import { readBody } from "./body.ts";
import { StatusError } from "./status.ts";

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

test("reads a body up to the limit, whatever its chunks", async () => {
  const b = await readBody(chunks("ab", new TextEncoder().encode("cd"), Buffer.from("e")), 5);
  assert.equal(b.toString("utf8"), "abcde");
});

test("answers a body one byte over the limit with 413 RequestEntityTooLarge", async () => {
  await assert.rejects(readBody(chunks("abc", "def"), 5), (err: unknown) => err instanceof StatusError && err.code === 413 && err.reason === "RequestEntityTooLarge");
});
