import assert from "node:assert/strict";
import { test } from "node:test";
import { EpochReport } from "../api/report.ts";
import { historyLimit } from "../api/rljob.ts";
import { getCondition } from "./conditions.ts";
import { decide } from "./decide.ts";
import { recordReport } from "./record.ts";
import { attempt, rlJob, sftJob } from "../test/operator/builders.ts";

const now = "2026-01-02T00:00:00.000Z";
const report = (p: Record<string, unknown> = {}) => EpochReport.parse({ attempt: 1, stage: "s1", epoch: 1, epochs: 2, ...p });

test("records an RL epoch with its temperature decision in history", () => {
  const r = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6, checkpoint: "file:///checkpoints/e1", reward: 0.5 }), now);
  assert.equal(r.reply.temperature, 0.7);
  assert.equal(r.status?.epoch, 1);
  // The pod's path becomes a URI any later pod can mount: the job's own claim.
  assert.equal(r.status?.latestCheckpoint, "pvc://r-checkpoints/e1");
  assert.equal(r.status?.metrics?.reward, 0.5);
  assert.equal(r.status?.temperature?.current, 0.7);
  assert.equal(r.status?.temperature?.history?.[0].nextTemperature, 0.7);
  // No curve in the report: the fallback step, named in the history entry.
  assert.equal(r.status?.temperature?.history?.[0].method, "DampedLogStep");
});

test("answers a replayed RL report with the recorded reply and no status", () => {
  const first = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6 }), now);
  const again = recordReport(rlJob().status({ ...first.status }).build(), report({ entropy: 0.9, temperature: 0.6 }), now);
  assert.equal(again.status, undefined);
  assert.equal(again.reply.replay, true);
  assert.equal(again.reply.temperature, first.reply.temperature);
});

test("treats the same epoch from a new attempt as new", () => {
  const first = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6 }), now);
  const next = recordReport(rlJob().status({ ...first.status }).build(), report({ attempt: 2, entropy: 0.1 }), now);
  assert.notEqual(next.status, undefined);
  assert.equal(next.status?.temperature?.history?.length, 2);
});

test("bounds the temperature history", () => {
  let job = rlJob().spec({ stages: [{ name: "s1", maxResponseLength: 64, epochs: 200 }] }).build();
  for (let e = 1; e <= historyLimit + 5; e++) {
    const r = recordReport(job, report({ epoch: e, epochs: 200, entropy: 0.3 }), now);
    job = rlJob().spec({ stages: [{ name: "s1", maxResponseLength: 64, epochs: 200 }] }).status({ ...r.status }).build();
  }
  assert.equal(job.kind === "RLJob" ? job.status.temperature?.history?.length : 0, historyLimit);
});

test("records an SFT epoch's loss and checkpoint without a temperature", () => {
  const r = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", loss: 1.5, checkpoint: "file:///checkpoints/e1" }), now);
  assert.equal(r.reply.temperature, undefined);
  assert.equal(r.status?.metrics?.loss, 1.5);
  const again = recordReport(sftJob().status({ ...r.status }).build(), report({ stage: "sft", loss: 1.5, checkpoint: "file:///checkpoints/e1" }), now);
  assert.equal(again.reply.replay, true);
});

test("records a checkpoint on a user's own claim under that claim's name, and leaves other URIs alone", () => {
  const own = recordReport(sftJob().spec({ checkpoint: { claimName: "shared" } }).status({ attempt: 1 }).build(), report({ stage: "sft", checkpoint: "/checkpoints/step-000010" }), now);
  assert.equal(own.status?.latestCheckpoint, "pvc://shared/step-000010");
  const elsewhere = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", checkpoint: "s3://bucket/run/step-10" }), now);
  assert.equal(elsewhere.status?.latestCheckpoint, "s3://bucket/run/step-10");
});

test("records the final report's test accuracy beside the validation accuracy, and keeps it when a later report has none", () => {
  const final = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", epoch: 2, accuracy: 0.5, testAccuracy: 0.4, final: true }), now);
  assert.deepEqual(final.status?.metrics, { accuracy: 0.5, testAccuracy: 0.4 });
  const rl = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6, accuracy: 0.3, testAccuracy: 0.25, final: true }), now);
  assert.equal(rl.status?.metrics?.testAccuracy, 0.25);
  const later = recordReport(rlJob().status({ ...rl.status }).build(), report({ attempt: 2, entropy: 0.1, accuracy: 0.35 }), now);
  assert.deepEqual([later.status?.metrics?.accuracy, later.status?.metrics?.testAccuracy], [0.35, 0.25]);
});

test("a report of a sandbox without network isolation sets SandboxDegraded and a Warning once; an isolated one clears it with a Normal Event", () => {
  const none = { isolation: "None", reason: "no network namespace as uid 1000: user namespaces are disabled (user.max_user_namespaces = 0)" };
  const first = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, sandbox: none }), now);
  const c = getCondition(first.status?.conditions, "SandboxDegraded");
  assert.deepEqual([c?.status, c?.reason, c?.lastTransitionTime], ["True", "NetworkNotIsolated", now]);
  assert.match(c?.message ?? "", /without network isolation.*user\.max_user_namespaces = 0/);
  assert.deepEqual(first.events.map((e) => [e.type, e.reason]), [["Warning", "NetworkNotIsolated"]]);
  assert.match(first.events[0].message, /spec\.reward\.code\.isolation to Required/);
  // The next epoch says the same: the condition stays, from its first time, and no second Warning.
  const later = "2026-01-02T01:00:00.000Z";
  const second = recordReport(rlJob().status({ ...first.status }).build(), report({ epoch: 2, entropy: 0.1, sandbox: none }), later);
  assert.equal(getCondition(second.status?.conditions, "SandboxDegraded")?.lastTransitionTime, now);
  assert.deepEqual(second.events, []);
  // A new attempt on an isolated node clears it.
  const fixed = recordReport(rlJob().status({ ...second.status }).build(), report({ attempt: 2, entropy: 0.1, sandbox: { isolation: "NetworkNamespace" } }), later);
  const f = getCondition(fixed.status?.conditions, "SandboxDegraded");
  assert.deepEqual([f?.status, f?.reason, f?.lastTransitionTime], ["False", "NetworkIsolated", later]);
  assert.deepEqual(fixed.events.map((e) => [e.type, e.reason]), [["Normal", "NetworkIsolated"]]);
});

test("a report that says nothing of the sandbox, a math job's, leaves SandboxDegraded alone", () => {
  const degraded = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", sandbox: { isolation: "None", reason: "r" } }), now);
  assert.match(degraded.events[0].message, /allow unprivileged user namespaces on the nodes$/);
  const math = recordReport(sftJob().status({ ...degraded.status }).build(), report({ stage: "sft", epoch: 2 }), now);
  assert.equal(getCondition(math.status?.conditions, "SandboxDegraded")?.status, "True");
  assert.deepEqual(recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft" }), now).status?.conditions, undefined);
});

test("the reconciler keeps SandboxDegraded as the report endpoint set it", () => {
  const rec = recordReport(rlJob().status({ attempt: 1, phase: "Running" }).build(), report({ entropy: 0.1, sandbox: { isolation: "None", reason: "r" } }), now);
  const d = decide(rlJob().status({ ...rec.status }).build(), { attempts: [attempt(1, { ready: 1, active: 1 })], hasChildren: true }, "2026-01-01T00:05:00.000Z");
  assert.deepEqual(getCondition(d.status.conditions, "SandboxDegraded"), getCondition(rec.status?.conditions, "SandboxDegraded"));
  assert.equal(getCondition(d.status.conditions, "Ready")?.status, "True");
});
