// The local cluster as real kubectl sees it: every command here is the kubectl on PATH (or
// $KUBECTL) talking HTTPS to the embedded API server, checked by what kubectl prints.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { stringify } from "yaml";
import { eventually } from "../test/eventually.ts";
import { call } from "../test/kube-http.ts";
import { kubectlFor, type Kubectl } from "../test/kubectl.ts";
import { startLocalCluster, type LocalCluster } from "./cluster.ts";
import { findKubectl } from "./kubectl-binary.ts";
import { logPath } from "./logs.ts";
import { widget, widgetCrd } from "./testdata/fixtures.ts";

let cluster: LocalCluster;
let k: Kubectl;
let dir: string;

function file(name: string, obj: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof obj === "string" ? obj : stringify(obj));
  return p;
}

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await k(args, stdin);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "lc-kubectl-"));
  cluster = await startLocalCluster({ dataDir: join(dir, "data"), log: pino({ level: "silent" }), controllers: false });
  k = kubectlFor(cluster.kubeconfigPath);
  await ok(["apply", "-f", file("crd.yaml", widgetCrd)]);
  await ok(["create", "namespace", "team"]);
});
after(async () => cluster.stop());

test("applies the project's CRDs and examples and prints their columns", async () => {
  const root = new URL("..", import.meta.url).pathname;
  await ok(["apply", "-f", join(root, "crds")]);
  await ok(["create", "namespace", "examples"]);
  await ok(["-n", "examples", "apply", "-f", join(root, "examples")]);
  assert.match((await ok(["-n", "examples", "get", "rljobs"])).split("\n")[0], /TEMPERATURE/);
  assert.match(await ok(["explain", "rljob.spec.temperature"]), /FIELDS:/);
  const bad = await k(["-n", "examples", "patch", "rljob", "demo-rl", "--type=merge", "-p", '{"spec":{"temperature":{"min":5,"max":1}}}']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /The RLJob "demo-rl" is invalid/);
});

test("creates a namespace, secret, configmap and job imperatively", async () => {
  assert.match(await ok(["-n", "team", "create", "secret", "generic", "s", "--from-literal=k=v"]), /secret\/s created/);
  assert.match(await ok(["-n", "team", "create", "configmap", "c", "--from-literal=x=y"]), /configmap\/c created/);
  assert.match(await ok(["-n", "team", "create", "job", "j", "--image=busybox", "--", "echo", "hi"]), /job.batch\/j created/);
  assert.equal(await ok(["-n", "team", "get", "secret", "s", "-o", "jsonpath={.data.k}"]), Buffer.from("v").toString("base64"));
  assert.equal(await ok(["-n", "team", "get", "job", "j", "-o", "jsonpath={.spec.template.spec.containers[0].command}"]), '["echo","hi"]');
});

test("prints printer columns, wide columns, YAML and JSON for custom resources", async () => {
  await ok(["-n", "team", "apply", "-f", file("w.yaml", widget("print", { temperature: { initial: 0.7 } }))]);
  const table = await ok(["-n", "team", "get", "widgets"]);
  assert.match(table.split("\n")[0], /NAME\s+PHASE\s+TEMPERATURE\s+AGE/);
  assert.match(table, /print\s+0\.7\s+\d+s/);
  assert.match((await ok(["-n", "team", "get", "wd", "-o", "wide"])).split("\n")[0], /REPLICAS/);
  assert.match(await ok(["-n", "team", "get", "wd", "print", "-o", "yaml"]), /mode: Fast/);
  assert.equal(JSON.parse(await ok(["-n", "team", "get", "wd", "-o", "json"])).items[0].apiVersion, "example.temper.dev/v1alpha1");
  assert.match(await ok(["get", "temper", "-A"]), /team\s+(widget\.example\.temper\.dev\/)?print\s/);
});

test("explains custom resource fields from OpenAPI v3", async () => {
  const out = await ok(["explain", "widget.spec.temperature"]);
  assert.match(out, /temperature is the sampling temperature policy/);
  assert.match(out, /initial\s+<number>/);
});

test("explains built-in kinds and rejects their unknown fields", async () => {
  assert.match(await ok(["explain", "pod.spec.containers.image"]), /Container image name/);
  const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "typo" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox", imagePolicy: "Always" }] } } } };
  const r = await k(["-n", "team", "apply", "-f", file("typo.yaml", job)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown field "spec.template.spec.containers\[0\].imagePolicy"/);
});

test("describes an object with its events", async () => {
  const w = JSON.parse(await ok(["-n", "team", "get", "wd", "print", "-o", "json"]));
  const ev = { metadata: { name: "print.1" }, involvedObject: { kind: "Widget", name: "print", namespace: "team", uid: w.metadata.uid, apiVersion: "example.temper.dev/v1alpha1" }, reason: "Tested", message: "described by a test", type: "Normal", source: { component: "tester" }, firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString() };
  assert.equal((await call(cluster, "POST", "/api/v1/namespaces/team/events", ev)).status, 201);
  const out = await ok(["-n", "team", "describe", "widget", "print"]);
  assert.match(out, /Replicas:\s+2/);
  assert.match(out, /Normal\s+Tested\s+\S+\s+tester\s+described by a test/);
});

test("rejects a bad manifest with the field path and leaves nothing behind", async () => {
  const r = await k(["-n", "team", "apply", "-f", file("bad.yaml", widget("bad", { replicas: 9, temperature: { min: 3, max: 1 } }))]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Widget "bad" is invalid/);
  assert.match(r.stderr, /spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 8/);
  assert.match(r.stderr, /spec.temperature: Invalid value: "object": min must not exceed max/);
  const unknown = await k(["-n", "team", "apply", "-f", file("unknown.yaml", widget("unknown", { colour: "red" }))]);
  assert.match(unknown.stderr, /unknown field "spec.colour"/);
  assert.equal((await k(["-n", "team", "get", "wd", "bad"])).code, 1);
  assert.equal((await k(["-n", "team", "get", "wd", "unknown"])).code, 1);
});

test("patches with merge, JSON, strategic and status patches", async () => {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "busybox:1" }, { name: "b", image: "busybox:1" }] } };
  await ok(["-n", "team", "apply", "-f", file("pod.yaml", pod)]);
  await ok(["-n", "team", "patch", "pod", "p", "-p", '{"spec":{"containers":[{"name":"b","image":"busybox:2"}]}}']);
  assert.equal(await ok(["-n", "team", "get", "pod", "p", "-o", "jsonpath={.spec.containers[*].image}"]), "busybox:1 busybox:2");
  await ok(["-n", "team", "patch", "wd", "print", "--type=merge", "-p", '{"spec":{"replicas":3}}']);
  await ok(["-n", "team", "patch", "wd", "print", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]']);
  await ok(["-n", "team", "patch", "wd", "print", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running"}}']);
  const w = JSON.parse(await ok(["-n", "team", "get", "wd", "print", "-o", "json"]));
  assert.deepEqual([w.spec.replicas, w.status.phase, w.metadata.generation], [4, "Running", 3]);
  const invalid = await k(["-n", "team", "patch", "wd", "print", "--type=merge", "-p", '{"spec":{"temperature":{"min":5,"max":1}}}']);
  assert.equal(invalid.code, 1);
  const smp = await k(["-n", "team", "patch", "wd", "print", "-p", '{"spec":{"replicas":5}}']);
  assert.match(smp.stderr, /application\/strategic-merge-patch\+json is not supported/);
});

test("applies server-side with field managers and conflicts", async () => {
  const path = file("ssa.yaml", widget("ssa", { replicas: 3 }));
  assert.match(await ok(["-n", "team", "apply", "--server-side", "-f", path]), /serverside-applied/);
  const other = file("ssa2.yaml", widget("ssa", { replicas: 5 }));
  const clash = await k(["-n", "team", "apply", "--server-side", "--field-manager=operator", "-f", other]);
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /conflict with "kubectl".*\.spec\.replicas/);
  await ok(["-n", "team", "apply", "--server-side", "--field-manager=operator", "--force-conflicts", "-f", other]);
  assert.equal(await ok(["-n", "team", "get", "wd", "ssa", "-o", "jsonpath={.spec.replicas}"]), "5");
});

test("labels objects and selects them by label", async () => {
  await ok(["-n", "team", "label", "wd", "print", "tier=gold"]);
  assert.equal((await ok(["-n", "team", "get", "wd", "-l", "tier=gold", "-o", "name"])).trim(), "widget.example.temper.dev/print");
  assert.equal((await ok(["-n", "team", "get", "wd", "-l", "tier!=gold", "-o", "name"])).includes("print"), false);
});

test("waits for a condition and watches changes with get -w", async () => {
  await ok(["-n", "team", "apply", "-f", file("waited.yaml", widget("waited"))]);
  const watcher = spawn(findKubectl() ?? "kubectl", ["-n", "team", "get", "wd", "waited", "-w"], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, KUBECACHEDIR: join(dir, "wcache") } });
  let watched = "";
  watcher.stdout.on("data", (d: Buffer) => (watched += d.toString()));
  const waiting = k(["-n", "team", "wait", "--for=condition=Ready", "wd/waited", "--timeout=20s"]);
  await new Promise((r) => setTimeout(r, 1500));
  await call(cluster, "PATCH", "/apis/example.temper.dev/v1alpha1/namespaces/team/widgets/waited/status", { status: { phase: "Done", conditions: [{ type: "Ready", status: "True" }] } }, "application/merge-patch+json");
  const w = await waiting;
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /condition met/);
  await eventually(() => assert.match(watched, /waited\s+Done/));
  watcher.kill();
});

test("deletes in the foreground after the dependents are gone", async () => {
  const owner = JSON.parse(await ok(["-n", "team", "get", "wd", "print", "-o", "json"]));
  const ref = { apiVersion: "example.temper.dev/v1alpha1", kind: "Widget", name: "print", uid: owner.metadata.uid, blockOwnerDeletion: true };
  await ok(["-n", "team", "apply", "-f", file("dep.yaml", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dep", ownerReferences: [ref] }, data: { a: "b" } })]);
  assert.match(await ok(["-n", "team", "delete", "wd", "print", "--cascade=foreground"]), /deleted/);
  assert.equal((await k(["-n", "team", "get", "cm", "dep"])).code, 1);
  assert.equal((await k(["-n", "team", "get", "wd", "print"])).code, 1);
});

test("prints a container's log with tail and follow", async () => {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "logger" }, spec: { containers: [{ name: "main", image: "busybox" }] } };
  await ok(["-n", "team", "apply", "-f", file("logger.yaml", pod)]);
  await call(cluster, "PATCH", "/api/v1/namespaces/team/pods/logger/status", { status: { phase: "Running" } }, "application/merge-patch+json");
  const path = logPath(cluster.dataDir, "team", "logger", "main");
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "one\ntwo\nthree\n");
  assert.equal(await ok(["-n", "team", "logs", "logger"]), "one\ntwo\nthree\n");
  assert.equal(await ok(["-n", "team", "logs", "logger", "--tail=1"]), "three\n");
  const following = k(["-n", "team", "logs", "-f", "logger"]);
  await new Promise((r) => setTimeout(r, 700));
  writeFileSync(path, "one\ntwo\nthree\nfour\n");
  await new Promise((r) => setTimeout(r, 700));
  await call(cluster, "PATCH", "/api/v1/namespaces/team/pods/logger/status", { status: { phase: "Succeeded" } }, "application/merge-patch+json");
  assert.equal((await following).stdout, "one\ntwo\nthree\nfour\n");
});
