import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { defaultImages, parseImageMap, trainerEntryPoints, trainerImage } from "./index.ts";

test("reads --image-map values into an image map", () => {
  assert.deepEqual(parseImageMap(["example.com/a=python3 -m a", "b=/bin/b"]), { "example.com/a": ["python3", "-m", "a"], b: ["/bin/b"] });
  assert.throws(() => parseImageMap(["nocommand="]), /IMAGE=COMMAND/);
  assert.throws(() => parseImageMap(["justanimage"]), /IMAGE=COMMAND/);
});

test("maps the trainer image to this Node and the repository's trainer entry point", () => {
  const [node, entry] = defaultImages()[trainerImage];
  assert.equal(node, process.execPath);
  const repo = dirname(dirname(entry));
  assert.ok(existsSync(`${repo}/package.json`), "the entry point sits one folder below the repository root");
  assert.ok(trainerEntryPoints.some((p) => entry === `${repo}/${p}`), entry);
});
