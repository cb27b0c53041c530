// Merge, JSON and strategic merge patches, with the list directives kubectl sends.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonPatch, mergePatch, strategicMerge } from "./patch.ts";

const pod = { spec: { containers: [{ name: "a", image: "1", env: [{ name: "X", value: "1" }] }, { name: "b", image: "1" }], finalizers: ["f1"] } };

test("merge patch replaces lists and deletes nulls", () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null }, l: [3] }), { a: { c: 2 }, l: [3] });
});

test("json patch applies operations and rejects a failed test", () => {
  assert.deepEqual(jsonPatch({ a: 1 }, [{ op: "add", path: "/b", value: 2 }]), { a: 1, b: 2 });
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]), /rejected/);
});

test("strategic merge patch merges containers by name", () => {
  const out = strategicMerge(pod, { spec: { containers: [{ name: "b", image: "2" }] } });
  assert.deepEqual(out.spec.containers.map((c: { image: string }) => c.image), ["1", "2"]);
  assert.equal(out.spec.containers[0].env[0].value, "1");
});

test("strategic merge patch deletes an item with $patch: delete and reorders with $setElementOrder", () => {
  const out = strategicMerge(pod, { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }], containers: [{ name: "a", $patch: "delete" }, { name: "c", image: "3" }] } });
  assert.deepEqual(out.spec.containers.map((c: { name: string }) => c.name), ["b", "c"]);
});

test("strategic merge patch unions primitive merge lists and honours $deleteFromPrimitiveList", () => {
  assert.deepEqual(strategicMerge(pod, { spec: { finalizers: ["f2"] } }).spec.finalizers, ["f1", "f2"]);
  assert.deepEqual(strategicMerge(pod, { spec: { "$deleteFromPrimitiveList/finalizers": ["f1"] } }).spec.finalizers, []);
});

test("strategic merge patch replaces a map with $patch: replace", () => {
  assert.deepEqual(strategicMerge({ m: { a: 1, b: 2 } }, { m: { $patch: "replace", c: 3 } }), { m: { c: 3 } });
});
