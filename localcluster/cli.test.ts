// `temper cluster up --detach` / `down` as a user runs them, and durability across a kill -9:
// what the server acknowledged is still there when the cluster starts again on the same data.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { kubectlFor } from "../test/kubectl.ts";
import { pidFileOf } from "./cli.ts";

const bin = new URL("../bin/temper.ts", import.meta.url).pathname;

function temper(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), out: stdout + stderr });
    });
  });
}

test("starts detached, keeps acknowledged objects through kill -9, and stops with down", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-cli-"));
  const kc = join(dir, "kubeconfig");
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
