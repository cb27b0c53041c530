import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { startLocalCluster } from "./cluster.ts";

const start = (dataDir: string) => startLocalCluster({ dataDir, log: pino({ level: "silent" }), kubernetesMinor: "32", controllers: false });
const mode = (p: string) => statSync(p).mode & 0o777;

test("a second cluster on the same data directory is refused while the first serves, and starts once it stopped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-lock-"));
  const first = await start(dir);
  try {
    await assert.rejects(start(dir), /is in use by another local cluster \(pid \d+\): stop it, or pass another --data directory/);
  } finally {
    await first.stop();
  }
  const again = await start(dir);
  await again.stop();
});

test("a lock left by a process that is gone is taken over", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-stale-"));
  const child = spawn(process.execPath, ["-e", ""]);
  const pid = child.pid ?? 0;
  await new Promise((r) => child.once("exit", r));
  writeFileSync(join(dir, "cluster.lock"), `${pid}\n`);
  const c = await start(dir);
  await c.stop();
});

test("the data directory is private to its user: 0700, with the store and the identity 0600", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-mode-"));
  const c = await start(dir);
  try {
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, "store.db")), 0o600);
    assert.equal(mode(join(dir, "tls")), 0o700);
    for (const f of ["ca.crt", "server.crt", "server.key", "token"]) assert.equal(mode(join(dir, "tls", f)), 0o600, f);
  } finally {
    await c.stop();
  }
});

test("an empty identity file is refused with the file and the fix, and the lock is released", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lc-empty-"));
  await (await start(dir)).stop();
  writeFileSync(join(dir, "tls", "token"), "");
  await assert.rejects(start(dir), /identity file .*token is missing or empty: remove .*tls to make a new identity/);
  writeFileSync(join(dir, "tls", "token"), "fresh-token\n");
  const c = await start(dir);
  assert.equal(c.token, "fresh-token");
  await c.stop();
});
