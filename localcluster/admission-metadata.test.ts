// Metadata of the wrong type is refused at admission, as the real API server refuses it, so it
// can never be stored to crash the garbage collector or a restart on the same data directory.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { call } from "../test/kube-http.ts";
import { startLocalCluster } from "./cluster.ts";

const start = (dataDir: string) => startLocalCluster({ dataDir, log: pino({ level: "silent" }), kubernetesMinor: "32", controllers: false });
const CM = "/api/v1/namespaces/default/configmaps";

const bad: { name: string; metadata: Record<string, unknown>; field: string }[] = [
  { name: "ownerReferences [null]", metadata: { ownerReferences: [null] }, field: "metadata.ownerReferences[0]" },
  { name: "ownerReferences a string", metadata: { ownerReferences: "x" }, field: "metadata.ownerReferences" },
  { name: "an ownerReference without a uid", metadata: { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o" }] }, field: "metadata.ownerReferences[0].uid" },
  { name: "finalizers a string", metadata: { finalizers: "x" }, field: "metadata.finalizers" },
  { name: "a finalizer that is a number", metadata: { finalizers: [1] }, field: "metadata.finalizers[0]" },
];

test("metadata of the wrong type is refused with its field, nothing is stored, and the cluster restarts on its data directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-meta-"));
  let c = await start(dir);
  try {
    for (const b of bad) {
      const r = await call(c, "POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m", ...b.metadata } });
      assert.equal(r.status, 422, `${b.name}: ${r.text}`);
      assert.ok((r.body.details.causes as { field: string }[]).some((x) => x.field === b.field), `${b.name}: ${r.text}`);
    }
    assert.equal((await call(c, "GET", `${CM}/m`)).status, 404);
    const fine = await call(c, "POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fine", finalizers: ["example.com/keep"] } });
    assert.equal(fine.status, 201);
    // The same guard holds on update and on patch.
    const put = await call(c, "PUT", `${CM}/fine`, { ...fine.body, metadata: { ...fine.body.metadata, ownerReferences: [null] } });
    assert.equal(put.status, 422, put.text);
    const patch = await call(c, "PATCH", `${CM}/fine`, { metadata: { finalizers: [7] } }, "application/merge-patch+json");
    assert.equal(patch.status, 422, patch.text);
  } finally {
    await c.stop();
  }
  c = await start(dir);
  try {
    assert.equal((await call(c, "GET", `${CM}/fine`)).status, 200);
  } finally {
    await c.stop();
  }
});
