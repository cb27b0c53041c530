import assert from "node:assert/strict";
import { test } from "node:test";
import { TrainerConfig } from "../api/trainer-config.ts";
import { labels } from "../api/meta.ts";
import { desiredGang, threadsFor } from "./gang.ts";
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

test("puts the attempt, report endpoint, rendezvous and limits in the mounted TrainerConfig, and nothing in env", () => {
  const g = desiredGang(sftJob("ns", "a").workers(2).spec({ resources: { limits: { cpu: "3500m" } } }).build(), 3, inputs);
  const cfg = TrainerConfig.parse(JSON.parse((g.configMap.data as Record<string, string>)["config.json"]));
  assert.equal(cfg.attempt, 3);
  assert.deepEqual(cfg.report, { url: "http://op:8080/reports/v1/namespaces/ns/sftjobs/a", tokenFile: "/var/run/temper/token" });
  assert.deepEqual(cfg.rendezvous, { host: "a-a3-0.a.ns.svc", port: 29500, timeoutSeconds: 300 });
  assert.deepEqual(cfg.limits, { threads: 3 });
  assert.equal(cfg.spec.workers, 2);
  const env = (g.job.spec as AnyObj).template.spec.containers[0].env as AnyObj[];
  assert.deepEqual(env, []);
});

test("passes the user's own env through unchanged", () => {
  const g = desiredGang(sftJob("ns", "a").spec({ podTemplate: { env: [{ name: "HF_HOME", value: "/cache" }] } }).build(), 1, inputs);
  assert.deepEqual((g.job.spec as AnyObj).template.spec.containers[0].env, [{ name: "HF_HOME", value: "/cache" }]);
});

test("turns a CPU limit into whole compute threads, at least one", () => {
  assert.deepEqual(threadsFor("4"), { threads: 4 });
  assert.deepEqual(threadsFor("2500m"), { threads: 2 });
  assert.deepEqual(threadsFor("500m"), { threads: 1 });
  assert.deepEqual(threadsFor(undefined), {});
});

test("runs non-root with a read-only root filesystem", () => {
  const pod = (desiredGang(sftJob().build(), 1, inputs).job.spec as AnyObj).template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
  assert.equal(pod.containers[0].terminationMessagePolicy, "FallbackToLogsOnError");
});

test("owns every child and labels it with the job, kind and attempt", () => {
  const g = desiredGang(sftJob("ns", "a").build(), 1, inputs);
  for (const o of [g.job, g.service, g.configMap, g.claim]) {
    assert.equal(o?.metadata.ownerReferences?.[0].kind, "SFTJob");
    assert.equal(o?.metadata.ownerReferences?.[0].uid, "uid-a");
    assert.equal(o?.metadata.labels?.[labels.jobName], "a");
  }
  assert.equal(g.job.metadata.labels?.[labels.attempt], "1");
});

test("sets Kueue's queue-name label only when queueName is set", () => {
  assert.equal(desiredGang(sftJob().queue("team-a").build(), 1, inputs).job.metadata.labels?.[labels.queueName], "team-a");
  assert.equal(desiredGang(sftJob().build(), 1, inputs).job.metadata.labels?.[labels.queueName], undefined);
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
