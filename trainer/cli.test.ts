// cli.test.ts: the trainer CLI as a real process — usage errors and config validation by the
// api/ schema before any work starts.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { TrainerConfig } from "../api/trainer-config.ts";
import { gangOf, makeLog } from "./cli.ts";

const run = promisify(execFile);
const bin = new URL("../bin/temper-trainer.ts", import.meta.url).pathname;

async function trainer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args]);
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test("the CLI prints usage and exits 2 without a subcommand and config", async () => {
  const r = await trainer(["train"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Usage: temper-trainer sft\|rl\|eval --config FILE/);
});

test("the CLI rejects a config the api schema refuses, naming the field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "trainer-cli-"));
  try {
    const file = join(dir, "bad.yaml");
    await writeFile(file, "kind: SFTJob\nname: demo\ncheckpointDir: /tmp/x\nspec:\n  epochs: 0\n");
    const r = await trainer(["sft", "--config", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /spec\.epochs/);
    const wrongKind = join(dir, "rl.yaml");
    await writeFile(wrongKind, "kind: SFTJob\nname: demo\ncheckpointDir: /tmp/x\nspec: {}\n");
    const r2 = await trainer(["rl", "--config", wrongKind]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /rl needs a config of kind RLJob/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const rlCfg = (workers: number) => TrainerConfig.parse({
  kind: "RLJob", name: "a", checkpointDir: "/tmp/x", rendezvous: { host: "a-a1-0.a.ns.svc", port: 7000 },
  spec: { workers, initFrom: { checkpoint: "file:///c" }, stages: [{ name: "s", maxResponseLength: 8 }] },
});

test("the gang is spec.workers ranks meeting at the config's rendezvous, each rank its Indexed Job completion index", () => {
  assert.deepEqual(gangOf(rlCfg(2), { JOB_COMPLETION_INDEX: "1" }), { worldSize: 2, rank: 1, masterAddr: "a-a1-0.a.ns.svc", masterPort: 7000, timeoutMs: 300_000 });
  assert.equal(gangOf(rlCfg(1), {}).rank, 0);
});

test("a completion index outside the gang is refused, naming the variable and spec.workers", () => {
  assert.throws(() => gangOf(rlCfg(2), { JOB_COMPLETION_INDEX: "2" }), /JOB_COMPLETION_INDEX: Invalid value: "2": must be an integer in \[0, spec.workers\) = \[0, 2\)/);
  assert.throws(() => gangOf(rlCfg(2), { JOB_COMPLETION_INDEX: "x" }), /JOB_COMPLETION_INDEX/);
});

test("the trainer ignores the environment for everything the config holds", () => {
  const g = gangOf(rlCfg(1), { WORLD_SIZE: "4", RANK: "3", MASTER_ADDR: "elsewhere", MASTER_PORT: "1" });
  assert.deepEqual(g, { worldSize: 1, rank: 0, masterAddr: "a-a1-0.a.ns.svc", masterPort: 7000, timeoutMs: 300_000 });
});

test("a missing config file exits 2 before any work, saying which file", async () => {
  const r = await trainer(["sft", "--config", "/nonexistent/config.json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read config \/nonexistent\/config\.json/);
  assert.equal(r.stdout, "");
});

test("progress is one JSON object per line, or a readable line with --pretty", () => {
  const lines: string[] = [];
  makeLog(false, (s) => lines.push(s))({ event: "step", loss: 1.5 });
  makeLog(true, (s) => lines.push(s))({ event: "step", loss: 1.5 });
  const j = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(j.event, "step");
  assert.equal(j.loss, 1.5);
  assert.match(lines[1], /step\s+loss=1\.5\n$/);
});

test("an RLJob on code that requires isolation exits 3 at start, naming the field and the fix, on a node where the sandbox cannot isolate the network", async () => {
  const dir = await mkdtemp(join(tmpdir(), "trainer-cli-"));
  try {
    const config = (isolation: string) => JSON.stringify({
      kind: "RLJob", name: "a", checkpointDir: join(dir, "ck"),
      spec: { initFrom: { checkpoint: `file://${join(dir, "none")}` }, stages: [{ name: "s", maxResponseLength: 8, data: { task: "code" } }], reward: { code: { isolation } } },
    });
    const start = async (isolation: string, env: NodeJS.ProcessEnv) => {
      const file = join(dir, `${isolation}.json`);
      await writeFile(file, config(isolation));
      try {
        await run(process.execPath, [bin, "rl", "--config", file], { env });
        return { code: 0, stdout: "", stderr: "" };
      } catch (e) {
        return e as { code: number; stdout: string; stderr: string };
      }
    };
    // No unshare on PATH: the probe finds no way to a network namespace, as on a node without util-linux.
    const bare = { PATH: join(dir, "empty") };
    const refused = await start("Required", bare);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /spec\.reward\.code\.isolation is Required, but the code sandbox cannot isolate the network on this node \(no network namespace as uid \d+: .*ENOENT/);
    assert.match(refused.stderr, /allow unprivileged user namespaces on the node.*or set spec\.reward\.code\.isolation to BestEffort/);
    // BestEffort starts there, saying loudly that it is unisolated (it then fails for want of a checkpoint).
    const degraded = await start("BestEffort", bare);
    assert.equal(degraded.code, 1);
    assert.match(degraded.stdout, /"event":"sandbox-degraded","isolation":"None"/);
    // And where the node grants a network namespace, Required starts too.
    const isolated = await start("Required", { PATH: process.env.PATH });
    assert.equal(isolated.code, 1, isolated.stderr);
    assert.match(isolated.stdout, /"event":"sandbox","isolation":"NetworkNamespace"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
