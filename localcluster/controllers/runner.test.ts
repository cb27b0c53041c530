import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killOrphans, startProcess } from "./runner.ts";

const now = (): Date => new Date();
const dir = mkdtempSync(join(tmpdir(), "runner-"));
const spec = (argv: string[], name: string) => ({ argv, env: { PATH: process.env.PATH ?? "", GREETING: "hi" }, cwd: dir, logPath: join(dir, `${name}.log`), previousLogPath: join(dir, `${name}.previous.log`) });

test("writes stdout and stderr to the log file and reports the exit code", async () => {
  const r = await startProcess(spec(["sh", "-c", "echo out $GREETING; echo err >&2; exit 3"], "a"), now);
  const exit = await r.exited;
  assert.equal(exit.exitCode, 3);
  assert.equal(readFileSync(join(dir, "a.log"), "utf8"), "out hi\nerr\n");
});

test("keeps the previous run's log when a container restarts", async () => {
  await (await startProcess(spec(["sh", "-c", "echo first"], "b"), now)).exited;
  await (await startProcess(spec(["sh", "-c", "echo second"], "b"), now)).exited;
  assert.equal(readFileSync(join(dir, "b.previous.log"), "utf8"), "first\n");
  assert.equal(readFileSync(join(dir, "b.log"), "utf8"), "second\n");
});

test("stops a process with SIGTERM, which it may handle", async () => {
  const r = await startProcess(spec(["sh", "-c", "trap 'echo got term; exit 0' TERM; echo ready; while true; do sleep 0.05; done"], "c"), now);
  await new Promise((res) => setTimeout(res, 300));
  const exit = await r.stop(5000);
  assert.equal(exit.exitCode, 0);
  assert.match(readFileSync(join(dir, "c.log"), "utf8"), /got term/);
});

test("kills a process that ignores SIGTERM after the grace period", async () => {
  const r = await startProcess(spec(["sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"], "d"), now);
  await new Promise((res) => setTimeout(res, 200));
  const t0 = Date.now();
  const exit = await r.stop(500);
  assert.ok(Date.now() - t0 >= 450, "waited for the grace period");
  assert.equal(exit.signal, "SIGKILL");
  assert.equal(exit.exitCode, 137);
});

test("fails to start a binary that does not exist", async () => {
  await assert.rejects(startProcess(spec(["/no/such/binary"], "e"), now), /ENOENT/);
});

test("kills processes a previous run recorded and left behind, and only those", async () => {
  const root = mkdtempSync(join(tmpdir(), "orphans-"));
  const podDir = join(root, "ns", "pod");
  const mine = await startProcess({ ...spec(["sh", "-c", "sleep 30"], "o"), env: { PATH: process.env.PATH ?? "", MARK: "mine" }, logPath: join(podDir, "o.log"), pidPath: join(podDir, "o.pid") }, now);
  const other = await startProcess({ ...spec(["sh", "-c", "sleep 30"], "p"), env: { PATH: process.env.PATH ?? "", MARK: "other" }, logPath: join(podDir, "p.log"), pidPath: join(podDir, "p.pid") }, now);
  assert.equal(killOrphans(root, "MARK=mine"), 1);
  assert.equal((await mine.exited).signal, "SIGKILL");
  await other.stop(100);
});
