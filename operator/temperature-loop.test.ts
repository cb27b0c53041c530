// The temperature loop end to end on the local cluster: the stand-in trainer
// (test/operator/fake-trainer.ts) reports a synthetic entropy model — H(T) and its curve at the
// trainer's offsets, for the temperature the operator told it to use — to the real operator,
// which decides each next temperature; kubectl reads the loop back from status. Same harness as
// operator/pods.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { startLocalCluster, type LocalCluster } from "../localcluster/cluster.ts";
import { kubectlFor, type Kubectl } from "../test/kubectl.ts";
import { rlJob } from "../test/operator/builders.ts";
import { Config } from "./config.ts";
import { startOperator, type Operator } from "./operator.ts";

let cluster: LocalCluster;
let kubectl: Kubectl;
let op: Operator;
let dir: string;
const ns = "loop";
const image = "temper-fake-trainer";

const ok = async (args: string[], stdin?: string): Promise<string> => {
  const r = await kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const get = async (kind: string, name: string) => JSON.parse(await ok(["-n", ns, "get", kind, name, "-o", "json"]));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "temper-loop-"));
  const trainer = new URL("../test/operator/fake-trainer.ts", import.meta.url).pathname;
  cluster = await startLocalCluster({
    dataDir: join(dir, "data"), log: pino({ level: "silent" }),
    controllerOptions: { images: { [image]: [process.execPath, trainer] }, restartBackoffBaseMs: 100 },
  });
  kubectl = kubectlFor(cluster.kubeconfigPath);
  await ok(["apply", "-f", new URL("../crds", import.meta.url).pathname]);
  await ok(["create", "namespace", ns]);
  op = await startOperator(Config.parse({ kubeconfig: cluster.kubeconfigPath, metricsPort: 0, leaderElect: "false", logLevel: "silent" }), { log: pino({ level: "silent" }) });
});
after(async () => {
  await op.stop();
  await cluster.stop();
});

interface Epoch {
  epoch: number;
  temperature: number;
  entropy: number;
  nextTemperature: number;
  method?: string;
  reason: string;
}

test("EntropyTarget enters the band within 3 epochs on a model where the target is reachable, and stays in [min, max]", async (t) => {
  // H(T) = 0.6 / (1 + e^(−6 (T − 0.8))), sinking 2% an epoch as the policy sharpens: H(0.6) = 0.14,
  // and the target 0.3 lies at T 0.8 — two maxSteps from the start, so the loop needs both decisions.
  // The start checkpoint sits on a claim of its own, as an SFTJob's would; pods see nothing else of the host.
  await ok(["-n", ns, "apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "base" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }));
  await ok(["-n", ns, "wait", "pvc/base", "--for=jsonpath={.status.phase}=Bound", "--timeout=30s"]);
  writeFileSync(join(dir, "data", "pvc", ns, "base", "final"), "base\n");
  const temperature = { policy: "EntropyTarget", initial: 0.6, targetEntropy: 0.3, tolerance: 0.05, min: 0.3, max: 1.5, maxStep: 0.1 };
  const manifest = rlJob(ns, "steer").spec({
    image, initFrom: { checkpoint: "pvc://base/final" }, stages: [{ name: "math", maxResponseLength: 64, epochs: 6 }], temperature,
    podTemplate: { env: [{ name: "FAKE_ENTROPY", value: "logistic 0.6 6 0.8" }, { name: "FAKE_ENTROPY_DECAY", value: "0.98" }, { name: "FAKE_EPOCH_MS", value: "200" }] },
  }).manifest();
  const file = join(dir, "steer.json");
  writeFileSync(file, JSON.stringify(manifest));
  await ok(["-n", ns, "apply", "-f", file]);
  const waited = await kubectl(["-n", ns, "wait", "rljob/steer", "--for=condition=Succeeded", "--timeout=90s"]);
  if (waited.code !== 0) {
    const logs = await kubectl(["-n", ns, "logs", "-l", "temper.dev/job-name=steer", "--tail=20", "--prefix"]);
    assert.fail(`RLJob did not succeed: ${JSON.stringify((await get("rljob", "steer")).status)}\n${logs.stdout}${logs.stderr}`);
  }
  const history = (await get("rljob", "steer")).status.temperature.history as Epoch[];
  const table = history.map((e) => `epoch ${e.epoch}: T ${e.temperature} H ${e.entropy} -> ${e.nextTemperature} [${e.method}] ${e.reason}`).join("\n");
  assert.equal(history.length, 6, table);
  for (const e of history) {
    assert.ok(e.temperature >= temperature.min && e.temperature <= temperature.max, table);
    assert.ok(e.nextTemperature >= temperature.min && e.nextTemperature <= temperature.max, table);
    if (e.epoch >= 3) assert.ok(Math.abs(e.entropy - temperature.targetEntropy) <= temperature.tolerance, `epoch ${e.epoch} outside the band\n${table}`);
  }
  // It got there by using the curve, not by luck: each decision names its method.
  assert.deepEqual(history.slice(0, 3).map((e) => e.method), ["SolvedOnCurve", "SolvedOnCurve", "HeldInBand"], table);
  t.diagnostic(table);
});
