// The temper command line: dispatch, usage and exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("./temper.ts", import.meta.url));
const temper = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

test("temper with no command prints usage and exits 2", () => {
  const r = temper();
  assert.equal(r.status, 2);
  assert.match(r.stdout, /Usage: temper COMMAND/);
});

test("temper help lists every command and exits 0", () => {
  const r = temper("help");
  assert.equal(r.status, 0);
  for (const c of ["validate", "cluster", "operator", "demo"]) assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
});

test("an unknown command names itself and exits 2", () => {
  const r = temper("frobnicate");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});
