// The trainer→operator report protocol and the trainer's config: what each side may rely on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EpochReport, ReportReply, parseReportPath, reportPath } from "./report.ts";
import { TrainerConfig } from "./trainer-config.ts";

const report = { attempt: 1, stage: "math-short", epoch: 2, epochs: 3, temperature: 0.7, entropy: 0.31, entropyCurve: [{ temperature: 0.6, entropy: 0.25 }] };

describe("epoch report", () => {
  test("accepts an RL epoch report and fills defaults", () => {
    const r = EpochReport.parse(report);
    assert.equal(r.final, false);
    assert.equal(r.stageIndex, 0);
  });
  test("rejects a negative entropy, naming the field", () => {
    const r = EpochReport.safeParse({ ...report, entropy: -0.1 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join(".")), ["entropy"]);
  });
  test("rejects an epoch counted from 0", () => {
    assert.equal(EpochReport.safeParse({ ...report, epoch: 0 }).success, false);
  });
  test("rejects unknown fields so protocol drift is caught", () => {
    assert.equal(EpochReport.safeParse({ ...report, entropyy: 0.3 }).success, false);
  });
  test("a reply may omit the temperature (SFT) but needs a reason", () => {
    assert.equal(ReportReply.safeParse({ reason: "recorded" }).success, true);
    assert.equal(ReportReply.safeParse({ temperature: 0.7 }).success, false);
  });
  test("reports go to a per-job path under /reports/v1", () => {
    assert.equal(reportPath("RLJob", "ns", "a"), "/reports/v1/namespaces/ns/rljobs/a");
    assert.equal(reportPath("SFTJob", "ns", "a"), "/reports/v1/namespaces/ns/sftjobs/a");
  });
  test("parseReportPath reads back the job every reportPath names", () => {
    for (const job of [{ kind: "SFTJob", namespace: "team-a", name: "sft.v2" }, { kind: "RLJob", namespace: "ns", name: "a" }] as const) {
      assert.deepEqual(parseReportPath(reportPath(job.kind, job.namespace, job.name)), job);
    }
  });
  test("parseReportPath refuses paths that name no job", () => {
    for (const p of ["/reports/v1/namespaces/ns/ppojobs/a", "/reports/v1/namespaces/ns/rljobs/a/b", "/reports/v1/namespaces/NS/rljobs/a", "/reports/v1/namespaces/ns/rljobs/", "/healthz"]) {
      assert.equal(parseReportPath(p), undefined, p);
    }
  });
});

describe("trainer config", () => {
  test("parses an RLJob config with the job's spec, defaults filled", () => {
    const c = TrainerConfig.parse({ kind: "RLJob", name: "a", checkpointDir: "/checkpoints", spec: { initFrom: { checkpoint: "file:///c" }, stages: [{ name: "s", maxResponseLength: 32 }] } });
    assert.equal(c.kind, "RLJob");
    if (c.kind === "RLJob") assert.equal(c.spec.temperature.targetEntropy, 0.3);
  });
  test("enforces the job's cross-field rules too", () => {
    const r = TrainerConfig.safeParse({ kind: "RLJob", name: "a", checkpointDir: "/c", spec: { initFrom: {}, stages: [{ name: "s", maxResponseLength: 32 }] } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join(".")), ["spec.initFrom"]);
  });
  test("rejects an unknown kind", () => {
    assert.equal(TrainerConfig.safeParse({ kind: "PPOJob", name: "a", checkpointDir: "/c", spec: {} }).success, false);
  });
});
