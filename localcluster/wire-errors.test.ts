// Small wire errors answered as the real API server answers them: a bad request gets a 4xx
// Status naming what is wrong, never a 500 or a reset connection.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { call } from "../test/kube-http.ts";
import { startLocalCluster, type LocalCluster } from "./cluster.ts";

let cluster: LocalCluster;
before(async () => {
  cluster = await startLocalCluster({ dataDir: mkdtempSync(join(tmpdir(), "lc-wire-")), log: pino({ level: "silent" }), kubernetesMinor: "32", controllers: false });
});
after(async () => cluster.stop());

test("a malformed percent-encoding in the path is a 400 BadRequest, not a 500", async () => {
  const r = await call(cluster, "GET", "/api/v1/namespaces/default/configmaps/%E0%A4%A");
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.kind, "Status");
  assert.equal(r.body.reason, "BadRequest");
  assert.match(String(r.body.message), /percent-encoding|URI/);
});

test("a namespace name longer than 63 characters is refused with the field and the limit", async () => {
  const name = "n".repeat(64);
  const r = await call(cluster, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.details.causes[0].field, "metadata.name");
  assert.match(String(r.body.details.causes[0].message), /must be no more than 63 characters/);
  const ok = await call(cluster, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "n".repeat(63) } });
  assert.equal(ok.status, 201, ok.text);
  const dotted = await call(cluster, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } });
  assert.equal(dotted.status, 422, "a namespace is an RFC 1123 label: no dots");
  const inLong = await call(cluster, "POST", `/api/v1/namespaces/${name}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
  assert.ok(inLong.status >= 400 && inLong.status < 500, `an object in a 64-character namespace is refused: ${inLong.status} ${inLong.text}`);
});

/** rawGet sends one GET and resolves with the status code and body, or rejects if the connection is reset. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const u = new URL(cluster.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET", ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.token}` } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a 100 KB label selector is answered with 431 and a Status, not a reset connection", async () => {
  const selector = encodeURIComponent(Array.from({ length: 5000 }, (_, i) => `k${i}=v${i}`).join(","));
  const r = await rawGet(`/api/v1/namespaces/default/configmaps?labelSelector=${selector}`);
  assert.equal(r.status, 431);
  const status = JSON.parse(r.body) as { kind: string; code: number };
  assert.equal(status.kind, "Status");
  assert.equal(status.code, r.status);
});
