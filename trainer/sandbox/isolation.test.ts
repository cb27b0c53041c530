// The isolation probe against the systems it meets: one that grants user namespaces, old
// util-linux, a node that refuses them (and says why), one without unshare at all; and the
// refusal a job that requires isolation gets. The real system is probed as the pods' user in
// sandbox.test.ts ("the layers behind the realm").
import assert from "node:assert/strict";
import { test } from "node:test";
import { isolationRefusal, namespaceCommands, probeIsolation, type Run } from "./isolation.ts";

/** system answers each probed command: exit 0 for those in `works`, else the kernel's refusal. */
function system(works: string[][], refusal = "unshare: unshare failed: Operation not permitted"): Run {
  return (cmd, args) => {
    const line = [cmd, ...args].join(" ");
    if (cmd === "prlimit" || works.some((w) => line === [...w, "true"].join(" "))) return { status: 0, stderr: "" };
    return { status: 1, stderr: `${refusal}\n` };
  };
}

test("takes a user and network namespace that maps the user to itself where the kernel grants one", () => {
  const i = probeIsolation({ run: system([namespaceCommands[0]]) });
  assert.deepEqual(i, { network: "NetworkNamespace", unshare: ["unshare", "--user", "--map-current-user", "--net", "--"], prlimit: true });
});

test("falls back to mapping the user to root where unshare is too old for --map-current-user", () => {
  const i = probeIsolation({ run: system([namespaceCommands[1]]) });
  assert.deepEqual(i.unshare, ["unshare", "--user", "--map-root-user", "--net", "--"]);
});

test("says None, what each attempt answered and which sysctl is off, where the node refuses user namespaces", () => {
  const sysctl = (path: string) => (path === "/proc/sys/kernel/unprivileged_userns_clone" ? "0" : "15000");
  const i = probeIsolation({ run: system([]), readSysctl: sysctl, uid: 1000 });
  assert.equal(i.network, "None");
  assert.deepEqual(i.unshare, []);
  assert.match(i.reason ?? "", /^no network namespace as uid 1000: unprivileged user namespaces are disabled \(kernel\.unprivileged_userns_clone = 0\); unshare --user --map-current-user --net: unshare: unshare failed: Operation not permitted; /);
  assert.ok((i.reason ?? "").length <= 1024);
});

test("says None where unshare is not installed", () => {
  const missing: Run = () => ({ status: null, stderr: "", error: new Error("spawnSync unshare ENOENT") });
  const i = probeIsolation({ run: missing, readSysctl: () => undefined });
  assert.equal(i.network, "None");
  assert.equal(i.prlimit, false);
  assert.match(i.reason ?? "", /spawnSync unshare ENOENT/);
});

test("a job that requires isolation is refused where there is none, with the field and the fix named; BestEffort and isolated nodes are not", () => {
  const none = { network: "None" as const, unshare: [], prlimit: true, reason: "user namespaces are disabled" };
  const msg = isolationRefusal("Required", none) ?? "";
  assert.match(msg, /^spec\.reward\.code\.isolation is Required, but the code sandbox cannot isolate the network on this node \(user namespaces are disabled\)/);
  assert.match(msg, /allow unprivileged user namespaces on the node/);
  assert.match(msg, /set spec\.reward\.code\.isolation to BestEffort/);
  assert.equal(isolationRefusal("BestEffort", none), undefined);
  assert.equal(isolationRefusal(undefined, none), undefined);
  assert.equal(isolationRefusal("Required", { network: "NetworkNamespace", unshare: namespaceCommands[0], prlimit: true }), undefined);
});
