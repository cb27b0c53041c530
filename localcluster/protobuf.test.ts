// The protobuf reader against bodies recorded from kubectl 1.32's imperative `create` commands.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeProtobufObject } from "./protobuf.ts";

const body = (name: string): Buffer => readFileSync(new URL(`./testdata/kubectl-create-${name}.pb`, import.meta.url));

test("decodes kubectl create namespace", () => {
  assert.deepEqual(decodeProtobufObject(body("namespace")), { apiVersion: "v1", kind: "Namespace", metadata: { name: "pbtest" }, spec: {} });
});

test("decodes kubectl create secret generic with its bytes as base64", () => {
  const s = decodeProtobufObject(body("secret"));
  assert.deepEqual([s.kind, s.metadata.name, s.metadata.namespace], ["Secret", "s", "pbtest"]);
  assert.deepEqual(s.data, { user: Buffer.from("admin").toString("base64"), pass: Buffer.from("hunter2").toString("base64") });
});

test("decodes kubectl create configmap", () => {
  const c = decodeProtobufObject(body("configmap"));
  assert.deepEqual(c.data, { a: "1", b: "2" });
});

test("decodes kubectl create job down to the container command", () => {
  const j = decodeProtobufObject(body("job"));
  assert.equal(j.apiVersion, "batch/v1");
  const c = j.spec.template.spec.containers[0];
  assert.deepEqual([c.name, c.image, c.command], ["jj", "busybox:1.36", ["sh", "-c", "echo hi"]]);
  assert.equal(j.spec.template.spec.restartPolicy, "Never");
});

test("rejects a body without the k8s envelope", () => {
  assert.throws(() => decodeProtobufObject(Buffer.from("{}")), /envelope/);
});

test("decodes kubectl create serviceaccount", () => {
  const sa = decodeProtobufObject(readFileSync(new URL("./testdata/kubectl-create-serviceaccount.pb", import.meta.url)));
  assert.deepEqual(sa, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot" } });
});

test("decodes kubectl create service with an integer target port", () => {
  const s = decodeProtobufObject(readFileSync(new URL("./testdata/kubectl-create-service.pb", import.meta.url)));
  assert.deepEqual(s.spec.ports, [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }]);
  assert.equal(s.spec.type, "ClusterIP");
});
