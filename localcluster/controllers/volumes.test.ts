import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { containerEnv, expand } from "./podenv.ts";
import { imageArgv } from "./kubelet.ts";
import type { KeyedData, Pod, Pvc } from "./types.ts";
import { containerMounts, imageRoot, prepareVolumes, rewritePaths, type Sources } from "./volumes.ts";

const meta = (name: string) => ({ name, namespace: "ns", uid: `uid-${name}`, resourceVersion: "1" });
const secret: KeyedData = { metadata: meta("s"), data: { token: Buffer.from("t0k").toString("base64") } };
const cm: KeyedData = { metadata: meta("c"), data: { "config.json": "{}", mode: "fast" } };
const bound: Pvc = { metadata: meta("claim"), status: { phase: "Bound" } };
const src: Sources = {
  secret: (_ns, n) => (n === "s" ? secret : undefined),
  configMap: (_ns, n) => (n === "c" ? cm : undefined),
  pvc: (_ns, n) => (n === "claim" ? bound : undefined),
};
const pod = (volumes: Pod["spec"]["volumes"]): Pod => ({
  metadata: { ...meta("p"), labels: { app: "x" }, annotations: { "batch.kubernetes.io/job-completion-index": "3" } },
  spec: { nodeName: "local-0", volumes, containers: [{ name: "main" }] },
  status: { podIP: "127.1.0.9" },
});

test("writes secrets, configmaps and downward API fields as files in the pod's directory", () => {
  const data = mkdtempSync(join(tmpdir(), "vol-"));
  const dirs = prepareVolumes(data, pod([
    { name: "tok", secret: { secretName: "s", items: [{ key: "token", path: "sub/t", mode: 0o600 }] } },
    { name: "cfg", configMap: { name: "c" } },
    { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "ip", fieldRef: { fieldPath: "status.podIP" } }] } },
    { name: "scratch", emptyDir: {} },
  ]), src);
  assert.ok(dirs instanceof Map);
  assert.equal(readFileSync(join(dirs.get("tok") ?? "", "sub/t"), "utf8"), "t0k");
  assert.equal(statSync(join(dirs.get("tok") ?? "", "sub/t")).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dirs.get("cfg") ?? "", "mode"), "utf8"), "fast");
  assert.equal(readFileSync(join(dirs.get("info") ?? "", "labels"), "utf8"), 'app="x"');
  assert.equal(readFileSync(join(dirs.get("info") ?? "", "ip"), "utf8"), "127.1.0.9");
  assert.equal(dirs.get("scratch"), join(data, "pods", "ns", "p", "volumes", "scratch"));
});

test("binds a claim to a directory under the data dir and waits for missing sources", () => {
  const data = mkdtempSync(join(tmpdir(), "vol-"));
  const dirs = prepareVolumes(data, pod([{ name: "d", persistentVolumeClaim: { claimName: "claim" } }]), src);
  assert.ok(dirs instanceof Map);
  assert.equal(dirs.get("d"), join(data, "pvc", "ns", "claim"));
  assert.deepEqual(prepareVolumes(data, pod([{ name: "d", persistentVolumeClaim: { claimName: "other" } }]), src), { reason: "FailedMount", message: 'persistentvolumeclaim "other" not found' });
  assert.equal((prepareVolumes(data, pod([{ name: "x", secret: { secretName: "nope" } }]), src) as { reason: string }).reason, "FailedMount");
});

test("rewrites mount paths in arguments, the longest mount first", () => {
  const mounts = containerMounts({ name: "m", volumeMounts: [{ name: "a", mountPath: "/data" }, { name: "b", mountPath: "/data/ckpt/" }] }, new Map([["a", "/h/a"], ["b", "/h/b"]]));
  assert.equal(rewritePaths("--out=/data/ckpt/1", mounts), "--out=/h/b/1");
  assert.equal(rewritePaths("cat /data/x > /data/ckpt", mounts), "cat /h/a/x > /h/b");
  assert.equal(rewritePaths("/database", mounts), "/database");
});

test("builds env from values, the downward API, secrets and configmaps, expanding $(VAR)", () => {
  const r = containerEnv(pod([]), {
    name: "main",
    envFrom: [{ configMapRef: { name: "c" }, prefix: "CFG_" }],
    env: [
      { name: "INDEX", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
      { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } },
      { name: "ADDR", value: "$(IP):29500" },
    ],
  }, src, [], {});
  assert.ok("env" in r);
  assert.deepEqual({ ...r.env }, { CFG_mode: "fast", "CFG_config.json": "{}", INDEX: "3", IP: "127.1.0.9", TOKEN: "t0k", ADDR: "127.1.0.9:29500" });
  const missing = containerEnv(pod([]), { name: "main", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "gone", key: "k" } } }] }, src, [], {});
  assert.deepEqual(missing, { reason: "CreateContainerConfigError", message: 'secret "gone" not found' });
  assert.equal(expand("$$(KEEP) $(UNKNOWN)", {}), "$(KEEP) $(UNKNOWN)");
});

test("maps the trainer image by name with any tag and runs other images only with a command", () => {
  const images = { "ghcr.io/temper-dev/temper-trainer": ["/node", "/repo/bin/temper-trainer.ts"] };
  assert.deepEqual(imageArgv({ name: "t", image: "ghcr.io/temper-dev/temper-trainer:v1", args: ["sft"] }, images), ["/node", "/repo/bin/temper-trainer.ts", "sft"]);
  assert.deepEqual(imageArgv({ name: "b", image: "busybox", command: ["sh", "-c"], args: ["echo hi"] }, images), ["sh", "-c", "echo hi"]);
  assert.deepEqual(imageArgv({ name: "b", image: "busybox", args: ["sh", "-c", "exit 2"] }, images), ["sh", "-c", "exit 2"]);
  assert.equal((imageArgv({ name: "b", image: "busybox" }, images) as { reason: string }).reason, "ImageNotMapped");
});

test("the image's own files are never rewritten, even when a mount such as /tmp prefixes the checkout they live in", () => {
  // A checkout cloned under /tmp runs pods whose emptyDir is mounted at /tmp: the trainer's own
  // entry point and Node must stay where they are, while other /tmp paths go to the volume.
  const top = `/${imageRoot.split("/")[1]}`;
  const mounts = containerMounts({ name: "m", volumeMounts: [{ name: "t", mountPath: top }] }, new Map([["t", "/h/t"]]));
  assert.equal(rewritePaths(`${imageRoot}/bin/temper-trainer.ts`, mounts), `${imageRoot}/bin/temper-trainer.ts`);
  assert.equal(rewritePaths(`--config=${imageRoot}/x.json`, mounts), `--config=${imageRoot}/x.json`);
  assert.equal(rewritePaths(`${top}/scratch/a`, mounts), "/h/t/scratch/a");
});
