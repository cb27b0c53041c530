// The report endpoint over real HTTP, against in-memory caches and a recording API client: what a
// trainer gets back for each report, and that every failure is a metav1 Status as the API
// server would write it.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { pino } from "pino";
import { reportPath } from "../api/report.ts";
import { sftJob, type JobBuilder } from "../test/operator/builders.ts";
import type { Caches, Ctx } from "./client.ts";
import type { Informer } from "./informer.ts";
import { KubeError, type Kube, type KubeObject } from "./kube.ts";
import { handleReport } from "./report.ts";
import { keyOf, resources, type Resource } from "./resources.ts";

function informer(resource: Resource, objs: KubeObject[]): Informer {
  const cache = new Map(objs.map((o) => [keyOf(o.metadata.namespace ?? "", o.metadata.name), o]));
  return {
    resource,
    get: (key) => cache.get(key),
    list: () => [...cache.values()],
    on: () => {},
    synced: async () => {},
    start: () => {},
    stop: () => {},
    stats: { lists: 0, watches: 0, gone: 0, watchdogCloses: 0 },
  };
}

const secret = (job: string, token: string): KubeObject => ({
  apiVersion: "v1", kind: "Secret", metadata: { name: `${job}-report-token`, namespace: "ns" }, data: { token: Buffer.from(token).toString("base64") },
});

interface Call { method: string; path: string; body: unknown }
let calls: Call[] = [];
/** answer decides what the fake API server says to each request (default: 200 {}). */
let answer: (c: Call) => unknown = () => ({});
let caches: Caches;

const kube: Kube = {
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const c = { method, path, body };
    calls.push(c);
    return answer(c) as T;
  },
  stream: () => Promise.reject(new Error("no streams here")),
  writes: () => calls.filter((c) => c.method !== "GET").length,
};

function withJobs(...jobs: JobBuilder[]): void {
  const objs = jobs.map((b) => b.build().obj as unknown as KubeObject);
  caches = {
    SFTJob: informer(resources.SFTJob, objs),
    RLJob: informer(resources.RLJob, []),
    Job: informer(resources.Job, []),
    Secret: informer(resources.Secret, [secret("a", "tok-a"), secret("b", "tok-b")]),
    Pod: informer(resources.Pod, []),
  };
}

let server: Server;
let base = "";
before(async () => {
  const ctx = (): Ctx => ({ kube, caches, log: pino({ level: "silent" }), now: () => new Date("2026-01-02T00:00:00Z"), newToken: () => "t", image: "img", reportBaseUrl: base });
  server = createServer((req, res) => void handleReport(ctx(), req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr !== null ? addr.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  calls = [];
  answer = () => ({});
  withJobs(sftJob("ns", "a").status({ attempt: 1 }), sftJob("ns", "b").status({ attempt: 1 }));
});

const good = { attempt: 1, stage: "sft", epoch: 1, epochs: 3, checkpoint: "file:///checkpoints/epoch-1" };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(body: unknown, o: { token?: string; job?: string; method?: string; raw?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(base + reportPath("SFTJob", "ns", o.job ?? "a"), {
    method: o.method ?? "POST",
    headers: { Authorization: `Bearer ${o.token ?? "tok-a"}`, "Content-Type": "application/json" },
    ...((o.method ?? "POST") === "POST" ? { body: o.raw ?? JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

/** assertStatus checks the metav1 Status envelope and returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function assertStatus(r: { status: number; body: any }, code: number, reason: string): any {
  assert.equal(r.status, code);
  assert.deepEqual([r.body.kind, r.body.apiVersion, r.body.status, r.body.code, r.body.reason], ["Status", "v1", "Failure", code, reason]);
  assert.equal(typeof r.body.message, "string");
  return r.body;
}

test("records a report in status with the resourceVersion it read, and replies", async () => {
  const r = await post(good);
  assert.equal(r.status, 200);
  assert.equal(r.body.replay, false);
  const patch = calls.find((c) => c.path.endsWith("/sftjobs/a/status"));
  assert.deepEqual((patch?.body as { metadata: unknown }).metadata, { resourceVersion: "7" });
});

test("answers an invalid report with 422 Invalid, a cause naming the field, and writes nothing", async () => {
  const s = assertStatus(await post({ ...good, epoch: 0 }), 422, "Invalid");
  assert.deepEqual(s.details.causes.map((c: { reason: string; field: string }) => [c.reason, c.field]), [["FieldValueInvalid", "epoch"]]);
  assert.match(s.message, /^EpochReport "a" is invalid: epoch: Invalid value: 0: /);
  assert.equal(s.details.name, "a");
  assert.equal(kube.writes(), 0);
});

test("names every bad field, missing and unknown ones too", async () => {
  const { epochs: _, ...noEpochs } = good;
  const s = assertStatus(await post({ ...noEpochs, entropy: -1, entropyy: 0.3 }), 422, "Invalid");
  assert.deepEqual(s.details.causes.map((c: { field: string }) => c.field).sort(), ["entropy", "entropyy", "epochs"]);
});

test("answers a body that is not JSON with 400 BadRequest", async () => {
  assertStatus(await post(undefined, { raw: "{not json" }), 400, "BadRequest");
});

test("answers a body over 1 MiB with 413 RequestEntityTooLarge", async () => {
  assertStatus(await post(undefined, { raw: JSON.stringify({ ...good, stage: "x".repeat(1 << 20) }) }), 413, "RequestEntityTooLarge");
});

test("answers a missing or wrong token with 401 Unauthorized, another job's token too", async () => {
  assertStatus(await post(good, { token: "wrong" }), 401, "Unauthorized");
  assertStatus(await post(good, { token: "tok-b" }), 401, "Unauthorized");
  assert.equal(kube.writes(), 0);
});

test("answers a report for an unknown job with 404 NotFound naming it", async () => {
  const s = assertStatus(await post(good, { job: "ghost" }), 404, "NotFound");
  assert.equal(s.message, 'sftjobs.temper.dev "ghost" not found');
  assert.deepEqual(s.details, { name: "ghost", group: "temper.dev", kind: "sftjobs" });
});

test("answers anything but POST with 405 MethodNotAllowed", async () => {
  assertStatus(await post(undefined, { method: "GET" }), 405, "MethodNotAllowed");
  assertStatus(await post(undefined, { method: "PUT" }), 405, "MethodNotAllowed");
});

test("answers a report to a finished job, or from a replaced attempt, with 409 Conflict", async () => {
  withJobs(sftJob("ns", "a").status({ attempt: 1, phase: "Succeeded" }), sftJob("ns", "b").status({ attempt: 2 }));
  assert.match(assertStatus(await post(good), 409, "Conflict").message, /job is Succeeded/);
  assert.match(assertStatus(await post(good, { job: "b", token: "tok-b" }), 409, "Conflict").message, /attempt 1 was replaced by attempt 2/);
});

test("answers 503 ServiceUnavailable when every status write races another", async () => {
  const fresh = sftJob("ns", "a").status({ attempt: 1 }).build().obj;
  answer = (c) => {
    if (c.method === "PATCH") throw new KubeError(409, "Conflict", "the object has been modified");
    return fresh;
  };
  assertStatus(await post(good), 503, "ServiceUnavailable");
  assert.equal(calls.filter((c) => c.method === "PATCH").length, 4);
});

test("answers an unexpected API failure with 500 InternalError", async () => {
  answer = () => {
    throw new KubeError(500, "InternalError", "etcd is down");
  };
  assert.match(assertStatus(await post(good), 500, "InternalError").message, /etcd is down/);
});

test("a report from an unisolated sandbox sets SandboxDegraded in the one status write, then records a Warning Event on the job", async () => {
  const r = await post({ ...good, sandbox: { isolation: "None", reason: "no network namespace as uid 1000: unshare failed: Operation not permitted" } });
  assert.equal(r.status, 200);
  const writes = calls.filter((c) => c.method !== "GET");
  const status = writes.findIndex((c) => c.path.endsWith("/sftjobs/a/status"));
  const event = writes.findIndex((c) => c.path === "/api/v1/namespaces/ns/events");
  assert.ok(status >= 0 && event > status, writes.map((c) => c.path).join(", "));
  const conditions = (writes[status].body as { status: { conditions: { type: string; status: string; reason: string }[] } }).status.conditions;
  assert.deepEqual(conditions.map((c) => [c.type, c.status, c.reason]), [["SandboxDegraded", "True", "NetworkNotIsolated"]]);
  const e = writes[event].body as { type: string; reason: string; message: string; involvedObject: { kind: string; name: string } };
  assert.deepEqual([e.type, e.reason, e.involvedObject.kind, e.involvedObject.name], ["Warning", "NetworkNotIsolated", "SFTJob", "a"]);
  assert.match(e.message, /Operation not permitted/);
  assert.equal(writes.filter((c) => c.path.endsWith("/status")).length, 1);
});
