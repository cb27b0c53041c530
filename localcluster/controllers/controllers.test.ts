// The node side against the real local API server: jobs, pods as processes, logs, scheduling,
// volumes and DNS, checked over HTTPS and with the real kubectl.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { call } from "../../test/kube-http.ts";
import { eventually } from "../../test/eventually.ts";
import { kubectlFor, type Kubectl } from "../../test/kubectl.ts";
import { startLocalCluster, type LocalCluster } from "../cluster.ts";
import type { ControllerOptions } from "./index.ts";

let cluster: LocalCluster;
let k: Kubectl;
let dir: string;
const NS = "/api/v1/namespaces/default";
const JOBS = "/apis/batch/v1/namespaces/default/jobs";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "lc-nodes-"));
  const log = pino({ level: "silent" });
  // The controllers start through cluster.ts, as `temper cluster up` starts them.
  cluster = await startLocalCluster({
    dataDir: join(dir, "data"), log,
    controllerOptions: { nodes: { count: 2, gpusPerNode: 2, cpu: "4", memory: "8Gi" }, restartBackoffBaseMs: 200,
      images: { "example.com/echo": [process.execPath, "-e", "console.log(JSON.stringify(process.argv.slice(1)))"] }, jobBackoff: { backoffBaseMs: 200, backoffMaxMs: 1000 } } satisfies Partial<ControllerOptions>,
  });
  k = kubectlFor(cluster.kubeconfigPath);
});
after(async () => cluster.stop());

const sh = (script: string) => ({ name: "main", image: "busybox", command: ["sh", "-c", script] });
const job = (name: string, spec: Record<string, unknown>, containers: unknown[]) => ({
  apiVersion: "batch/v1", kind: "Job", metadata: { name },
  spec: { backoffLimit: 0, ...spec, template: { spec: { restartPolicy: "Never", containers, ...((spec.podSpec as object) ?? {}) } }, podSpec: undefined },
});
async function create(path: string, body: unknown): Promise<void> {
  const r = await call(cluster, "POST", path, body);
  assert.equal(r.status, 201, r.text);
}
async function podsOf(jobName: string) {
  const r = await call(cluster, "GET", `${NS}/pods?labelSelector=job-name%3D${jobName}`);
  return r.body.items as { metadata: { name: string; annotations?: Record<string, string> }; spec: { hostname?: string; nodeName?: string }; status: { phase: string; podIP?: string } }[];
}
async function condition(jobName: string): Promise<string> {
  const j = (await call(cluster, "GET", `${JOBS}/${jobName}`)).body;
  const c = (j.status?.conditions ?? []).find((x: { type: string; status: string }) => (x.type === "Complete" || x.type === "Failed") && x.status === "True");
  assert.ok(c !== undefined, `job ${jobName} has not finished: ${JSON.stringify(j.status)}`);
  return `${c.type}/${c.reason}`;
}

test("runs an Indexed Job with parallelism 2 as processes that see their index and complete it", async () => {
  await create(JOBS, job("idx", { completionMode: "Indexed", completions: 2, parallelism: 2 }, [sh("echo index=$JOB_COMPLETION_INDEX host=$HOSTNAME ns=$NS ip=$IP")].map((c) => ({
    ...c, env: [{ name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }, { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
  }))));
  assert.equal(await eventually(() => condition("idx"), 20_000), "Complete/CompletionsReached");
  const pods = await podsOf("idx");
  assert.deepEqual(pods.map((p) => p.spec.hostname).sort(), ["idx-0", "idx-1"]);
  for (const p of pods) {
    const i = p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"];
    const logs = await k(["logs", p.metadata.name]);
    assert.equal(logs.stdout.trim(), `index=${i} host=idx-${i} ns=default ip=${p.status.podIP}`);
    assert.match(p.status.podIP ?? "", /^127\./);
  }
  const j = (await call(cluster, "GET", `${JOBS}/idx`)).body;
  assert.equal(j.status.succeeded, 2);
  assert.equal(j.status.completedIndexes, "0-1");
});

test("fails a Job whose only pod exits non-zero when backoffLimit is 0", async () => {
  await create(JOBS, job("boom", {}, [sh("echo failing; exit 3")]));
  assert.equal(await eventually(() => condition("boom"), 20_000), "Failed/BackoffLimitExceeded");
  const [p] = await podsOf("boom");
  const pod = (await call(cluster, "GET", `${NS}/pods/${p.metadata.name}`)).body;
  assert.equal(pod.status.phase, "Failed");
  assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 3);
  const events = (await call(cluster, "GET", `${NS}/events?fieldSelector=involvedObject.name%3Dboom`)).body.items.map((e: { reason: string }) => e.reason);
  assert.ok(events.includes("SuccessfulCreate") && events.includes("BackoffLimitExceeded"), String(events));
});

test("retries a failing pod up to backoffLimit and then fails the Job", async () => {
  await create(JOBS, job("retry", { backoffLimit: 1 }, [sh("exit 1")]));
  assert.equal(await eventually(() => condition("retry"), 20_000), "Failed/BackoffLimitExceeded");
  assert.equal((await podsOf("retry")).length, 2);
});

test("sends SIGTERM to a deleted pod's process, then removes its logs", async () => {
  const out = join(dir, "sleeper.out");
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "sleeper" }, spec: { terminationGracePeriodSeconds: 5, containers: [sh(`trap 'echo got TERM >> ${out}; exit 0' TERM; echo started; while true; do sleep 0.1; done`)] } });
  const log = join(cluster.dataDir, "pods", "default", "sleeper", "main.log");
  await eventually(() => assert.match(readFileSync(log, "utf8"), /started/), 20_000);
  assert.equal((await call(cluster, "DELETE", `${NS}/pods/sleeper`)).status, 200);
  await eventually(() => assert.equal(readFileSync(out, "utf8"), "got TERM\n"), 10_000);
  await eventually(() => assert.ok(!existsSync(log)), 10_000);
});

test("leaves a pod that asks for more GPUs than any node has Pending with a reason", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "greedy" }, spec: { containers: [{ ...sh("true"), resources: { limits: { "nvidia.com/gpu": "3" } } }] } });
  const cond = await eventually(async () => {
    const p = (await call(cluster, "GET", `${NS}/pods/greedy`)).body;
    const c = (p.status?.conditions ?? []).find((x: { type: string }) => x.type === "PodScheduled");
    assert.equal(c?.status, "False");
    return c;
  }, 10_000);
  assert.equal(cond.reason, "Unschedulable");
  assert.equal(cond.message, "0/2 nodes are available: 2 Insufficient nvidia.com/gpu.");
  const described = await k(["describe", "pod", "greedy"]);
  assert.match(described.stdout, /FailedScheduling/);
});

test("places GPU pods across nodes by free GPUs", async () => {
  await create(JOBS, job("gpus", { completions: 2, parallelism: 2, completionMode: "Indexed" }, [{ ...sh("sleep 0.2"), resources: { limits: { "nvidia.com/gpu": "2" } } }]));
  await eventually(() => condition("gpus"), 20_000);
  assert.deepEqual((await podsOf("gpus")).map((p) => p.spec.nodeName).sort(), ["local-0", "local-1"]);
});

test("keeps a claim's directory across pods, with secrets and configmaps mounted as files", async () => {
  await create(`${NS}/persistentvolumeclaims`, { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "ckpt" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
  await create(`${NS}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "tok" }, data: { token: Buffer.from("s3cret").toString("base64") } });
  const podSpec = { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "ckpt" } }, { name: "tok", secret: { secretName: "tok" } }] };
  const mounts = [{ name: "data", mountPath: "/ckpt" }, { name: "tok", mountPath: "/var/run/tok" }];
  await create(JOBS, job("writer", { podSpec }, [{ ...sh("cat /var/run/tok/token > /ckpt/step-1"), volumeMounts: mounts }]));
  assert.equal(await eventually(() => condition("writer"), 20_000), "Complete/CompletionsReached");
  assert.equal((await call(cluster, "DELETE", `${JOBS}/writer`, { propagationPolicy: "Background" })).status, 200);
  await eventually(async () => assert.equal((await podsOf("writer")).length, 0), 10_000);
  await create(JOBS, job("reader", { podSpec }, [{ ...sh("cat /ckpt/step-1"), volumeMounts: mounts }]));
  assert.equal(await eventually(() => condition("reader"), 20_000), "Complete/CompletionsReached");
  const [p] = await podsOf("reader");
  assert.equal((await k(["logs", p.metadata.name])).stdout, "s3cret");
  assert.ok(existsSync(join(cluster.dataDir, "pvc", "default", "ckpt", "step-1")));
});

test("keeps a pod whose claim does not exist Pending", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "noclaim" }, spec: { volumes: [{ name: "d", persistentVolumeClaim: { claimName: "missing" } }], containers: [sh("true")] } });
  await eventually(async () => {
    const events = (await call(cluster, "GET", `${NS}/events?fieldSelector=involvedObject.name%3Dnoclaim`)).body.items.map((e: { message: string }) => e.message);
    assert.ok(events.some((m: string) => m.includes('persistentvolumeclaim "missing" not found')), String(events));
  }, 10_000);
  const pending = (await call(cluster, "GET", `${NS}/pods/noclaim`)).body;
  assert.equal(pending.status.phase, "Pending");
  assert.equal(pending.status.podIP, undefined);
});

/** gangReaches runs a two-pod Indexed Job whose rank 1 connects to rank 0 by its DNS name, and checks it got rank 0's pod IP back. */
async function gangReaches(name: string, tmpVolume: boolean): Promise<void> {
  await create(`${NS}/services`, { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { clusterIP: "None", selector: { "job-name": name } } });
  const script = `
    const net = await import("node:net");
    const i = process.env.JOB_COMPLETION_INDEX;
    if (i === "0") {
      const s = net.createServer((c) => c.end("rank0 at " + process.env.TEMPER_POD_IP));
      s.listen(29500, () => console.log("listening"));
      setTimeout(() => process.exit(0), 8000);
    } else {
      for (let n = 0; n < 100; n++) {
        try {
          const msg = await new Promise((ok, fail) => { const c = net.connect(29500, "${name}-0.${name}.default.svc"); let b = ""; c.on("data", (d) => b += d); c.on("end", () => ok(b)); c.on("error", fail); });
          console.log(msg); process.exit(0);
        } catch { await new Promise((r) => setTimeout(r, 100)); }
      }
      process.exit(1);
    }`;
  const tmp = tmpVolume ? { volumes: [{ name: "tmp", emptyDir: {} }] } : {};
  await create(JOBS, job(name, { completionMode: "Indexed", completions: 2, parallelism: 2, podSpec: { subdomain: name, ...tmp } }, [
    { name: "main", image: "node", command: [process.execPath, "--input-type=module", "-e", script], ...(tmpVolume ? { volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] } : {}) },
  ]));
  const rank1 = await eventually(async () => {
    const p = (await podsOf(name)).find((x) => x.spec.hostname === `${name}-1`);
    assert.ok(p !== undefined);
    const out = (await k(["logs", p.metadata.name])).stdout;
    assert.match(out, /rank0 at/);
    return out;
  }, 20_000);
  const rank0 = (await podsOf(name)).find((x) => x.spec.hostname === `${name}-0`);
  assert.equal(rank1.trim(), `rank0 at ${rank0?.status.podIP}`);
}

test("lets a gang's pods reach each other by NAME-0.SVC.NS.svc over TCP", async () => {
  await gangReaches("gang", false);
});

test("resolves pod names in a pod with a /tmp volume on a cluster kept under /tmp", async () => {
  // The cluster's data dir is under tmpdir() here, so the node's DNS hosts file sits below the
  // pod's /tmp mountPath; it must not be looked for inside the pod's volume.
  assert.ok(dir.startsWith("/tmp/"), dir);
  await gangReaches("gangtmp", true);
});

test("runs kubectl create job with a command as a host process", async () => {
  const r = await k(["create", "job", "hello", "--image=busybox", "--", "sh", "-c", "echo hi"]);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => {
    const w = await k(["wait", "--for=condition=complete", "job/hello", "--timeout=1s"]);
    assert.equal(w.code, 0, w.stderr);
  }, 20_000);
  assert.equal((await k(["logs", "job/hello"])).stdout, "hi\n");
});

test("leaves a container with an unmapped image and no command waiting with ImageNotMapped", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "unmapped" }, spec: { containers: [{ name: "main", image: "example.com/unknown:1" }] } });
  const state = await eventually(async () => {
    const p = (await call(cluster, "GET", `${NS}/pods/unmapped`)).body;
    const w = p.status?.containerStatuses?.[0]?.state?.waiting;
    assert.equal(w?.reason, "ImageNotMapped");
    return w;
  }, 10_000);
  assert.match(state.message, /--image-map/);
  await eventually(async () => {
    const events = (await call(cluster, "GET", `${NS}/events?fieldSelector=involvedObject.name%3Dunmapped`)).body.items.map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`);
    assert.equal(events.filter((e: string) => e.startsWith("Failed: Error: ImageNotMapped")).length, 1, String(events));
  }, 10_000);
});

test("deletes a finished Job after ttlSecondsAfterFinished", async () => {
  await create(JOBS, job("short", { ttlSecondsAfterFinished: 1 }, [sh("true")]));
  await eventually(() => condition("short"), 20_000);
  await eventually(async () => assert.equal((await call(cluster, "GET", `${JOBS}/short`)).status, 404), 10_000);
});

test("restarts an OnFailure container and keeps the previous run's log", async () => {
  const marker = join(dir, "ran-once");
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "flaky" }, spec: { restartPolicy: "OnFailure", containers: [sh(`if [ -e ${marker} ]; then echo second; else touch ${marker}; echo first; exit 1; fi`)] } });
  const pod = await eventually(async () => {
    const p = (await call(cluster, "GET", `${NS}/pods/flaky`)).body;
    assert.equal(p.status?.phase, "Succeeded");
    return p;
  }, 20_000);
  assert.equal(pod.status.containerStatuses[0].restartCount, 1);
  assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 1);
  assert.equal((await k(["logs", "flaky"])).stdout, "second\n");
  assert.equal((await k(["logs", "flaky", "--previous"])).stdout, "first\n");
  const events = (await call(cluster, "GET", `${NS}/events?fieldSelector=involvedObject.name%3Dflaky`)).body.items.map((e: { reason: string; source: { component: string } }) => `${e.source.component}/${e.reason}`);
  for (const e of ["default-scheduler/Scheduled", "kubelet/Pulled", "kubelet/Created", "kubelet/Started", "kubelet/BackOff"]) assert.ok(events.includes(e), `${e} missing from ${events}`);
});

test("suspends a running Job by stopping its pods and resumes it", async () => {
  await create(JOBS, job("pausable", { completions: 1, parallelism: 1 }, [sh("sleep 1")]));
  await eventually(async () => assert.equal((await podsOf("pausable"))[0]?.status.phase, "Running"), 20_000);
  assert.equal((await call(cluster, "PATCH", `${JOBS}/pausable`, { spec: { suspend: true } }, "application/merge-patch+json")).status, 200);
  await eventually(async () => {
    const j = (await call(cluster, "GET", `${JOBS}/pausable`)).body;
    assert.equal(j.status.conditions.find((c: { type: string }) => c.type === "Suspended")?.status, "True");
    assert.equal((await podsOf("pausable")).length, 0);
  }, 10_000);
  assert.equal((await call(cluster, "PATCH", `${JOBS}/pausable`, { spec: { suspend: false } }, "application/merge-patch+json")).status, 200);
  assert.equal(await eventually(() => condition("pausable"), 20_000), "Complete/CompletionsReached");
});

test("registers the nodes with their GPUs for kubectl", async () => {
  const out = (await k(["get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.allocatable.nvidia\\.com/gpu} {end}"])).stdout;
  assert.equal(out.trim(), "local-0=2 local-1=2");
  const lease = (await call(cluster, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/local-1")).body;
  assert.equal(lease.spec.holderIdentity, "local-1");
});

test("kills a deleted pod that ignores SIGTERM after its grace period without holding up other pods", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "stubborn" }, spec: { terminationGracePeriodSeconds: 2, containers: [sh("trap '' TERM; echo started; while true; do sleep 0.1; done")] } });
  const pidFile = join(cluster.dataDir, "pods", "default", "stubborn", "main.pid");
  await eventually(() => assert.ok(existsSync(pidFile)), 20_000);
  const t0 = Date.now();
  assert.equal((await call(cluster, "DELETE", `${NS}/pods/stubborn`)).status, 200);
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "quick" }, spec: { restartPolicy: "Never", containers: [sh("echo quick")] } });
  await eventually(async () => assert.equal((await call(cluster, "GET", `${NS}/pods/quick`)).body.status?.phase, "Succeeded"), 10_000);
  assert.ok(existsSync(pidFile), "the stubborn pod still runs while the quick one finished");
  await eventually(() => assert.ok(!existsSync(pidFile)), 10_000);
  assert.ok(Date.now() - t0 >= 1900, `killed after ${Date.now() - t0} ms`);
});

test("lets a Node pod process read its secret at the mountPath", async () => {
  await create(`${NS}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "report-token" }, data: { token: Buffer.from("abc").toString("base64") } });
  // The path is built at run time, so only the mount preload (not the argument rewrite) can map it.
  const code = `console.log(require("node:fs").readFileSync("/var/run/" + "temper/token", "utf8"))`;
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "reader-node" }, spec: {
    restartPolicy: "Never", volumes: [{ name: "tok", secret: { secretName: "report-token" } }],
    containers: [{ name: "main", image: "node", command: [process.execPath, "-e", code], volumeMounts: [{ name: "tok", mountPath: "/var/run/temper", readOnly: true }] }],
  } });
  await eventually(async () => assert.equal((await call(cluster, "GET", `${NS}/pods/reader-node`)).body.status?.phase, "Succeeded"), 20_000);
  assert.equal((await k(["logs", "reader-node"])).stdout, "abc\n");
});

test("runs init containers to completion, in order, before the containers", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "staged" }, spec: {
    restartPolicy: "Never", volumes: [{ name: "work", emptyDir: {} }],
    initContainers: [{ ...sh("echo one > /work/steps"), name: "first", volumeMounts: [{ name: "work", mountPath: "/work" }] }, { ...sh("echo two >> /work/steps"), name: "second", volumeMounts: [{ name: "work", mountPath: "/work" }] }],
    containers: [{ ...sh("cat /work/steps"), volumeMounts: [{ name: "work", mountPath: "/work" }] }],
  } });
  const pod = await eventually(async () => {
    const p = (await call(cluster, "GET", `${NS}/pods/staged`)).body;
    assert.equal(p.status?.phase, "Succeeded");
    return p;
  }, 20_000);
  assert.deepEqual(pod.status.initContainerStatuses.map((c: { state: { terminated: { exitCode: number } } }) => c.state.terminated.exitCode), [0, 0]);
  assert.equal((await k(["logs", "staged"])).stdout, "one\ntwo\n");
});

test("runs a mapped image, any tag, with the container's args, and finds the cluster's Node on PATH", async () => {
  await create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "mapped" }, spec: {
    restartPolicy: "Never", containers: [{ name: "main", image: "example.com/echo:v2", args: ["train", "--epochs=$(EPOCHS)"], env: [{ name: "EPOCHS", value: "3" }] }, { ...sh("node --version"), name: "version" }],
  } });
  await eventually(async () => assert.equal((await call(cluster, "GET", `${NS}/pods/mapped`)).body.status?.phase, "Succeeded"), 20_000);
  assert.equal((await k(["logs", "mapped", "-c", "main"])).stdout, '["train","--epochs=3"]\n');
  assert.equal((await k(["logs", "mapped", "-c", "version"])).stdout, `${process.version}\n`);
});

test("never hands out the same GPUs twice when pods arrive together", async () => {
  const names = ["g1", "g2", "g3"];
  await Promise.all(names.map((name) => create(`${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { burst: "gpu" } }, spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 1, containers: [{ ...sh("sleep 5"), resources: { limits: { "nvidia.com/gpu": "2" } } }] } })));
  const placed = await eventually(async () => {
    const items = (await call(cluster, "GET", `${NS}/pods?labelSelector=burst%3Dgpu`)).body.items as { spec: { nodeName?: string }; status: { conditions?: { type: string; status: string; reason?: string }[] } }[];
    const unschedulable = items.filter((p) => p.status.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"));
    assert.equal(unschedulable.length, 1);
    return items.map((p) => p.spec.nodeName).filter((n) => n !== undefined).sort();
  }, 10_000);
  assert.deepEqual(placed, ["local-0", "local-1"]);
  const get = async (n: string) => (await call(cluster, "GET", `${NS}/pods/${n}`)).body;
  const waiting = (await Promise.all(names.map(get))).find((p) => !p.spec.nodeName);
  for (const n of names) if (n !== waiting.metadata.name) await call(cluster, "DELETE", `${NS}/pods/${n}`);
  // Freed GPUs go to the pod that waited.
  await eventually(async () => assert.ok((await get(waiting.metadata.name)).spec.nodeName), 10_000);
  await call(cluster, "DELETE", `${NS}/pods/${waiting.metadata.name}`);
});
