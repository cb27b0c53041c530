// The informer against a small HTTP server written here that speaks the list/watch protocol,
// so each failure (stream end, 410 Gone, silence) can be produced on demand.
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import { after, before, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { pino } from "pino";
import { eventually } from "../test/eventually.ts";
import { newInformer, type ChangeType } from "./informer.ts";
import { newKube, type Kube } from "./kube.ts";
import { resources } from "./resources.ts";

interface Req { kind: "list" | "watch"; rv: string; selector: string }
const requests: Req[] = [];
let items: { metadata: { name: string; namespace: string; resourceVersion: string } }[] = [];
let listRv = "10";
let onWatch: (res: ServerResponse, rv: string) => void = () => {};
const open: ServerResponse[] = [];
let kube: Kube;
const server = createServer((req, res) => {
  const u = new URL(req.url ?? "/", "http://x");
  const selector = u.searchParams.get("labelSelector") ?? "";
  if (u.searchParams.get("watch") === "true") {
    const rv = u.searchParams.get("resourceVersion") ?? "";
    requests.push({ kind: "watch", rv, selector });
    res.writeHead(200, { "Content-Type": "application/json" });
    open.push(res);
    onWatch(res, rv);
    return;
  }
  requests.push({ kind: "list", rv: "", selector });
  res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ kind: "JobList", metadata: { resourceVersion: listRv }, items }));
});
const obj = (name: string, rv: string) => ({ metadata: { name, namespace: "ns", resourceVersion: rv } });
const send = (res: ServerResponse, type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");
const log = pino({ level: "silent" });

before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x",
  });
  kube = await newKube(kc);
});
after(() => {
  for (const r of open) r.destroy();
  server.close();
  server.closeAllConnections();
});

function start(extra: { watchdogMs?: number; labelSelector?: string } = {}) {
  const seen: [ChangeType, string][] = [];
  const inf = newInformer({ kube, resource: resources.Job, namespace: "ns", log, random: () => 0.5, backoffMs: 20, resyncMs: 0, ...extra });
  inf.on((t, o) => seen.push([t, o.metadata.name]));
  inf.start();
  return { inf, seen };
}

test("lists, then watches from the list's resourceVersion with the label selector, and applies events", async () => {
  requests.length = 0;
  items = [obj("a", "5")];
  listRv = "10";
  onWatch = (res, rv) => {
    if (rv === "10") {
      send(res, "ADDED", obj("b", "11"));
      send(res, "MODIFIED", obj("a", "12"));
      send(res, "DELETED", obj("b", "13"));
    }
  };
  const { inf, seen } = start({ labelSelector: "app=x" });
  await inf.synced();
  await eventually(() => assert.deepEqual(seen, [["add", "a"], ["add", "b"], ["update", "a"], ["delete", "b"]]));
  assert.deepEqual(requests.slice(0, 2), [{ kind: "list", rv: "", selector: "app=x" }, { kind: "watch", rv: "10", selector: "app=x" }]);
  assert.equal(inf.get("ns/a")?.metadata.resourceVersion, "12");
  assert.equal(inf.get("ns/b"), undefined);
  inf.stop();
});

test("resumes from the last seen resourceVersion, bookmarks included, when a stream ends", async () => {
  requests.length = 0;
  items = [];
  listRv = "20";
  onWatch = (res, rv) => {
    if (rv === "20") {
      send(res, "ADDED", obj("c", "21"));
      send(res, "BOOKMARK", { metadata: { resourceVersion: "25" } });
      res.end();
    }
  };
  const { inf, seen } = start();
  await eventually(() => assert.ok(requests.some((r) => r.kind === "watch" && r.rv === "25")));
  assert.equal(requests.filter((r) => r.kind === "list").length, 1);
  assert.deepEqual(seen, [["add", "c"]]);
  inf.stop();
});

test("relists after 410 Gone and reports objects deleted meanwhile", async () => {
  requests.length = 0;
  items = [obj("old", "30")];
  listRv = "30";
  onWatch = (res, rv) => {
    if (rv === "30") {
      items = [obj("new", "40")];
      listRv = "40";
      send(res, "ERROR", { kind: "Status", code: 410, reason: "Expired", message: "too old" });
    }
  };
  const { inf, seen } = start();
  await eventually(() => assert.deepEqual(seen, [["add", "old"], ["add", "new"], ["delete", "old"]]));
  assert.equal(inf.stats.gone, 1);
  assert.equal(requests.filter((r) => r.kind === "list").length, 2);
  inf.stop();
});

test("closes a silent watch after the watchdog period and watches again", async () => {
  requests.length = 0;
  items = [];
  listRv = "50";
  onWatch = (res) => res.flushHeaders();
  const { inf } = start({ watchdogMs: 150 });
  await eventually(() => assert.ok(requests.filter((r) => r.kind === "watch").length >= 2), 5000);
  assert.ok(inf.stats.watchdogCloses >= 1);
  inf.stop();
});

test("gives up on a watch whose server never sends headers", async () => {
  requests.length = 0;
  items = [];
  listRv = "60";
  onWatch = () => {};
  const { inf } = start({ watchdogMs: 150 });
  await eventually(() => assert.ok(requests.filter((r) => r.kind === "watch").length >= 2), 5000);
  inf.stop();
});
