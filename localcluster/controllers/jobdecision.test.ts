import { test } from "node:test";
import assert from "node:assert/strict";
import { decideJob, formatIndexes, parseIndexes, type DecideOptions } from "./jobdecision.ts";
import type { Job, JobSpec, Pod } from "./types.ts";

const now = new Date("2026-01-01T00:01:00Z");
const opts: DecideOptions = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };
const job = (spec: Partial<JobSpec> = {}, status: Job["status"] = {}): Job => ({
  metadata: { name: "j", namespace: "ns", uid: "u", resourceVersion: "1" },
  spec: { parallelism: 2, completions: 2, backoffLimit: 0, completionMode: "Indexed", template: { spec: { containers: [{ name: "main" }] } }, ...spec },
  status,
});
let n = 0;
const pod = (index: number | undefined, phase: "Pending" | "Running" | "Succeeded" | "Failed", exitCode?: number, finishedAt = "2026-01-01T00:00:59Z"): Pod => ({
  metadata: { name: `p${n++}`, namespace: "ns", uid: `p${n}`, resourceVersion: "1", annotations: index === undefined ? {} : { "batch.kubernetes.io/job-completion-index": String(index) } },
  spec: { containers: [{ name: "main" }] },
  status: { phase, containerStatuses: exitCode === undefined ? [] : [{ name: "main", image: "", imageID: "", ready: false, started: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode, finishedAt } } }] },
});
const cond = (j: Job, d: ReturnType<typeof decideJob>, type: string) => d.status.conditions?.find((c) => c.type === type && c.status === "True")?.reason;

test("creates one pod per missing index up to parallelism", () => {
  const d = decideJob(job({ completions: 4, parallelism: 2 }), [], now, opts);
  assert.deepEqual(d.create, [0, 1]);
  assert.equal(d.status.active, 2);
  assert.equal(d.status.startTime, now.toISOString());
});

test("fills only indexes that neither succeeded nor run", () => {
  const d = decideJob(job({ completions: 4, parallelism: 3 }), [pod(0, "Succeeded", 0), pod(1, "Running")], now, opts);
  assert.deepEqual(d.create, [2, 3]);
  assert.equal(d.status.completedIndexes, "0");
});

test("completes an Indexed Job when every index succeeded", () => {
  const d = decideJob(job(), [pod(0, "Succeeded", 0), pod(1, "Succeeded", 0)], now, opts);
  assert.equal(cond(job(), d, "Complete"), "CompletionsReached");
  assert.equal(d.status.succeeded, 2);
  assert.equal(d.status.completedIndexes, "0-1");
  assert.deepEqual(d.events.map((e) => e.reason), ["Completed"]);
});

test("fails the Job and deletes the running pods once failures exceed backoffLimit", () => {
  const running = pod(1, "Running");
  const d = decideJob(job(), [pod(0, "Failed", 1), running], now, opts);
  assert.equal(cond(job(), d, "Failed"), "BackoffLimitExceeded");
  assert.deepEqual(d.remove, [running]);
  assert.deepEqual(d.create, []);
});

test("waits out the pod backoff before replacing a failed pod", () => {
  const d = decideJob(job({ backoffLimit: 3, completions: 1, parallelism: 1 }), [pod(0, "Failed", 1, "2026-01-01T00:00:58Z")], now, opts);
  assert.deepEqual(d.create, []);
  assert.equal(d.requeueAfterMs, 8000);
  const later = decideJob(job({ backoffLimit: 3, completions: 1, parallelism: 1 }), [pod(0, "Failed", 1, "2026-01-01T00:00:40Z")], now, opts);
  assert.deepEqual(later.create, [0]);
});

test("fails the Job at once on an exit code a FailJob rule names", () => {
  const spec = { backoffLimit: 5, podFailurePolicy: { rules: [{ action: "FailJob" as const, onExitCodes: { operator: "In" as const, values: [42] } }] } };
  const d = decideJob(job(spec), [pod(0, "Failed", 42)], now, opts);
  assert.equal(cond(job(spec), d, "Failed"), "PodFailurePolicy");
  assert.match(d.status.conditions?.find((c) => c.type === "Failed")?.message ?? "", /exit code 42 matching FailJob rule at index 0/);
});

test("does not count failures an Ignore rule matches", () => {
  const spec = { podFailurePolicy: { rules: [{ action: "Ignore" as const, onPodConditions: [{ type: "DisruptionTarget" }] }] } };
  const evicted = pod(0, "Failed", 137);
  evicted.status = { ...evicted.status, conditions: [{ type: "DisruptionTarget", status: "True" }] };
  const d = decideJob(job(spec), [evicted], now, opts);
  assert.equal(d.status.failed, 0);
  assert.equal(cond(job(spec), d, "Failed"), undefined);
  assert.deepEqual(d.create, [0, 1]);
});

test("suspends a Job by deleting its running pods and resumes it with a new start time", () => {
  const running = pod(0, "Running");
  const s = decideJob(job({ suspend: true }, { startTime: "2025-01-01T00:00:00Z" }), [running], now, opts);
  assert.deepEqual(s.remove, [running]);
  assert.equal(cond(job(), s, "Suspended"), "JobSuspended");
  assert.equal(s.status.startTime, undefined);
  const r = decideJob(job({ suspend: false }, s.status), [], now, opts);
  assert.equal(r.status.conditions?.find((c) => c.type === "Suspended")?.status, "False");
  assert.equal(r.status.startTime, now.toISOString());
  assert.deepEqual(r.create, [0, 1]);
});

test("fails a Job that outlives activeDeadlineSeconds", () => {
  const d = decideJob(job({ activeDeadlineSeconds: 30 }, { startTime: "2026-01-01T00:00:00Z" }), [pod(0, "Running")], now, opts);
  assert.equal(cond(job(), d, "Failed"), "DeadlineExceeded");
});

test("runs NonIndexed pods until completions succeeded", () => {
  const spec = { completionMode: "NonIndexed" as const, completions: 3, parallelism: 2 };
  assert.equal(decideJob(job(spec), [pod(undefined, "Succeeded", 0)], now, opts).create.length, 2);
  assert.equal(decideJob(job(spec), [pod(undefined, "Succeeded", 0), pod(undefined, "Succeeded", 0), pod(undefined, "Running")], now, opts).create.length, 0);
});

test("deletes a finished Job once ttlSecondsAfterFinished has passed, and not before", () => {
  const finished = { conditions: [{ type: "Complete", status: "True" as const, lastTransitionTime: "2026-01-01T00:00:30Z" }], completionTime: "2026-01-01T00:00:30Z" };
  assert.equal(decideJob(job({ ttlSecondsAfterFinished: 60 }, finished), [], now, opts).requeueAfterMs, 30_000);
  assert.equal(decideJob(job({ ttlSecondsAfterFinished: 10 }, finished), [], now, opts).deleteJob, true);
  assert.equal(decideJob(job({}, finished), [], now, opts).deleteJob, false);
});

test("reads and writes completed indexes as ranges", () => {
  assert.equal(formatIndexes(parseIndexes("0-2,5,7-8")), "0-2,5,7-8");
  assert.equal(formatIndexes(new Set([3, 1, 2, 9])), "1-3,9");
});
