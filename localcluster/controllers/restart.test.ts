// A cluster restart as the node side sees it: the processes of running pods are gone, so their
// pods fail as on a node reboot, and the Job controller replaces them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { call } from "../../test/kube-http.ts";
import { eventually } from "../../test/eventually.ts";
import { startLocalCluster } from "../cluster.ts";

test("fails the pods a restart lost and lets their Job replace them", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "lc-restart-")), "data");
  const controllerOptions = { jobBackoff: { backoffBaseMs: 100, backoffMaxMs: 100 } };
  const log = pino({ level: "silent" });
  const first = await startLocalCluster({ dataDir, log, controllerOptions });
  const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "long" }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox", command: ["sh", "-c", "sleep 30"] }] } } } };
  assert.equal((await call(first, "POST", "/apis/batch/v1/namespaces/default/jobs", job)).status, 201);
  const pods = async (c: typeof first) => (await call(c, "GET", "/api/v1/namespaces/default/pods?labelSelector=job-name%3Dlong")).body.items as { metadata: { name: string }; status: { phase: string; reason?: string } }[];
  await eventually(async () => assert.equal((await pods(first))[0]?.status.phase, "Running"), 20_000);
  await first.stop();
  const second = await startLocalCluster({ dataDir, log, controllerOptions });
  try {
    const after = await eventually(async () => {
      const ps = await pods(second);
      assert.equal(ps.length, 2);
      assert.ok(ps.some((p) => p.status.phase === "Running"), JSON.stringify(ps.map((p) => p.status.phase)));
      return ps;
    }, 20_000);
    const lost = after.find((p) => p.status.phase === "Failed");
    assert.equal(lost?.status.reason, "ContainerStatusUnknown");
  } finally {
    await second.stop();
  }
});

test("takes its containers along when the cluster process exits without stopping", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "lc-exit-")), "data");
  const cluster = new URL("../cluster.ts", import.meta.url).href;
  const pidFile = join(dataDir, "pods", "default", "s", "main.pid");
  // A child process starts a cluster, runs a pod, and exits with process.exit (no stop()).
  const body = `
    import { startLocalCluster } from ${JSON.stringify(cluster)};
    import { pino } from "pino";
    import { existsSync, readFileSync } from "node:fs";
    const c = await startLocalCluster({ dataDir: ${JSON.stringify(dataDir)}, log: pino({ level: "silent" }) });
    c.api.create(c.api.registry.find("", "v1", "pods"), "default", { metadata: { name: "s" }, spec: { containers: [{ name: "main", image: "busybox", command: ["sleep", "60"] }] } }, { dryRun: false, fieldValidation: "Ignore" });
    while (!existsSync(${JSON.stringify(pidFile)})) await new Promise((r) => setTimeout(r, 50));
    console.log(readFileSync(${JSON.stringify(pidFile)}, "utf8"));
    process.exit(0);`;
  const pid = await new Promise<number>((resolve, reject) => execFile(process.execPath, ["--input-type=module", "-e", body], { cwd: process.cwd(), timeout: 30_000 }, (err, stdout, stderr) => (err === null ? resolve(Number(stdout.trim())) : reject(new Error(stderr)))));
  assert.ok(pid > 0);
  await eventually(() => assert.throws(() => process.kill(pid, 0)), 5000);
});
