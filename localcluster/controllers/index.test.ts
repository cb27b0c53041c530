import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { defaultImages, parseImageMap, trainerImage } from "./index.ts";

test("reads --image-map values into an image map", () => {
  assert.deepEqual(parseImageMap(["example.com/a=python3 -m a", "b=/bin/b"]), { "example.com/a": ["python3", "-m", "a"], b: ["/bin/b"] });
  assert.throws(() => parseImageMap(["nocommand="]), /IMAGE=COMMAND/);
  assert.throws(() => parseImageMap(["justanimage"]), /IMAGE=COMMAND/);
});

test("maps the trainer image to this Node and the repository's trainer entry point", () => {
  const [node, entry] = defaultImages()[trainerImage];
  assert.equal(node, process.execPath);
  assert.match(entry, /\/bin\/temper-trainer\.ts$/);
  assert.ok(existsSync(`${dirname(entry)}/temper.ts`), "the entry point sits in the repository's bin/");
});
