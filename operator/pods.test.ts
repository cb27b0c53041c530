// Integration with running pods: the local cluster's scheduler, Job controller and kubelet run
// the gang as local processes (a stand-in trainer, test/operator/fake-trainer.ts, mapped as the
// trainer image), the operator drives it, kubectl observes and kills.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { startLocalCluster, type LocalCluster } from "../localcluster/cluster.ts";
import { eventually } from "../test/eventually.ts";
import { kubectlFor, type Kubectl } from "../test/kubectl.ts";
import { sftJob } from "../test/operator/builders.ts";
import { Config } from "./config.ts";
import { startOperator, type Operator } from "./operator.ts";

let cluster: LocalCluster;
let kubectl: Kubectl;
let op: Operator;
let dir: string;
const ns = "pods";
const image = "temper-fake-trainer";
const realImage = "temper-real-trainer";

const ok = async (args: string[]): Promise<string> => {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const get = async (kind: string, name: string) => JSON.parse(await ok(["-n", ns, "get", kind, name, "-o", "json"]));
const apply = async (m: object) => {
  const f = join(dir, `${Math.random()}.json`);
  writeFileSync(f, JSON.stringify(m));
  await ok(["-n", ns, "apply", "-f", f]);
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "temper-pods-"));
  const trainer = new URL("../test/operator/fake-trainer.ts", import.meta.url).pathname;
  const realTrainer = new URL("../bin/temper-trainer.ts", import.meta.url).pathname;
  cluster = await startLocalCluster({
    dataDir: join(dir, "data"), log: pino({ level: "silent" }),
    // The example manifests name the real trainer image; here it runs the stand-in too.
    controllerOptions: { images: { [image]: [process.execPath, trainer], [realImage]: [process.execPath, realTrainer], "ghcr.io/temper-dev/temper-trainer": [process.execPath, trainer] }, restartBackoffBaseMs: 100 },
  });
  kubectl = kubectlFor(cluster.kubeconfigPath);
  await ok(["apply", "-f", new URL("../crds", import.meta.url).pathname]);
  await ok(["create", "namespace", ns]);
  op = await startOperator(Config.parse({ kubeconfig: cluster.kubeconfigPath, metricsPort: 0, leaderElect: "false", sweepCron: "* * * * * *", logLevel: "silent" }), { log: pino({ level: "silent" }) });
});
after(async () => {
  await op.stop();
  await cluster.stop();
});

test("runs a two-worker gang, replaces it when a pod is killed, and resumes from the checkpoint to success", async () => {
  await apply(sftJob(ns, "kill").workers(2).spec({ image, epochs: 8, podTemplate: { env: [{ name: "FAKE_EPOCH_MS", value: "1000" }] } }).manifest());
  await ok(["-n", ns, "wait", "sftjob/kill", "--for=condition=Ready", "--timeout=60s"]);
  const pods = JSON.parse(await ok(["-n", ns, "get", "pods", "-l", "temper.dev/job-name=kill", "-o", "json"])).items;
  assert.equal(pods.length, 2);
  assert.equal(pods[0].spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
  await eventually(async () => assert.ok(((await get("sftjob", "kill")).status.epoch ?? 0) >= 1), 30_000, 100);
  const claimDir = join(dir, "data", "pvc", ns, "kill-checkpoints");
  process.kill(Number(readFileSync(join(claimDir, "pid-a1-rank1"), "utf8")), "SIGKILL");
  await eventually(async () => {
    const st = (await get("sftjob", "kill")).status;
    const why = async () => `${JSON.stringify(st)}\n${await ok(["-n", ns, "get", "jobs,pods", "-o", "wide"])}\n${JSON.stringify((await get("job", "kill-a1")).status)}`;
    if (st.attempt !== 2) assert.fail(await why());
  }, 30_000, 200);
  await ok(["-n", ns, "wait", "sftjob/kill", "--for=condition=Succeeded", "--timeout=90s"]);
  const st = (await get("sftjob", "kill")).status;
  assert.equal(st.restarts, 1);
  assert.equal(st.epoch, 8);
  const writers = [0, 1, 2, 3, 4, 5, 6, 7].map((e) => readFileSync(join(claimDir, `epoch-${e}`), "utf8").trim());
  assert.equal(writers[0], "attempt=1");
  assert.equal(writers[7], "attempt=2");
  // Resumed, not restarted: no epoch was written by both attempts' first epochs.
  const firstOfTwo = writers.indexOf("attempt=2");
  assert.ok(firstOfTwo >= 1 && writers.slice(firstOfTwo).every((w) => w === "attempt=2"), writers.join(","));
});

test("fails with RestartLimitExceeded when every attempt's pods fail", async () => {
  await apply(sftJob(ns, "crash").maxRestarts(1).spec({ image, podTemplate: { env: [{ name: "FAKE_FAIL", value: "1" }] } }).manifest());
  await ok(["-n", ns, "wait", "sftjob/crash", "--for=condition=Failed", "--timeout=60s"]);
  const st = (await get("sftjob", "crash")).status;
  assert.equal(st.phase, "Failed");
  assert.equal(st.restarts, 1);
  assert.equal(st.conditions.find((c: { type: string }) => c.type === "Failed").reason, "RestartLimitExceeded");
});

test("keeps a gang that asks for more GPUs than a node has Pending with reason Unschedulable", async () => {
  await apply(sftJob(ns, "huge").gpus(16).spec({ image }).manifest());
  await eventually(async () => {
    const c = (await get("sftjob", "huge")).status.conditions.find((x: { type: string }) => x.type === "Reconciling");
    assert.equal(c.reason, "Unschedulable");
  }, 30_000, 200);
  assert.equal((await get("sftjob", "huge")).status.phase, "Pending");
});

test("runs examples/pipeline.yaml: SFT, then RL from its final checkpoint through both stages with the temperature loop", async () => {
  await ok(["-n", ns, "apply", "-f", new URL("../examples/pipeline.yaml", import.meta.url).pathname]);
  await eventually(async () => assert.equal((await get("rljob", "demo-pipeline-rl")).status?.phase, "Pending"), 30_000, 200);
  await ok(["-n", ns, "wait", "sftjob/demo-pipeline-sft", "--for=condition=Succeeded", "--timeout=90s"]);
  await ok(["-n", ns, "wait", "rljob/demo-pipeline-rl", "--for=condition=Succeeded", "--timeout=90s"]);
  const sft = (await get("sftjob", "demo-pipeline-sft")).status;
  const rl = (await get("rljob", "demo-pipeline-rl")).status;
  assert.ok(Date.parse(rl.startTime) >= Date.parse(sft.completionTime));
  assert.equal(rl.stage, "math-long");
  assert.equal(rl.temperature.history.length, 6);
  assert.deepEqual(rl.temperature.history.map((h: { stage: string }) => h.stage), ["math-short", "math-short", "math-short", "math-long", "math-long", "math-long"]);
  // The fake trainer reports entropy 0.02 and no curve, far below the 0.2 target: EntropyTarget
  // raises T by damped steps in log T, each clamped to maxStep 0.3, until it holds at max (1.5).
  assert.deepEqual(rl.temperature.history.map((h: { temperature: number }) => h.temperature), [0.7, 1, 1.3, 1.5, 1.5, 1.5]);
  assert.equal(rl.temperature.current, 1.5);
});

test("the real trainer in a two-worker gang finds rank 0 and the report endpoint from its TrainerConfig alone", async () => {
  const arch = { layers: 1, dModel: 16, heads: 2, contextLength: 64 };
  await apply(sftJob(ns, "real").workers(2).gpus(0).spec({
    // One core each: the limit reaches the trainer as limits.threads, and the two workers share the test machine.
    image: realImage, resources: { limits: { cpu: "1" } }, epochs: 2, batchSize: 4, maxSequenceLength: 64, model: { architecture: arch },
    data: { prompts: 16, validationPrompts: 8, testPrompts: 4, responsesPerPrompt: 1 }, evaluation: { k: 1, everyEpochs: 2 },
  }).manifest());
  const waited = await kubectl(["-n", ns, "wait", "sftjob/real", "--for=condition=Succeeded", "--timeout=50s"]);
  if (waited.code !== 0) {
    const logs = await kubectl(["-n", ns, "logs", "-l", "temper.dev/job-name=real", "--tail=20", "--prefix"]);
    assert.fail(`SFTJob did not succeed: ${JSON.stringify((await get("sftjob", "real")).status)}\n${logs.stdout}${logs.stderr}`);
  }
  const st = (await get("sftjob", "real")).status;
  assert.equal(st.epoch, 2);
  assert.equal(st.restarts ?? 0, 0);
  assert.match(st.latestCheckpoint, /^pvc:\/\/real-checkpoints\/step-\d+$/);
  assert.equal(typeof st.metrics.loss, "number");
  // evaluation.everyEpochs 2: validation accuracy is measured at epoch 2 only, and reported; the test split once, at the end.
  assert.equal(typeof st.metrics.accuracy, "number");
  assert.equal(typeof st.metrics.testAccuracy, "number");
  const env = JSON.parse(await ok(["-n", ns, "get", "job", "real-a1", "-o", "json"])).spec.template.spec.containers[0].env ?? [];
  assert.deepEqual(env, []);
  const mounted = JSON.parse(JSON.parse(await ok(["-n", ns, "get", "configmap", "real-a1-config", "-o", "json"])).data["config.json"]);
  assert.deepEqual(mounted.limits, { threads: 1 });
  assert.equal(mounted.rendezvous.host, "real-a1-0.real.pods.svc");
});
