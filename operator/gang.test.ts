import assert from "node:assert/strict";
import { test } from "node:test";
import { TrainerConfig } from "../api/trainer-config.ts";
import { desiredGang, toPodPath } from "./gang.ts";
import { rlJob, sftJob } from "../test/operator/builders.ts";

const inputs = { image: "img:1", reportBaseUrl: "http://op:8080" };
type AnyObj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test("builds an Indexed Job with one pod per worker and GPU limits", () => {
  const g = desiredGang(sftJob("ns", "a").workers(3).gpus(2).build(), 1, inputs);
  const spec = g.job.spec as AnyObj;
  assert.equal(g.job.metadata.name, "a-a1");
  assert.equal(spec.completionMode, "Indexed");
  assert.equal(spec.completions, 3);
  assert.equal(spec.parallelism, 3);
  assert.equal(spec.backoffLimit, 0);
  assert.equal(spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "2");
  assert.deepEqual(spec.template.spec.containers[0].args, ["sft", "--config", "/etc/temper/config.json"]);
  assert.equal(spec.template.spec.containers[0].image, "img:1");
});

test("gives each worker its rank, world size, master address, attempt and report URL", () => {
  const g = desiredGang(sftJob("ns", "a").workers(2).build(), 3, inputs);
  const env = Object.fromEntries(((g.job.spec as AnyObj).template.spec.containers[0].env as AnyObj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.WORLD_SIZE, "2");
  assert.equal(env.MASTER_ADDR, "a-a3-0.a.ns.svc");
  assert.equal(env.TEMPER_ATTEMPT, "3");
  assert.equal(env.TEMPER_REPORT_URL, "http://op:8080/reports/v1/namespaces/ns/sftjobs/a");
  assert.match(JSON.stringify(env.RANK), /job-completion-index/);
});

test("runs non-root with a read-only root filesystem", () => {
  const pod = (desiredGang(sftJob().build(), 1, inputs).job.spec as AnyObj).template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
});

test("owns every child and labels it with the job, kind and attempt", () => {
  const g = desiredGang(sftJob("ns", "a").build(), 1, inputs);
  for (const o of [g.job, g.service, g.configMap, g.claim]) {
    assert.equal(o?.metadata.ownerReferences?.[0].kind, "SFTJob");
    assert.equal(o?.metadata.ownerReferences?.[0].uid, "uid-a");
    assert.equal(o?.metadata.labels?.["temper.dev/job-name"], "a");
  }
  assert.equal(g.job.metadata.labels?.["temper.dev/attempt"], "1");
});

test("sets Kueue's queue-name label only when queueName is set", () => {
  assert.equal(desiredGang(sftJob().queue("team-a").build(), 1, inputs).job.metadata.labels?.["kueue.x-k8s.io/queue-name"], "team-a");
  assert.equal(desiredGang(sftJob().build(), 1, inputs).job.metadata.labels?.["kueue.x-k8s.io/queue-name"], undefined);
});

test("makes the Service headless and publishes not-ready pods", () => {
  const s = desiredGang(sftJob().build(), 1, inputs).service.spec as AnyObj;
  assert.equal(s.clusterIP, "None");
  assert.equal(s.publishNotReadyAddresses, true);
});

test("creates no claim when spec.checkpoint.claimName names one", () => {
  const g = desiredGang(sftJob().spec({ checkpoint: { claimName: "mine" } }).build(), 1, inputs);
  assert.equal(g.claim, undefined);
  assert.ok(JSON.stringify(g.job).includes('"claimName":"mine"'));
});

test("writes a TrainerConfig the trainer's schema accepts, resuming from the checkpoint", () => {
  const g = desiredGang(rlJob("ns", "r").build(), 2, { ...inputs, resumeFrom: "pvc://r-checkpoints/e1", initCheckpoint: "pvc://base/final", temperature: 0.8 });
  const cfg = TrainerConfig.parse(JSON.parse((g.configMap.data as Record<string, string>)["config.json"]));
  assert.equal(cfg.kind, "RLJob");
  assert.equal(cfg.attempt, 2);
  assert.equal(cfg.resumeFrom, "file:///checkpoints/e1");
  if (cfg.kind === "RLJob") {
    assert.equal(cfg.initCheckpoint, "file:///init/final");
    assert.equal(cfg.temperature, 0.8);
  }
  assert.ok(JSON.stringify(g.job).includes('"claimName":"base"'));
});

test("maps checkpoint URIs on the job's own claim under /checkpoints", () => {
  assert.deepEqual(toPodPath("pvc://own/x/y", "own"), { uri: "file:///checkpoints/x/y" });
  assert.deepEqual(toPodPath("file:///data/x", "own"), { uri: "file:///data/x" });
});
