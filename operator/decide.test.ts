import assert from "node:assert/strict";
import { test } from "node:test";
import { getCondition } from "./conditions.ts";
import { decide, type Observed } from "./decide.ts";
import { attempt, rlJob, sftJob } from "../test/operator/builders.ts";

const now = "2026-01-01T00:10:00.000Z";
const none: Observed = { attempts: [], hasChildren: false };
const cond = (d: ReturnType<typeof decide>, t: string) => getCondition(d.status.conditions, t);

test("creates attempt 1 for a new job and says it is reconciling", () => {
  const d = decide(sftJob().workers(2).build(), none, now);
  assert.deepEqual(d.actions, [{ type: "createGang", attempt: 1 }]);
  assert.equal(d.status.phase, "Pending");
  assert.equal(d.status.attempt, 1);
  assert.equal(d.status.restarts, 0);
  assert.equal(d.status.startTime, now);
  assert.equal(cond(d, "Reconciling")?.status, "True");
  assert.equal(cond(d, "Ready")?.status, "False");
  assert.equal(cond(d, "Ready")?.observedGeneration, 1);
  assert.deepEqual(d.events.map((e) => e.reason), ["GangCreated"]);
});

test("reports Running and Ready once every worker is ready, without events on the next pass", () => {
  const job = sftJob().workers(2).status({ phase: "Pending", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 2, active: 2 })], hasChildren: true }, now);
  assert.equal(d.status.phase, "Running");
  assert.equal(cond(d, "Ready")?.status, "True");
  assert.equal(cond(d, "Ready")?.reason, "GangRunning");
  assert.deepEqual(d.actions, []);
  assert.equal(d.events.length, 1);
  const again = decide(sftJob().workers(2).status(d.status).build(), { attempts: [attempt(1, { ready: 2, active: 2 })], hasChildren: true }, now);
  assert.deepEqual(again.status, d.status);
  assert.equal(again.events.length, 0);
});

test("replaces the whole gang with attempt 2 resuming from the latest checkpoint when a pod fails", () => {
  const job = sftJob().status({ phase: "Running", attempt: 1, restarts: 0, latestCheckpoint: "file:///checkpoints/epoch-2" }).build();
  const d = decide(job, { attempts: [attempt(1, { failed: 1 })], hasChildren: true }, now);
  assert.deepEqual(d.actions, [{ type: "deleteAttempts", attempts: [1] }, { type: "createGang", attempt: 2, resumeFrom: "file:///checkpoints/epoch-2" }]);
  assert.equal(d.status.attempt, 2);
  assert.equal(d.status.restarts, 1);
  assert.equal(d.events[0].reason, "PodFailed");
});

test("fails with RestartLimitExceeded once maxRestarts is spent", () => {
  const job = sftJob().maxRestarts(1).status({ phase: "Running", attempt: 2, restarts: 1 }).build();
  const d = decide(job, { attempts: [attempt(2, { failedCondition: true })], hasChildren: true }, now);
  assert.equal(d.status.phase, "Failed");
  assert.equal(d.status.completionTime, now);
  assert.equal(cond(d, "Failed")?.status, "True");
  assert.equal(cond(d, "Failed")?.reason, "RestartLimitExceeded");
  assert.equal(cond(d, "Stalled")?.status, "True");
  assert.ok(!d.actions.some((a) => a.type === "createGang"));
});

test("restarts a gang that made no progress within the deadline", () => {
  const job = sftJob().deadline(60).status({ phase: "Running", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 1, created: "2026-01-01T00:00:00Z" })], hasChildren: true, lastProgress: "2026-01-01T00:08:00Z" }, now);
  assert.equal(d.status.attempt, 2);
  assert.equal(d.events[0].reason, "ProgressDeadlineExceeded");
});

test("leaves a gang alone whose last report is within the deadline and wakes at the deadline", () => {
  const job = sftJob().deadline(300).status({ phase: "Running", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 1 })], hasChildren: true, lastProgress: "2026-01-01T00:08:00Z" }, now);
  assert.equal(d.status.attempt, 1);
  assert.deepEqual(d.actions, []);
  assert.equal(d.requeueAfterMs, 181_000);
});

test("succeeds when the Job completes", () => {
  const job = sftJob().status({ phase: "Running", attempt: 1, restarts: 0, epoch: 5 }).build();
  const d = decide(job, { attempts: [attempt(1, { complete: true, succeeded: 1 })], hasChildren: true }, now);
  assert.equal(d.status.phase, "Succeeded");
  assert.equal(cond(d, "Succeeded")?.status, "True");
  assert.equal(cond(d, "Ready")?.status, "True");
});

test("keeps a finished job finished when its spec changes and its gang is gone", () => {
  const finished = sftJob().generation(2).workers(3).status({ phase: "Succeeded", attempt: 1, restarts: 0, completionTime: "2026-01-01T00:05:00Z", conditions: [] }).build();
  const d = decide(finished, none, now);
  assert.equal(d.status.phase, "Succeeded");
  assert.deepEqual(d.actions, []);
  assert.equal(d.status.observedGeneration, 2);
});

test("deletes the children of a finished job once ttlSecondsAfterFinished passed", () => {
  const job = sftJob().ttl(60).status({ phase: "Failed", completionTime: "2026-01-01T00:05:00Z" }).build();
  assert.deepEqual(decide(job, { attempts: [], hasChildren: true }, now).actions, [{ type: "deleteChildren" }]);
  assert.deepEqual(decide(job, { attempts: [], hasChildren: false }, now).actions, []);
});

test("waits for the TTL before deleting the children of a finished job", () => {
  const job = sftJob().ttl(600).status({ phase: "Succeeded", completionTime: "2026-01-01T00:05:00Z" }).build();
  const d = decide(job, { attempts: [attempt(1, { complete: true })], hasChildren: true }, now);
  assert.deepEqual(d.actions, []);
  assert.equal(d.requeueAfterMs, 300_000);
});

test("deletes the running gang on suspend and keeps progress", () => {
  const job = sftJob().suspended().status({ phase: "Running", attempt: 1, restarts: 0, epoch: 3, latestCheckpoint: "file:///checkpoints/e3" }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 1 })], hasChildren: true }, now);
  assert.deepEqual(d.actions, [{ type: "deleteAttempts", attempts: [1] }]);
  assert.equal(d.status.phase, "Suspended");
  assert.equal(d.status.epoch, 3);
  assert.equal(d.status.latestCheckpoint, "file:///checkpoints/e3");
});

test("resumes a suspended job with the next attempt from its checkpoint without counting a restart", () => {
  const job = sftJob().status({ phase: "Suspended", attempt: 1, restarts: 0, latestCheckpoint: "file:///checkpoints/e3" }).build();
  const d = decide(job, none, now);
  assert.deepEqual(d.actions, [{ type: "createGang", attempt: 2, resumeFrom: "file:///checkpoints/e3" }]);
  assert.equal(d.status.restarts, 0);
});

test("recreates the current attempt's Job when it disappeared", () => {
  const job = sftJob().status({ phase: "Running", attempt: 2, restarts: 1 }).build();
  assert.deepEqual(decide(job, none, now).actions, [{ type: "createGang", attempt: 2 }]);
});

test("keeps an RLJob Pending while its SFTJob runs, with WaitingForSFTJob", () => {
  const job = rlJob().spec({ initFrom: { sftJob: "base" } }).build();
  const d = decide(job, { ...none, sftJob: { found: true, phase: "Running" } }, now);
  assert.equal(d.status.phase, "Pending");
  assert.deepEqual(d.actions, []);
  assert.equal(cond(d, "Reconciling")?.reason, "WaitingForSFTJob");
});

test("marks an RLJob Stalled when its SFTJob does not exist", () => {
  const job = rlJob().spec({ initFrom: { sftJob: "base" } }).build();
  const d = decide(job, { ...none, sftJob: { found: false } }, now);
  assert.equal(cond(d, "Stalled")?.status, "True");
  assert.equal(cond(d, "Stalled")?.reason, "SFTJobNotFound");
});

test("starts an RLJob from its succeeded SFTJob's checkpoint at the initial temperature", () => {
  const job = rlJob().spec({ initFrom: { sftJob: "base" } }).build();
  const d = decide(job, { ...none, sftJob: { found: true, phase: "Succeeded", checkpoint: "pvc://base-checkpoints/final" } }, now);
  assert.deepEqual(d.actions, [{ type: "createGang", attempt: 1, initCheckpoint: "pvc://base-checkpoints/final" }]);
  assert.equal(d.status.temperature?.current, 0.6);
});

test("keeps a transition time when the condition's status does not change", () => {
  const first = decide(sftJob().build(), none, now);
  const later = decide(sftJob().status(first.status).build(), { attempts: [attempt(1)], hasChildren: true }, "2026-01-01T00:11:00.000Z");
  assert.equal(cond(later, "Reconciling")?.lastTransitionTime, now);
});

test("says Unschedulable with the scheduler's message when workers cannot be placed", () => {
  const job = sftJob().status({ phase: "Pending", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1)], hasChildren: true, pods: { failed: 0, unschedulable: "0/1 nodes have 16 free nvidia.com/gpu" } }, now);
  assert.equal(d.status.phase, "Pending");
  assert.equal(cond(d, "Reconciling")?.reason, "Unschedulable");
  assert.match(cond(d, "Ready")?.message ?? "", /16 free nvidia.com\/gpu/);
  assert.equal(d.events[0].reason, "Unschedulable");
});

test("fails the attempt when a pod failed before the Job counted it", () => {
  const job = sftJob().status({ phase: "Running", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 1 })], hasChildren: true, pods: { failed: 1 } }, now);
  assert.equal(d.status.attempt, 2);
});

test("counts pod transitions as progress before the first report", () => {
  const job = sftJob().deadline(60).status({ phase: "Running", attempt: 1, restarts: 0 }).build();
  const d = decide(job, { attempts: [attempt(1, { ready: 1 })], hasChildren: true, pods: { failed: 0, lastActivity: "2026-01-01T00:09:30Z" } }, now);
  assert.equal(d.status.attempt, 1);
});

test("fails at once, without spending a restart, when a worker says its node cannot run the job, and says why", () => {
  const job = rlJob().maxRestarts(3).status({ phase: "Running", attempt: 1, restarts: 0 }).build();
  const why = "spec.reward.code.isolation is Required, but the code sandbox cannot isolate the network on this node";
  const d = decide(job, { attempts: [attempt(1, { failed: 1 })], hasChildren: true, pods: { failed: 1, unrunnable: why } }, now);
  assert.equal(d.status.phase, "Failed");
  assert.equal(d.status.restarts, 0);
  assert.deepEqual(d.actions, [{ type: "deleteAttempts", attempts: [1] }]);
  assert.deepEqual([cond(d, "Failed")?.status, cond(d, "Failed")?.reason, cond(d, "Stalled")?.status], ["True", "Unrunnable", "True"]);
  assert.match(cond(d, "Failed")?.message ?? "", /a worker of attempt 1 cannot run on its node: spec\.reward\.code\.isolation is Required/);
  assert.deepEqual(d.events.map((e) => [e.type, e.reason]), [["Warning", "Unrunnable"]]);
  // The same failed pod without that exit code is an ordinary failure: the gang is replaced.
  const plain = decide(job, { attempts: [attempt(1, { failed: 1 })], hasChildren: true, pods: { failed: 1 } }, now);
  assert.equal(plain.status.restarts, 1);
});
