// `temper cluster up --detach` / `down` as a user runs them, and durability across a kill -9:
// what the server acknowledged is still there when the cluster starts again on the same data.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { call, type Endpoint } from "../test/kube-http.ts";
import { kubectlFor } from "../test/kubectl.ts";
import { pidFileOf } from "./cli.ts";

const bin = new URL("../bin/temper.ts", import.meta.url).pathname;

/** stopLeftover stops a cluster a failed test left running (a passing test has already stopped it). */
function stopLeftover(kc: string): void {
  if (!existsSync(pidFileOf(kc))) return;
  try {
    process.kill(Number(readFileSync(pidFileOf(kc), "utf8")), "SIGTERM");
  } catch {
    // Already gone.
  }
}

function temper(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), out: stdout + stderr });
    });
  });
}

test("starts detached, keeps acknowledged objects through kill -9, and stops with down", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lc-cli-"));
  const kc = join(dir, "kubeconfig");
  t.after(() => stopLeftover(kc));
  const upArgs = ["cluster", "up", "--detach", "--port", "0", "--kubeconfig", kc, "--data", join(dir, "data")];
  const up = await temper(upArgs);
  assert.equal(up.code, 0, up.out);
  const k = kubectlFor(kc);
  assert.equal((await k(["create", "configmap", "kept", "--from-literal=a=b"])).code, 0);
  const pid = Number(readFileSync(pidFileOf(kc), "utf8"));
  process.kill(pid, "SIGKILL");
  await new Promise((r) => setTimeout(r, 300));
  const again = await temper(upArgs);
  assert.equal(again.code, 0, again.out);
  const got = await kubectlFor(kc)(["get", "configmap", "kept", "-o", "jsonpath={.data.a}"]);
  assert.equal(got.stdout, "b", got.stderr);
  const down = await temper(["cluster", "down", "--kubeconfig", kc]);
  assert.equal(down.code, 0, down.out);
  assert.equal(existsSync(pidFileOf(kc)), false);
  const after = await k(["get", "ns"]);
  assert.notEqual(after.code, 0);
});

function endpointOf(kubeconfig: string): Endpoint {
  const kc = parse(readFileSync(kubeconfig, "utf8"));
  return { url: kc.clusters[0].cluster.server, token: kc.users[0].user.token, caPem: Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString() };
}

test("loses no acknowledged write when killed in the middle of a burst", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lc-kill-"));
  const kc = join(dir, "kubeconfig");
  t.after(() => stopLeftover(kc));
  const upArgs = ["cluster", "up", "--detach", "--port", "0", "--kubeconfig", kc, "--data", join(dir, "data")];
  assert.equal((await temper(upArgs)).code, 0);
  const ep = endpointOf(kc);
  const pid = Number(readFileSync(pidFileOf(kc), "utf8"));
  const acked: string[] = [];
  const writes = Array.from({ length: 400 }, async (_, i) => {
    try {
      const r = await call(ep, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `burst-${i}` }, data: { i: String(i) } });
      if (r.status === 201) acked.push(`burst-${i}`);
      if (acked.length === 50) process.kill(pid, "SIGKILL");
    } catch {
      // Requests in flight when the server dies fail; only acknowledged ones must survive.
    }
  });
  await Promise.all(writes);
  assert.ok(acked.length >= 50, `acknowledged ${acked.length}`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await temper(upArgs)).code, 0);
  const list = await call(endpointOf(kc), "GET", "/api/v1/namespaces/default/configmaps");
  const stored = new Set(list.body.items.map((o: { metadata: { name: string } }) => o.metadata.name));
  assert.deepEqual(acked.filter((n) => !stored.has(n)), []);
  assert.equal((await temper(["cluster", "down", "--kubeconfig", kc])).code, 0);
});
