// Integration: the operator against the local cluster, driven and observed with real kubectl.
// No kubelet runs pods here, so the tests play the Job controller by writing the child Job's
// status (ready, failed, complete) with kubectl, and play the trainer by POSTing epoch reports.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { labels } from "../api/meta.ts";
import { eventually } from "../test/eventually.ts";
import { sftJob, rlJob } from "../test/operator/builders.ts";
import { startHarness, type Harness } from "../test/operator/harness.ts";
import type { Operator } from "./operator.ts";

let h: Harness;
let op: Operator;
const ns = "team";

before(async () => {
  h = await startHarness();
  await h.ok(["create", "namespace", ns]);
  op = await h.operator({ leaderElect: "false" });
});
after(async () => h.stop());

const getJob = (kind: string, name: string) => h.json(["-n", ns, "get", kind, name]);
const jobStatus = (name: string, status: object) =>
  h.ok(["-n", ns, "patch", "job", name, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
const phaseOf = async (kind: string, name: string): Promise<string> => (await getJob(kind, name)).status?.phase ?? "";

async function report(kind: "sftjobs" | "rljobs", name: string, body: object, token?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const t = token ?? Buffer.from((await h.json(["-n", ns, "get", "secret", `${name}-report-token`])).data.token, "base64").toString();
  const res = await fetch(`http://127.0.0.1:${op.port}/reports/v1/namespaces/${ns}/${kind}/${name}`, {
    method: "POST", headers: { Authorization: `Bearer ${t}`, "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test("turns an SFTJob into a gang: Indexed Job with GPU limits, owner reference, queue label, Service, Secret, config", async () => {
  const t0 = performance.now();
  await h.apply(ns, sftJob(ns, "gang").workers(2).gpus(1).queue("team-a").manifest());
  const job = await eventually(() => getJob("job", "gang-a1"), 10_000);
  const latency = performance.now() - t0;
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.completions, 2);
  assert.equal(job.spec.parallelism, 2);
  assert.equal(job.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
  assert.equal(job.metadata.ownerReferences[0].kind, "SFTJob");
  assert.equal(job.metadata.labels[labels.queueName], "team-a");
  await h.ok(["-n", ns, "get", "service", "gang"]);
  await h.ok(["-n", ns, "get", "secret", "gang-report-token"]);
  const cfg = JSON.parse((await getJob("configmap", "gang-a1-config")).data["config.json"]);
  assert.equal(cfg.attempt, 1);
  assert.ok(latency < 10_000);
  await eventually(async () => assert.equal(await phaseOf("sftjob", "gang"), "Pending"));
});

test("reports Running and Ready once every worker is ready, so kubectl wait returns", async () => {
  await jobStatus("gang-a1", { active: 2, ready: 2 });
  await h.ok(["-n", ns, "wait", "sftjob/gang", "--for=condition=Ready", "--timeout=15s"]);
  assert.equal(await phaseOf("sftjob", "gang"), "Running");
  const events = await h.ok(["-n", ns, "get", "events", "--field-selector", "involvedObject.name=gang"]);
  assert.match(events, /GangCreated/);
});

test("records an epoch report, answers a replay without writing, and rejects bad reports", async () => {
  const r = await report("sftjobs", "gang", { attempt: 1, stage: "sft", epoch: 1, epochs: 3, checkpoint: "file:///checkpoints/epoch-1", loss: 2.5 });
  assert.equal(r.status, 200);
  await eventually(async () => assert.equal((await getJob("sftjob", "gang")).status.latestCheckpoint, "pvc://gang-checkpoints/epoch-1"));
  const before = op.kube.writes();
  const again = await report("sftjobs", "gang", { attempt: 1, stage: "sft", epoch: 1, epochs: 3, checkpoint: "file:///checkpoints/epoch-1", loss: 2.5 });
  assert.equal(again.body.replay, true);
  assert.equal(op.kube.writes(), before);
  const bad = await report("sftjobs", "gang", { attempt: 1, stage: "sft", epoch: 0, epochs: 3 });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.kind, "Status");
  assert.equal(bad.body.details.causes[0].field, "epoch");
  const forged = await report("sftjobs", "gang", { attempt: 1, stage: "sft", epoch: 2, epochs: 3 }, "wrong");
  assert.equal(forged.status, 401);
  assert.equal(forged.body.reason, "Unauthorized");
  assert.equal((await getJob("sftjob", "gang")).status.epoch, 1);
});

test("replaces the whole gang with attempt 2 resuming from the checkpoint when a pod fails", async () => {
  await jobStatus("gang-a1", { active: 1, ready: 1, failed: 1 });
  const next = await eventually(() => getJob("job", "gang-a2"), 10_000);
  assert.equal(next.metadata.labels[labels.attempt], "2");
  await eventually(async () => assert.equal((await h.kubectl(["-n", ns, "get", "job", "gang-a1"])).code, 1));
  const st = (await getJob("sftjob", "gang")).status;
  assert.equal(st.attempt, 2);
  assert.equal(st.restarts, 1);
  const cfg = JSON.parse((await getJob("configmap", "gang-a2-config")).data["config.json"]);
  assert.equal(cfg.resumeFrom, "file:///checkpoints/epoch-1");
  const events = await h.ok(["-n", ns, "get", "events", "--field-selector", "involvedObject.name=gang"]);
  assert.match(events, /PodFailed/);
});

test("succeeds when the gang completes, so kubectl wait --for=condition=Succeeded returns", async () => {
  await jobStatus("gang-a2", { succeeded: 2, conditions: [{ type: "Complete", status: "True" }] });
  await h.ok(["-n", ns, "wait", "sftjob/gang", "--for=condition=Succeeded", "--timeout=15s"]);
  assert.equal(await phaseOf("sftjob", "gang"), "Succeeded");
});

test("keeps a finished job finished when its spec is edited", async () => {
  await h.ok(["-n", ns, "patch", "sftjob", "gang", "--type=merge", "-p", JSON.stringify({ spec: { workers: 3 } })]);
  await eventually(async () => assert.equal((await getJob("sftjob", "gang")).status.observedGeneration, 2));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await phaseOf("sftjob", "gang"), "Succeeded");
  assert.equal((await h.kubectl(["-n", ns, "get", "job", "gang-a3"])).code, 1);
});

test("writes nothing to the API while the cluster is quiet", async () => {
  await new Promise((r) => setTimeout(r, 500));
  const before = op.kube.writes();
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(op.kube.writes() - before, 0);
});

test("fails with RestartLimitExceeded once maxRestarts is spent", async () => {
  await h.apply(ns, sftJob(ns, "fragile").maxRestarts(0).manifest());
  await eventually(() => getJob("job", "fragile-a1"), 10_000);
  await jobStatus("fragile-a1", { failed: 1 });
  await eventually(async () => assert.equal(await phaseOf("sftjob", "fragile"), "Failed"), 10_000);
  const failed = (await getJob("sftjob", "fragile")).status.conditions.find((c: { type: string }) => c.type === "Failed");
  assert.equal(failed.status, "True");
  assert.equal(failed.reason, "RestartLimitExceeded");
});

test("deletes the gang on suspend and resumes with the next attempt", async () => {
  await h.apply(ns, sftJob(ns, "pausy").manifest());
  await eventually(() => getJob("job", "pausy-a1"), 10_000);
  await h.ok(["-n", ns, "patch", "sftjob", "pausy", "--type=merge", "-p", '{"spec":{"suspend":true}}']);
  await eventually(async () => assert.equal(await phaseOf("sftjob", "pausy"), "Suspended"), 10_000);
  await eventually(async () => assert.equal((await h.kubectl(["-n", ns, "get", "job", "pausy-a1"])).code, 1), 10_000);
  await h.ok(["-n", ns, "patch", "sftjob", "pausy", "--type=merge", "-p", '{"spec":{"suspend":false}}']);
  await eventually(() => getJob("job", "pausy-a2"), 10_000);
  assert.equal((await getJob("sftjob", "pausy")).status.restarts, 0);
});

test("deletes only the children once ttlSecondsAfterFinished passed", async () => {
  await h.apply(ns, sftJob(ns, "brief").ttl(1).manifest());
  await eventually(() => getJob("job", "brief-a1"), 10_000);
  await jobStatus("brief-a1", { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] });
  await eventually(async () => assert.equal(await phaseOf("sftjob", "brief"), "Succeeded"), 10_000);
  await eventually(async () => {
    assert.equal((await h.kubectl(["-n", ns, "get", "job", "brief-a1"])).code, 1);
    assert.equal((await h.kubectl(["-n", ns, "get", "secret", "brief-report-token"])).code, 1);
  }, 10_000);
  assert.equal(await phaseOf("sftjob", "brief"), "Succeeded");
});

test("runs the pipeline: the RLJob waits for its SFTJob, then starts from its final checkpoint and steers temperature", async () => {
  await h.apply(ns, rlJob(ns, "pipe-rl").spec({ initFrom: { sftJob: "pipe-sft" } }).manifest());
  await eventually(async () => {
    const c = (await getJob("rljob", "pipe-rl")).status.conditions.find((x: { type: string }) => x.type === "Stalled");
    assert.equal(c.reason, "SFTJobNotFound");
  }, 10_000);
  await h.apply(ns, sftJob(ns, "pipe-sft").manifest());
  await eventually(() => getJob("job", "pipe-sft-a1"), 10_000);
  await eventually(async () => {
    const c = (await getJob("rljob", "pipe-rl")).status.conditions.find((x: { type: string }) => x.type === "Reconciling");
    assert.equal(c.reason, "WaitingForSFTJob");
  }, 10_000);
  assert.equal(await phaseOf("rljob", "pipe-rl"), "Pending");
  assert.equal((await report("sftjobs", "pipe-sft", { attempt: 1, stage: "sft", epoch: 5, epochs: 5, checkpoint: "file:///checkpoints/final", final: true })).status, 200);
  await jobStatus("pipe-sft-a1", { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] });
  const rl = await eventually(() => getJob("job", "pipe-rl-a1"), 15_000);
  assert.deepEqual(rl.spec.template.spec.containers[0].args, ["rl", "--config", "/etc/temper/config.json"]);
  assert.ok(JSON.stringify(rl.spec.template.spec.volumes).includes("pipe-sft-checkpoints"));
  const cfg = JSON.parse((await getJob("configmap", "pipe-rl-a1-config")).data["config.json"]);
  assert.equal(cfg.initCheckpoint, "file:///init/final");
  const r = await report("rljobs", "pipe-rl", { attempt: 1, stage: "s1", epoch: 1, epochs: 2, temperature: 0.6, entropy: 0.1 });
  assert.equal(r.body.temperature, 0.7);
  await eventually(async () => assert.equal((await getJob("rljob", "pipe-rl")).status.temperature.current, 0.7));
});

test("a trainer's report of an unisolated sandbox sets SandboxDegraded, which kubectl wait sees and the reconciler keeps, and records a Warning", async () => {
  await h.apply(ns, sftJob(ns, "unboxed").manifest());
  await eventually(() => getJob("job", "unboxed-a1"), 10_000);
  const r = await report("sftjobs", "unboxed", { attempt: 1, stage: "sft", epoch: 1, epochs: 3, sandbox: { isolation: "None", reason: "no network namespace as uid 1000: unshare failed: Operation not permitted" } });
  assert.equal(r.status, 200);
  await h.ok(["-n", ns, "wait", "sftjob/unboxed", "--for=condition=SandboxDegraded", "--timeout=15s"]);
  // The gang comes up: the reconciler writes Ready and keeps what the report endpoint set.
  await jobStatus("unboxed-a1", { active: 1, ready: 1 });
  await h.ok(["-n", ns, "wait", "sftjob/unboxed", "--for=condition=Ready", "--timeout=15s"]);
  const conditions = (await getJob("sftjob", "unboxed")).status.conditions as { type: string; status: string; reason: string }[];
  assert.deepEqual(conditions.filter((c) => c.type === "SandboxDegraded").map((c) => [c.status, c.reason]), [["True", "NetworkNotIsolated"]]);
  const events = await h.ok(["-n", ns, "get", "events", "--field-selector", "involvedObject.name=unboxed"]);
  assert.match(events, /Warning\s+NetworkNotIsolated/);
});

test("loses nothing when the operator restarts mid-run", async () => {
  await h.apply(ns, sftJob(ns, "steady").manifest());
  await eventually(() => getJob("job", "steady-a1"), 10_000);
  await jobStatus("steady-a1", { active: 1, ready: 1 });
  await eventually(async () => assert.equal(await phaseOf("sftjob", "steady"), "Running"), 10_000);
  const before = (await getJob("sftjob", "steady")).status;
  await op.stop();
  op = await h.operator({ leaderElect: "false" });
  await new Promise((r) => setTimeout(r, 1500));
  const afterRestart = (await getJob("sftjob", "steady")).status;
  assert.deepEqual(afterRestart, before);
  assert.equal((await h.kubectl(["-n", ns, "get", "job", "steady-a2"])).code, 1);
});

test("lets only one of two replicas lead, and hands over when the leader stops", async () => {
  const a = await h.operator({ leaderElect: "true", leaseName: "pair", identity: "replica-a" });
  const b = await h.operator({ leaderElect: "true", leaseName: "pair", identity: "replica-b" });
  await eventually(() => assert.ok(a.isLeader() !== b.isLeader()), 10_000);
  for (let i = 0; i < 10; i++) {
    assert.ok(!(a.isLeader() && b.isLeader()));
    await new Promise((r) => setTimeout(r, 200));
  }
  const [leader, other] = a.isLeader() ? [a, b] : [b, a];
  await leader.stop();
  await eventually(() => assert.ok(other.isLeader()), 10_000);
});

test("serves health, readiness and Prometheus metrics with jobs by phase and reconcile figures", async () => {
  const base = `http://127.0.0.1:${op.port}`;
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  await eventually(async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /temper_jobs\{kind="SFTJob",phase="Succeeded"\} \d+/);
    assert.match(text, /temper_reconcile_duration_seconds_count\{controller="sftjob",outcome="[a-z]+"\} \d+/);
    assert.match(text, /temper_workqueue_depth\{controller="sftjob"\} 0/);
  });
});

test("runs as `temper operator --kubeconfig`, logs JSON, and shuts down cleanly on SIGTERM", async () => {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [new URL("../bin/temper.ts", import.meta.url).pathname, "operator", "--kubeconfig", h.cluster.kubeconfigPath, "--metrics-port", "0", "--lease-name", "cli", "--retry-period", "0.3"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  await eventually(() => assert.match(out, /"msg":"Became leader"/), 15_000);
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.match(out, /"msg":"Released leadership"/);
  const lease = await h.json(["-n", "default", "get", "lease", "cli"]);
  assert.equal(lease.spec.holderIdentity ?? "", "");
});

test("exits 2 with the setting named when the configuration is invalid", async () => {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, [new URL("../bin/temper.ts", import.meta.url).pathname, "operator", "--concurrency", "0"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /concurrency/);
});
