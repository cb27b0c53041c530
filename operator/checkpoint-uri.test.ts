import assert from "node:assert/strict";
import { test } from "node:test";
import { checkpointClaimName, checkpointUri, splitPvcUri, toPodPath } from "./checkpoint-uri.ts";
import { sftJob } from "../test/operator/builders.ts";

test("names a checkpoint the trainer wrote under /checkpoints by its job's claim", () => {
  assert.equal(checkpointUri("file:///checkpoints/epoch-3", "a-checkpoints"), "pvc://a-checkpoints/epoch-3");
  assert.equal(checkpointUri("/checkpoints/step-9/model", "a-checkpoints"), "pvc://a-checkpoints/step-9/model");
});

test("passes other paths and URIs through, including look-alikes of /checkpoints", () => {
  for (const p of ["file:///data/x", "/checkpointsX/y", "s3://bucket/ck", "pvc://other/e1"]) assert.equal(checkpointUri(p, "own"), p);
});

test("maps a URI on the pod's own claim back under /checkpoints, the inverse of checkpointUri", () => {
  for (const path of ["file:///checkpoints/epoch-1", "file:///checkpoints/a/b"]) {
    assert.deepEqual(toPodPath(checkpointUri(path, "own"), "own"), { uri: path });
  }
});

test("mounts another job's claim under /init to read its checkpoint", () => {
  assert.deepEqual(toPodPath("pvc://base/final", "own"), { uri: "file:///init/final", mountClaim: "base" });
});

test("leaves URIs that name no claim as they are", () => {
  assert.deepEqual(toPodPath("file:///data/x", "own"), { uri: "file:///data/x" });
  assert.equal(splitPvcUri("file:///data/x"), undefined);
  assert.deepEqual(splitPvcUri("pvc://c/a/b"), { claim: "c", path: "a/b" });
});

test("uses spec.checkpoint.claimName, else the claim the operator creates for the job", () => {
  assert.equal(checkpointClaimName(sftJob("ns", "a").build()), "a-checkpoints");
  assert.equal(checkpointClaimName(sftJob("ns", "a").spec({ checkpoint: { claimName: "mine" } }).build()), "mine");
});
