// `temper validate` as a user runs it: a real process, real files, exit codes and messages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/temper.ts", import.meta.url));
const examples = fileURLToPath(new URL("../examples/", import.meta.url));

function temper(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "temper-validate-"));
  const p = join(dir, "m.yaml");
  writeFileSync(p, text);
  return p;
}

const rl = (temperature: string) => `apiVersion: temper.dev/v1alpha1
kind: RLJob
metadata: {name: bad}
spec:
  initFrom: {checkpoint: "file:///ckpt"}
  temperature: ${temperature}
  stages: [{name: s1, maxResponseLength: 64, epochs: 1}]
`;

describe("temper validate", () => {
  test("accepts every example and exits 0", () => {
    const r = temper("validate", "-f", examples);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /4 objects valid/);
  });

  test("rejects min above max with exit 1, naming the file, the object and the field", () => {
    const p = file(rl("{policy: EntropyTarget, initial: 0.7, min: 0.9, max: 0.5}"));
    const r = temper("validate", "-f", p);
    assert.equal(r.code, 1);
    assert.ok(r.out.includes(`${p}: RLJob/bad: spec.temperature.max: Invalid value: 0.5: must be >= spec.temperature.min (0.9)`), r.out);
  });

  test("reports an unknown field by its path", () => {
    const r = temper("validate", "-f", file(rl("{initial: 0.7, temprature: 1}")));
    assert.equal(r.code, 1);
    assert.match(r.out, /spec\.temperature\.temprature: unknown field/);
  });

  test("checks every document of a multi-document file and reports each bad one", () => {
    const good = "apiVersion: temper.dev/v1alpha1\nkind: SFTJob\nmetadata: {name: ok}\nspec: {}\n";
    const r = temper("validate", "-f", file(`${good}---\n${rl("{min: 2, max: 1, initial: 1.5}")}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`));
    assert.equal(r.code, 1);
    assert.match(r.out, /SFTJob\/ok: valid/);
    assert.match(r.out, /RLJob\/bad: spec\.temperature\.max/);
    assert.match(r.out, /ConfigMap\/c: skipped/);
  });

  test("rejects a temper.dev kind that does not exist", () => {
    const r = temper("validate", "-f", file("apiVersion: temper.dev/v1alpha1\nkind: PPOJob\nmetadata: {name: x}\nspec: {}\n"));
    assert.equal(r.code, 1);
    assert.match(r.out, /kind: Unsupported value: "PPOJob": supported values: "SFTJob", "RLJob"/);
  });

  test("rejects an unserved version", () => {
    const r = temper("validate", "-f", file("apiVersion: temper.dev/v1\nkind: SFTJob\nmetadata: {name: x}\nspec: {}\n"));
    assert.equal(r.code, 1);
    assert.match(r.out, /apiVersion: Unsupported value: "temper.dev\/v1"/);
  });

  test("reports malformed YAML instead of crashing", () => {
    const r = temper("validate", "-f", file("apiVersion: temper.dev/v1alpha1\nkind: [SFTJob\n"));
    assert.equal(r.code, 1);
    assert.match(r.out, /YAML:/);
  });

  test("exits 2 with usage when given nothing or a missing path", () => {
    assert.equal(temper("validate").code, 2);
    const r = temper("validate", "-f", "/nonexistent/x.yaml");
    assert.equal(r.code, 2);
    assert.match(r.out, /ENOENT|no such file/);
  });
});
