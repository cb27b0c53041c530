import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const preload = fileURLToPath(new URL("./mount-preload.ts", import.meta.url));

test("shows a volume at its mountPath to fs calls of a Node pod process", async () => {
  const host = mkdtempSync(join(tmpdir(), "mount-"));
  const code = `
    import { writeFileSync, readdirSync, mkdirSync } from "node:fs";
    import { readFile, rename } from "node:fs/promises";
    mkdirSync("/ckpt/step-1", { recursive: true });
    writeFileSync("/ckpt/step-1/model.bin", "weights");
    await rename("/ckpt/step-1/model.bin", "/ckpt/step-1/final.bin");
    console.log(readdirSync("/ckpt/step-1").join(","), await readFile(new URL("file:///ckpt/step-1/final.bin"), "utf8"));`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", preload, "--input-type=module", "-e", code], { env: { PATH: process.env.PATH ?? "", TEMPER_MOUNTS: JSON.stringify({ "/ckpt": host }) } }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(stderr))));
  });
  assert.equal(out.trim(), "final.bin weights");
  assert.equal(readFileSync(join(host, "step-1", "final.bin"), "utf8"), "weights");
});

test("leaves a host path the kubelet already rewrote alone, even under a mounted /tmp", async () => {
  // The cluster's data dir is under /tmp and the pod mounts a volume at /tmp: the config path
  // the kubelet put in args is already a host path and must not be mapped a second time.
  const tmpVolume = mkdtempSync(join(tmpdir(), "podtmp-"));
  const config = mkdtempSync(join(tmpdir(), "config-"));
  const file = join(config, "config.json");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(file, "{\"ok\":true}");
  const code = `import { readFileSync } from "node:fs"; console.log(readFileSync(${JSON.stringify(file)}, "utf8"));`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", preload, "--input-type=module", "-e", code], { env: { PATH: process.env.PATH ?? "", TEMPER_MOUNTS: JSON.stringify({ "/tmp": tmpVolume, "/etc/temper": config }) } }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(stderr))));
  });
  assert.equal(out.trim(), "{\"ok\":true}");
});

test("never maps the program's own code, even when a volume's mountPath prefixes the checkout", async () => {
  const tmpVolume = mkdtempSync(join(tmpdir(), "podtmp-"));
  const checkout = mkdtempSync(join(tmpdir(), "checkout-"));
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(checkout, "code.txt"), "mine");
  const code = `import { readFileSync } from "node:fs"; console.log(readFileSync(${JSON.stringify(join(checkout, "code.txt"))}, "utf8"));`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", preload, "--input-type=module", "-e", code], { env: { PATH: process.env.PATH ?? "", TEMPER_MOUNTS: JSON.stringify({ [tmpdir()]: tmpVolume }), TEMPER_MOUNTS_EXCLUDE: JSON.stringify([checkout]) } }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(stderr))));
  });
  assert.equal(out.trim(), "mine");
});
