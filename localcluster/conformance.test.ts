// Conformance-style checks of the local API server over HTTP: the semantics kubectl and
// controllers rely on (409, 410, bookmarks, generation, status, GC, finalizers, dry run).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { call, watch } from "../test/kube-http.ts";
import { eventually } from "../test/eventually.ts";
import { startLocalCluster, type LocalCluster } from "./cluster.ts";
import { sweepEvents } from "./event-ttl.ts";
import { configMap, widget, widgetCrd, widgetsPath } from "./testdata/fixtures.ts";
import type { Obj } from "./types.ts";

const CM = "/api/v1/namespaces/default/configmaps";
let cluster: LocalCluster;
let dataDir: string;

async function startAt(dir: string): Promise<LocalCluster> {
  return startLocalCluster({ dataDir: dir, log: pino({ level: "silent" }), kubernetesMinor: "32", controllers: false, bookmarkIntervalMs: 200, watchHistory: 50 });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "lc-conf-"));
  cluster = await startAt(dataDir);
  const r = await call(cluster, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCrd);
  assert.equal(r.status, 201, r.text);
});
after(async () => cluster.stop());

describe("basics", () => {
  test("reports the configured minor version and needs the bearer token", async () => {
    const v = await call(cluster, "GET", "/version");
    assert.equal(v.body.minor, "32");
    const anon = await call({ ...cluster, token: "wrong" }, "GET", "/api/v1/namespaces");
    assert.equal(anon.status, 401);
    assert.equal(anon.body.kind, "Status");
  });

  test("answers a missing object with a NotFound Status naming the resource", async () => {
    const r = await call(cluster, "GET", `${widgetsPath("default")}/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.body.reason, "NotFound");
    assert.equal(r.body.message, 'widgets.example.temper.dev "nope" not found');
  });

  test("rejects a second create of the same name with 409 AlreadyExists", async () => {
    assert.equal((await call(cluster, "POST", CM, configMap("dup"))).status, 201);
    const again = await call(cluster, "POST", CM, configMap("dup"));
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, "AlreadyExists");
  });

  test("rejects a stale resourceVersion with 409 Conflict", async () => {
    const created = (await call(cluster, "POST", CM, configMap("stale"))).body;
    const fresh = await call(cluster, "PUT", `${CM}/stale`, { ...created, data: { a: "1" } });
    assert.equal(fresh.status, 200);
    const stale = await call(cluster, "PUT", `${CM}/stale`, { ...created, data: { a: "2" } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, "Conflict");
  });

  test("keeps the resourceVersion on a no-op patch", async () => {
    const created = (await call(cluster, "POST", CM, configMap("noop"))).body;
    const patched = await call(cluster, "PATCH", `${CM}/noop`, { data: { a: "b" } }, "application/merge-patch+json");
    assert.equal(patched.body.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test("survives a restart with its objects and forgets watch history", async () => {
    const created = (await call(cluster, "POST", CM, configMap("durable"))).body;
    await cluster.stop();
    cluster = await startAt(dataDir);
    const got = await call(cluster, "GET", `${CM}/durable`);
    assert.equal(got.body.metadata.uid, created.metadata.uid);
    const w = await watch(cluster, `${CM}?watch=true&resourceVersion=${Number(created.metadata.resourceVersion) - 1}`);
    const ev = await w.next();
    assert.equal(ev?.type, "ERROR");
    assert.equal(ev?.object.code, 410);
    w.close();
  });
});

describe("custom resources", () => {
  test("bumps generation on spec changes only and keeps status apart from spec", async () => {
    const p = widgetsPath("default");
    const w = (await call(cluster, "POST", p, widget("gen"))).body;
    assert.equal(w.metadata.generation, 1);
    const st = await call(cluster, "PATCH", `${p}/gen/status`, { status: { phase: "Running" }, spec: { replicas: 7 } }, "application/merge-patch+json");
    assert.equal(st.body.metadata.generation, 1);
    assert.equal(st.body.status.phase, "Running");
    assert.equal(st.body.spec.replicas, 2);
    const sp = await call(cluster, "PATCH", `${p}/gen`, { spec: { replicas: 3 }, status: { phase: "Hacked" } }, "application/merge-patch+json");
    assert.equal(sp.body.metadata.generation, 2);
    assert.equal(sp.body.status.phase, "Running");
    const meta = await call(cluster, "PATCH", `${p}/gen`, { metadata: { labels: { a: "b" } } }, "application/merge-patch+json");
    assert.equal(meta.body.metadata.generation, 2);
  });

  test("defaults, then rejects CEL, enum and bound violations with field causes", async () => {
    const ok = await call(cluster, "POST", widgetsPath("default"), widget("defaulted", { temperature: { initial: 0.5 } }));
    assert.equal(ok.body.spec.mode, "Fast");
    assert.equal(ok.body.spec.temperature.max, 2);
    const bad = await call(cluster, "POST", widgetsPath("default"), widget("bad", { replicas: 0, temperature: { min: 3, max: 1 }, source: {} }));
    assert.equal(bad.status, 422);
    const fields = bad.body.details.causes.map((c: { field: string }) => c.field).sort();
    assert.deepEqual(fields, ["spec.replicas", "spec.source", "spec.temperature"]);
    assert.equal((await call(cluster, "GET", `${widgetsPath("default")}/bad`)).status, 404);
    // An unsupported value is a blocking error: as the apiserver does, the CEL rules are then skipped, and a cause says so.
    const odd = await call(cluster, "POST", widgetsPath("default"), widget("odd", { mode: "Odd", temperature: { min: 3, max: 1 } }));
    assert.equal(odd.status, 422);
    assert.deepEqual(odd.body.details.causes.map((c: { field?: string }) => c.field ?? "").sort(), ["", "spec.mode"]);
    assert.match(odd.body.message, /some validation rules were not checked because the object was invalid/);
  });

  test("rejects unknown fields under Strict and prunes them under Ignore", async () => {
    const body = { ...widget("strict"), spec: { ...widget("strict").spec, bogus: 1 } };
    const strict = await call(cluster, "POST", `${widgetsPath("default")}?fieldValidation=Strict`, body);
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /unknown field "spec.bogus"/);
    const ignored = await call(cluster, "POST", `${widgetsPath("default")}?fieldValidation=Ignore`, body);
    assert.equal(ignored.status, 201);
    assert.equal(ignored.body.spec.bogus, undefined);
  });

  test("renders printer columns in a Table", async () => {
    await call(cluster, "POST", widgetsPath("default"), widget("tabled", { temperature: { initial: 0.9 } }));
    const t = await call(cluster, "GET", `${widgetsPath("default")}/tabled`, undefined, "application/json", { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    assert.equal(t.body.kind, "Table");
    assert.deepEqual(t.body.columnDefinitions.map((c: { name: string }) => c.name), ["Name", "Phase", "Temperature", "Replicas", "Age"]);
    assert.deepEqual(t.body.rows[0].cells.slice(0, 4), ["tabled", null, 0.9, 2]);
  });

  test("answers 415 to a strategic merge patch on a custom resource", async () => {
    await call(cluster, "POST", widgetsPath("default"), widget("smp"));
    const r = await call(cluster, "PATCH", `${widgetsPath("default")}/smp`, { spec: { replicas: 3 } }, "application/strategic-merge-patch+json");
    assert.equal(r.status, 415);
  });
});

describe("writes", () => {
  test("dry run validates and answers without storing", async () => {
    const r = await call(cluster, "POST", `${CM}?dryRun=All`, configMap("dry"));
    assert.equal(r.status, 201);
    assert.equal((await call(cluster, "GET", `${CM}/dry`)).status, 404);
  });

  test("dry-run patches and deletes answer as if done and change nothing", async () => {
    const created = (await call(cluster, "POST", CM, configMap("dry2"))).body;
    const patched = await call(cluster, "PATCH", `${CM}/dry2?dryRun=All`, { data: { a: "changed" } }, "application/merge-patch+json");
    assert.equal(patched.body.data.a, "changed");
    const deleted = await call(cluster, "DELETE", `${CM}/dry2`, { dryRun: ["All"] });
    assert.equal(deleted.status, 200);
    const after = await call(cluster, "GET", `${CM}/dry2`);
    assert.equal(after.body.data.a, "b");
    assert.equal(after.body.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test("a finalizer holds a deleted object until it is removed", async () => {
    await call(cluster, "POST", CM, configMap("held", { finalizers: ["example.com/hold"] }));
    const del = await call(cluster, "DELETE", `${CM}/held`);
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.equal((await call(cluster, "GET", `${CM}/held`)).status, 200);
    await call(cluster, "PATCH", `${CM}/held`, { metadata: { finalizers: null } }, "application/merge-patch+json");
    assert.equal((await call(cluster, "GET", `${CM}/held`)).status, 404);
  });

  test("collects dependents in the background once the owner is gone", async () => {
    const owner = (await call(cluster, "POST", CM, configMap("owner"))).body;
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid };
    await call(cluster, "POST", CM, configMap("dependent", { ownerReferences: [ref] }));
    await call(cluster, "DELETE", `${CM}/owner`, { propagationPolicy: "Background" });
    await eventually(async () => assert.equal((await call(cluster, "GET", `${CM}/dependent`)).status, 404));
  });

  test("foreground deletion removes the owner only after its dependents", async () => {
    const owner = (await call(cluster, "POST", CM, configMap("fg-owner"))).body;
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "fg-owner", uid: owner.metadata.uid, blockOwnerDeletion: true };
    await call(cluster, "POST", CM, configMap("fg-child", { ownerReferences: [ref], finalizers: ["example.com/slow"] }));
    const del = await call(cluster, "DELETE", `${CM}/fg-owner`, { propagationPolicy: "Foreground" });
    assert.deepEqual(del.body.metadata.finalizers, ["foregroundDeletion"]);
    await eventually(async () => assert.ok((await call(cluster, "GET", `${CM}/fg-child`)).body.metadata.deletionTimestamp));
    assert.equal((await call(cluster, "GET", `${CM}/fg-owner`)).status, 200);
    await call(cluster, "PATCH", `${CM}/fg-child`, { metadata: { finalizers: null } }, "application/merge-patch+json");
    await eventually(async () => assert.equal((await call(cluster, "GET", `${CM}/fg-owner`)).status, 404));
  });
});

describe("deletion", () => {
  test("orphan propagation keeps dependents and drops their owner reference", async () => {
    const owner = (await call(cluster, "POST", CM, configMap("orphan-owner"))).body;
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "orphan-owner", uid: owner.metadata.uid };
    await call(cluster, "POST", CM, configMap("orphan-child", { ownerReferences: [ref] }));
    await call(cluster, "DELETE", `${CM}/orphan-owner`, { propagationPolicy: "Orphan" });
    await eventually(async () => assert.equal((await call(cluster, "GET", `${CM}/orphan-owner`)).status, 404));
    const child = await call(cluster, "GET", `${CM}/orphan-child`);
    assert.equal(child.status, 200);
    assert.equal(child.body.metadata.ownerReferences, undefined);
  });

  test("deleting a namespace deletes its contents, refuses new ones, then goes", async () => {
    await call(cluster, "POST", "/api/v1/namespaces", { metadata: { name: "doomed" } });
    await call(cluster, "POST", "/api/v1/namespaces/doomed/configmaps", configMap("held", { finalizers: ["example.com/hold"] }));
    await call(cluster, "POST", `${widgetsPath("doomed")}`, widget("w"));
    const del = await call(cluster, "DELETE", "/api/v1/namespaces/doomed");
    assert.equal(del.body.status.phase, "Terminating");
    const refused = await call(cluster, "POST", "/api/v1/namespaces/doomed/configmaps", configMap("late"));
    assert.equal(refused.status, 403);
    await eventually(async () => assert.equal((await call(cluster, "GET", `${widgetsPath("doomed")}/w`)).status, 404));
    assert.equal((await call(cluster, "GET", "/api/v1/namespaces/doomed")).status, 200);
    await call(cluster, "PATCH", "/api/v1/namespaces/doomed/configmaps/held", { metadata: { finalizers: null } }, "application/merge-patch+json");
    await eventually(async () => assert.equal((await call(cluster, "GET", "/api/v1/namespaces/doomed")).status, 404));
  });
});

describe("lists and watches", () => {
  test("filters by label and field selectors and pages with limit and continue", async () => {
    await call(cluster, "POST", "/api/v1/namespaces", { metadata: { name: "paging" } });
    const path = "/api/v1/namespaces/paging/configmaps";
    for (const n of ["a", "b", "c", "d", "e"]) await call(cluster, "POST", path, configMap(n, { labels: { tier: n < "c" ? "low" : "high" } }));
    assert.deepEqual((await call(cluster, "GET", `${path}?labelSelector=tier%3Dlow`)).body.items.map((o: { metadata: { name: string } }) => o.metadata.name), ["a", "b"]);
    assert.deepEqual((await call(cluster, "GET", `${path}?labelSelector=tier%20in%20(high),tier!%3Dlow&fieldSelector=metadata.name!%3Dd`)).body.items.map((o: { metadata: { name: string } }) => o.metadata.name), ["c", "e"]);
    const names: string[] = [];
    let cont = "";
    for (let i = 0; i < 5; i++) {
      const page = (await call(cluster, "GET", `${path}?limit=2${cont ? `&continue=${cont}` : ""}`)).body;
      names.push(...page.items.map((o: { metadata: { name: string } }) => o.metadata.name));
      cont = page.metadata.continue ?? "";
      if (cont === "") break;
    }
    assert.deepEqual(names, ["a", "b", "c", "d", "e"]);
  });

  test("streams only changes after the requested resourceVersion, with bookmarks when asked", async () => {
    const start = (await call(cluster, "GET", CM)).body.metadata.resourceVersion;
    const w = await watch(cluster, `${CM}?watch=true&resourceVersion=${start}&allowWatchBookmarks=true`);
    assert.equal(w.status, 200);
    await call(cluster, "POST", CM, configMap("watched"));
    const ev = await w.next();
    assert.equal(ev?.type, "ADDED");
    assert.equal(ev?.object.metadata.name, "watched");
    const bm = await w.next(2000);
    assert.equal(bm?.type, "BOOKMARK");
    assert.ok(Number(bm?.object.metadata.resourceVersion) >= Number(ev?.object.metadata.resourceVersion));
    w.close();
  });

  test("ends the initial events of a watch-list request with an initial-events-end bookmark", async () => {
    await call(cluster, "POST", "/api/v1/namespaces", { metadata: { name: "listwatch" } });
    await call(cluster, "POST", "/api/v1/namespaces/listwatch/configmaps", configMap("only"));
    const w = await watch(cluster, "/api/v1/namespaces/listwatch/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan");
    assert.equal((await w.next())?.object.metadata.name, "only");
    const end = await w.next();
    assert.equal(end?.type, "BOOKMARK");
    assert.equal(end?.object.metadata.annotations["k8s.io/initial-events-end"], "true");
    w.close();
  });

  test("ends a watch after timeoutSeconds", async () => {
    const began = Date.now();
    const w = await watch(cluster, `${CM}?watch=true&timeoutSeconds=1&resourceVersion=${(await call(cluster, "GET", CM)).body.metadata.resourceVersion}`);
    assert.equal(await w.next(3000), undefined);
    assert.ok(Date.now() - began >= 900);
  });

  test("answers 410 Gone for a resourceVersion the watch cache has compacted", async () => {
    const old = (await call(cluster, "GET", CM)).body.metadata.resourceVersion;
    for (let i = 0; i < 60; i++) await call(cluster, "POST", CM, configMap(`churn-${i}`));
    const w = await watch(cluster, `${CM}?watch=true&resourceVersion=${old}`);
    const ev = await w.next();
    assert.equal(ev?.type, "ERROR");
    assert.equal(ev?.object.code, 410);
    assert.equal(ev?.object.reason, "Expired");
  });
});

describe("built-in kinds", () => {
  test("stores events.k8s.io events as core events that describe can find", async () => {
    const ev = { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e1" }, regarding: { kind: "Widget", name: "w", namespace: "default", uid: "u-1" }, reason: "Started", note: "began", type: "Normal", action: "Start", reportingController: "temper.dev/operator", reportingInstance: "op-0", eventTime: "2026-01-01T00:00:00.000000Z" };
    assert.equal((await call(cluster, "POST", "/apis/events.k8s.io/v1/namespaces/default/events", ev)).status, 201);
    const core = await call(cluster, "GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.uid%3Du-1,involvedObject.name%3Dw");
    assert.equal(core.body.items.length, 1);
    assert.equal(core.body.items[0].message, "began");
    assert.equal(core.body.items[0].source.component, "temper.dev/operator");
    const back = await call(cluster, "GET", "/apis/events.k8s.io/v1/namespaces/default/events/e1");
    assert.equal(back.body.note, "began");
    assert.equal(back.body.regarding.uid, "u-1");
  });

  test("expires events last seen longer ago than the TTL", async () => {
    const ev = (name: string, at: string): Obj => ({ metadata: { name }, involvedObject: { kind: "Pod", name: "x", namespace: "default" }, reason: "R", message: "m", lastTimestamp: at });
    await call(cluster, "POST", "/api/v1/namespaces/default/events", ev("old-event", "2026-01-01T00:00:00Z"));
    await call(cluster, "POST", "/api/v1/namespaces/default/events", ev("new-event", "2026-01-01T00:59:00Z"));
    assert.ok(sweepEvents(cluster.api, Date.parse("2026-01-01T01:30:00Z"), 3_600_000) >= 1);
    assert.equal((await call(cluster, "GET", "/api/v1/namespaces/default/events/old-event")).status, 404);
    assert.equal((await call(cluster, "GET", "/api/v1/namespaces/default/events/new-event")).status, 200);
  });

  test("binds a pod to a node once through pods/binding", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "bound" }, spec: { containers: [{ name: "main", image: "busybox" }] } };
    assert.equal((await call(cluster, "POST", "/api/v1/namespaces/default/pods", pod)).status, 201);
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "bound" }, target: { kind: "Node", name: "node-a" } };
    assert.equal((await call(cluster, "POST", "/api/v1/namespaces/default/pods/bound/binding", binding)).status, 201);
    assert.equal((await call(cluster, "GET", "/api/v1/namespaces/default/pods/bound")).body.spec.nodeName, "node-a");
    assert.equal((await call(cluster, "POST", "/api/v1/namespaces/default/pods/bound/binding", { ...binding, target: { kind: "Node", name: "node-b" } })).status, 409);
  });

  test("defaults a job's selector, pod labels and restart rules, and rejects restartPolicy Always", async () => {
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } } } };
    const r = (await call(cluster, "POST", "/apis/batch/v1/namespaces/default/jobs", job)).body;
    assert.equal(r.spec.selector.matchLabels["batch.kubernetes.io/controller-uid"], r.metadata.uid);
    assert.equal(r.spec.template.metadata.labels["job-name"], "j");
    assert.deepEqual([r.spec.completions, r.spec.parallelism, r.spec.backoffLimit], [1, 1, 6]);
    const bad = structuredClone(job);
    bad.metadata.name = "j2";
    bad.spec.template.spec.restartPolicy = "Always";
    const rejected = await call(cluster, "POST", "/apis/batch/v1/namespaces/default/jobs", bad);
    assert.equal(rejected.status, 422);
    assert.equal(rejected.body.details.causes[0].field, "spec.template.spec.restartPolicy");
  });
});

describe("update rules of built-in kinds", () => {
  const JOBS = "/apis/batch/v1/namespaces/default/jobs";
  const job = (name: string, suspend: boolean): Obj => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name }, spec: { suspend, template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1" }] } } } });

  test("refuses to change a running job's pod template but allows it while suspended", async () => {
    await call(cluster, "POST", JOBS, job("fixed", false));
    const change = { spec: { template: { spec: { containers: [{ name: "main", image: "busybox:2" }] } } } };
    const refused = await call(cluster, "PATCH", `${JOBS}/fixed`, change, "application/strategic-merge-patch+json");
    assert.equal(refused.status, 422);
    assert.equal(refused.body.details.causes[0].field, "spec.template");
    await call(cluster, "POST", JOBS, job("paused", true));
    assert.equal((await call(cluster, "PATCH", `${JOBS}/paused`, change, "application/strategic-merge-patch+json")).status, 200);
  });

  test("lets a pod's image change but not the rest of its spec", async () => {
    const PODS = "/api/v1/namespaces/default/pods";
    await call(cluster, "POST", PODS, { metadata: { name: "fixedpod" }, spec: { containers: [{ name: "main", image: "busybox:1" }] } });
    assert.equal((await call(cluster, "PATCH", `${PODS}/fixedpod`, { spec: { containers: [{ name: "main", image: "busybox:2" }] } }, "application/strategic-merge-patch+json")).status, 200);
    const refused = await call(cluster, "PATCH", `${PODS}/fixedpod`, { spec: { containers: [{ name: "main", command: ["sh"] }] } }, "application/strategic-merge-patch+json");
    assert.equal(refused.status, 422);
    assert.equal(refused.body.details.causes[0].reason, "FieldValueForbidden");
  });

  test("rejects a label value the apiserver would reject", async () => {
    const r = await call(cluster, "POST", CM, configMap("badlabel", { labels: { "kueue.x-k8s.io/queue-name": "not ok" } }));
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, "metadata.labels");
  });
});

describe("built-in decoding", () => {
  test("drops fields a built-in kind does not define when validation is not strict", async () => {
    const r = await call(cluster, "POST", `${CM}?fieldValidation=Ignore`, { ...configMap("loose"), colour: "red", metadata: { name: "loose", shade: 1 } });
    assert.equal(r.status, 201);
    assert.equal(r.body.colour, undefined);
    assert.equal(r.body.metadata.shade, undefined);
    const warned = await call(cluster, "POST", CM, { ...configMap("warned"), colour: "red" });
    assert.equal(warned.headers.warning, '299 - "unknown field \\"colour\\""');
  });
});
