// The local cluster as @kubernetes/client-node sees it (the operator's client): typed APIs,
// server-side apply through KubernetesObjectApi, and an informer's list-then-watch.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { pino } from "pino";
import { eventually } from "../test/eventually.ts";
import { startLocalCluster, type LocalCluster } from "./cluster.ts";
import { widget, widgetCrd } from "./testdata/fixtures.ts";

let cluster: LocalCluster;
let kc: k8s.KubeConfig;

before(async () => {
  cluster = await startLocalCluster({ dataDir: mkdtempSync(join(tmpdir(), "lc-client-")), log: pino({ level: "silent" }), controllers: false, kubernetesMinor: "32" });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
});
after(async () => cluster.stop());

test("creates and reads objects through the typed APIs", async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "typed" }, data: { a: "b" } } });
  const cm = await core.readNamespacedConfigMap({ namespace: "default", name: "typed" });
  assert.equal(cm.data?.a, "b");
  await assert.rejects(core.readNamespacedConfigMap({ namespace: "default", name: "absent" }), (e: unknown) => e instanceof k8s.ApiException && e.code === 404);
});

test("applies a custom resource server-side and patches its status", async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  await objects.create(widgetCrd);
  const applied = await objects.patch({ ...widget("ssa-client"), metadata: { name: "ssa-client", namespace: "default" } }, undefined, undefined, "temper-operator", true, k8s.PatchStrategy.ServerSideApply);
  assert.equal((applied as unknown as { spec: { replicas: number } }).spec.replicas, 2);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  await custom.patchNamespacedCustomObjectStatus(
    { group: "example.temper.dev", version: "v1alpha1", namespace: "default", plural: "widgets", name: "ssa-client", body: { status: { phase: "Running" } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
  const got = (await custom.getNamespacedCustomObject({ group: "example.temper.dev", version: "v1alpha1", namespace: "default", plural: "widgets", name: "ssa-client" })) as { status: { phase: string } };
  assert.equal(got.status.phase, "Running");
});

test("feeds an informer its initial list and later changes", async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, "/api/v1/namespaces/default/configmaps", () => core.listNamespacedConfigMap({ namespace: "default" }));
  const seen = new Set<string>();
  informer.on("add", (o) => seen.add(String(o.metadata?.name)));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "informed" }, data: {} } });
    await eventually(() => assert.ok(seen.has("typed") && seen.has("informed")));
  } finally {
    await informer.stop();
  }
});
