import assert from "node:assert/strict";
import { test } from "node:test";
import { EpochReport } from "../api/report.ts";
import { historyLimit } from "../api/rljob.ts";
import { recordReport } from "./record.ts";
import { rlJob, sftJob } from "../test/operator/builders.ts";

const report = (p: Record<string, unknown> = {}) => EpochReport.parse({ attempt: 1, stage: "s1", epoch: 1, epochs: 2, ...p });

test("records an RL epoch with its temperature decision in history", () => {
  const r = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6, checkpoint: "file:///checkpoints/e1", reward: 0.5 }));
  assert.equal(r.reply.temperature, 0.7);
  assert.equal(r.status?.epoch, 1);
  // The pod's path becomes a URI any later pod can mount: the job's own claim.
  assert.equal(r.status?.latestCheckpoint, "pvc://r-checkpoints/e1");
  assert.equal(r.status?.metrics?.reward, 0.5);
  assert.equal(r.status?.temperature?.current, 0.7);
  assert.equal(r.status?.temperature?.history?.[0].nextTemperature, 0.7);
});

test("answers a replayed RL report with the recorded reply and no status", () => {
  const first = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6 }));
  const again = recordReport(rlJob().status({ ...first.status }).build(), report({ entropy: 0.9, temperature: 0.6 }));
  assert.equal(again.status, undefined);
  assert.equal(again.reply.replay, true);
  assert.equal(again.reply.temperature, first.reply.temperature);
});

test("treats the same epoch from a new attempt as new", () => {
  const first = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6 }));
  const next = recordReport(rlJob().status({ ...first.status }).build(), report({ attempt: 2, entropy: 0.1 }));
  assert.notEqual(next.status, undefined);
  assert.equal(next.status?.temperature?.history?.length, 2);
});

test("bounds the temperature history", () => {
  let job = rlJob().spec({ stages: [{ name: "s1", maxResponseLength: 64, epochs: 200 }] }).build();
  for (let e = 1; e <= historyLimit + 5; e++) {
    const r = recordReport(job, report({ epoch: e, epochs: 200, entropy: 0.3 }));
    job = rlJob().spec({ stages: [{ name: "s1", maxResponseLength: 64, epochs: 200 }] }).status({ ...r.status }).build();
  }
  assert.equal(job.kind === "RLJob" ? job.status.temperature?.history?.length : 0, historyLimit);
});

test("records an SFT epoch's loss and checkpoint without a temperature", () => {
  const r = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", loss: 1.5, checkpoint: "file:///checkpoints/e1" }));
  assert.equal(r.reply.temperature, undefined);
  assert.equal(r.status?.metrics?.loss, 1.5);
  const again = recordReport(sftJob().status({ ...r.status }).build(), report({ stage: "sft", loss: 1.5, checkpoint: "file:///checkpoints/e1" }));
  assert.equal(again.reply.replay, true);
});

test("records a checkpoint on a user's own claim under that claim's name, and leaves other URIs alone", () => {
  const own = recordReport(sftJob().spec({ checkpoint: { claimName: "shared" } }).status({ attempt: 1 }).build(), report({ stage: "sft", checkpoint: "/checkpoints/step-000010" }));
  assert.equal(own.status?.latestCheckpoint, "pvc://shared/step-000010");
  const elsewhere = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", checkpoint: "s3://bucket/run/step-10" }));
  assert.equal(elsewhere.status?.latestCheckpoint, "s3://bucket/run/step-10");
});

test("records the final report's test accuracy beside the validation accuracy, and keeps it when a later report has none", () => {
  const final = recordReport(sftJob().status({ attempt: 1 }).build(), report({ stage: "sft", epoch: 2, accuracy: 0.5, testAccuracy: 0.4, final: true }));
  assert.deepEqual(final.status?.metrics, { accuracy: 0.5, testAccuracy: 0.4 });
  const rl = recordReport(rlJob().status({ attempt: 1 }).build(), report({ entropy: 0.1, temperature: 0.6, accuracy: 0.3, testAccuracy: 0.25, final: true }));
  assert.equal(rl.status?.metrics?.testAccuracy, 0.25);
  const later = recordReport(rlJob().status({ ...rl.status }).build(), report({ attempt: 2, entropy: 0.1, accuracy: 0.35 }));
  assert.deepEqual([later.status?.metrics?.accuracy, later.status?.metrics?.testAccuracy], [0.35, 0.25]);
});
