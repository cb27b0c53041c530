// The sandbox against hostile and broken solutions: each must score 0, quickly, and leave the
// next run working. Times are asserted loosely (the point is "does not hang"); real figures go
// to the notes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { probeIsolation, sandboxIsolation, type SandboxIsolation } from "./isolation.ts";
import { judge, Pool, runInSandbox, sandboxCommand } from "./sandbox.ts";

const limits = { timeoutMs: 2000, memoryMb: 128 };
const tests = [{ args: [2, 3], expected: 5 }, { args: [-1, 1], expected: 0 }];
const run = (code: string) => runInSandbox(code, "add", tests, limits);
/** podUser runs children as the trainer pods run, uid 1000 with no capabilities, when this test runs as root. */
const podUser = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};
/** noProcess is how a solution fails when it reaches for the process API: its realm has none. */
const noProcess = /Cannot read properties of undefined \(reading '(getBuiltinModule|exit|abort)'\)/;

describe("sandbox", () => {
  test("passes a correct solution", async () => {
    const r = await run("function add(a, b) { return a + b; }");
    assert.equal(r.ok, true, r.why);
    assert.equal(r.passed, 2);
  });

  test("counts a wrong solution's passing tests but does not call it ok", async () => {
    const r = await run("function add(a, b) { return a * b + 1 - 1 === 6 ? 5 : 1; }");
    assert.equal(r.ok, false);
    assert.equal(r.passed, 1);
  });

  // Each hostile case names the layer that must stop it (matched against the reported reason),
  // so a case cannot pass for an unrelated error. The solution's realm has no process object, so
  // everything reached through it stops there; the layers behind the realm are tested on their
  // own in "the layers behind the realm".
  const hostile: [string, string, RegExp][] = [
    ["an infinite loop", "function add(a, b) { while (true) {} }", /timeout/],
    ["a fork bomb through child_process", "function add(a, b) { const cp = globalThis.process.getBuiltinModule('node:child_process'); for (;;) cp.spawn(globalThis.process.execPath, ['-e', '1']); }", noProcess],
    ["a fork bomb through workers", "function add(a, b) { const { Worker } = globalThis.process.getBuiltinModule('node:worker_threads'); for (;;) new Worker('1', { eval: true }); }", noProcess],
    ["a 10 GB allocation", "function add(a, b) { const x = new Uint8Array(10 * 1024 ** 3); x.fill(1); return a + b; }", /Array buffer allocation failed|Invalid typed array length|crashed/],
    // Near the heap limit V8 collects hard before it gives up, so on a loaded machine the
    // deadline may be what ends it; either way it scores 0 in bounded time.
    ["a heap that grows without bound", "function add(a, b) { const xs = []; for (;;) xs.push(new Array(1e6).fill(a)); }", /crashed|heap|timeout/],
    ["reading /etc/passwd", "function add(a, b) { return globalThis.process.getBuiltinModule('node:fs').readFileSync('/etc/passwd', 'utf8').length > 0 ? a + b : 0; }", noProcess],
    ["writing a file", "function add(a, b) { globalThis.process.getBuiltinModule('node:fs').writeFileSync('/tmp/pwned', 'x'); return a + b; }", noProcess],
    ["opening a socket", "async function add(a, b) { const net = globalThis.process.getBuiltinModule('node:net'); await new Promise((ok, no) => net.connect(22, '127.0.0.1', ok).on('error', no)); return a + b; }", noProcess],
    ["importing node:net", "async function add(a, b) { const net = await import('node:net'); return a + b; }", /import|module/i],
    ["calling fetch", "async function add(a, b) { await fetch('http://127.0.0.1:1/'); return a + b; }", /fetch is not defined/],
    ["exiting the process", "function add(a, b) { globalThis.process.exit(0); }", noProcess],
    ["crashing the process", "function add(a, b) { globalThis.process.abort(); }", noProcess],
    // console exists in the realm (V8's own) but writes nowhere, so a flood is only a loop.
    ["flooding stdout through console.log", "function add(a, b) { for (;;) console.log('x'.repeat(1e4)); }", /timeout/],
    ["returning a 100 MB string", "function add(a, b) { return 'x'.repeat(1e8); }", /too large/],
    ["returning a deeply nested array", "function add(a, b) { let x = []; for (let i = 0; i < 1e5; i++) x = [x]; return x; }", /too large/],
    ["a syntax error", "function add(a, b) { return a + ; }", /Unexpected token|SyntaxError/],
    ["no function of that name", "function plus(a, b) { return a + b; }", /no function named add/],
  ];
  for (const [name, code, reason] of hostile) {
    test(`scores 0 for ${name}, within the deadline`, async () => {
      const r = await run(code);
      assert.equal(r.ok, false, `${name} passed`);
      assert.match(r.why ?? "", reason);
      assert.ok(r.ms < limits.timeoutMs + 1500, `${name} took ${r.ms} ms`);
    });
  }

  test("still works after every hostile run", async () => {
    const r = await run("const add = (a, b) => a + b;");
    assert.equal(r.ok, true, r.why);
  });

  test("starts reliably under its address-space limit: twenty correct runs in a row pass", async () => {
    const pool = new Pool(2);
    const runs = await Promise.all(Array.from({ length: 20 }, () => pool.run(() => runInSandbox("const add = (a, b) => a + b;", "add", tests, { timeoutMs: 5000, memoryMb: 256 }))));
    assert.deepEqual(runs.map((r) => r.why ?? "ok"), runs.map(() => "ok"));
  });

  test("the OS isolation layers this suite relies on are present", () => {
    const i = sandboxIsolation();
    assert.deepEqual([i.network, i.prlimit], ["NetworkNamespace", true], i.reason);
  });

  test("a pool runs at most its size at once and runs everything", async () => {
    const pool = new Pool(2);
    let now = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool.run(async () => {
          peak = Math.max(peak, ++now);
          await new Promise((r) => setTimeout(r, 20));
          now--;
          return i;
        }),
      ),
    );
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
    assert.equal(peak, 2);
  });
});

describe("the sandbox's verdict", () => {
  // The verdict: a wrong solution (its honest answer, 42, fits neither test) must score 0
  // whatever it does to the process, the runner's realm or the output channels, and a correct
  // one must still score 1. Each case is an attempt to forge, or to read, the verdict. A case
  // whose honest answer is 5 everywhere (5 is right for the first test only) may pass that one.
  const verdict = "'{\"passed\":2,\"total\":2}\\n'";
  const forgeries: [string, string, number?][] = [
    ["printing a forged verdict on stdout and exiting with 0", `function add(a, b) { globalThis.process.stdout.write(${verdict}); globalThis.process.exit(0); }`],
    ["printing a forged verdict on stdout and returning", `function add(a, b) { globalThis.process.stdout.write(${verdict}); return 42; }`],
    ["printing a forged verdict on stderr and exiting with 0", `function add(a, b) { globalThis.process.stderr.write(${verdict}); globalThis.process.exit(0); }`],
    ["writing a forged verdict to every file descriptor and exiting", `function add(a, b) { const fs = globalThis.process.getBuiltinModule('node:fs'); for (let fd = 0; fd < 16; fd++) { try { fs.writeSync(fd, ${verdict}); } catch {} } globalThis.process.exit(0); }`],
    ["guessing the nonce of a verdict line", `function add(a, b) { const w = (s) => globalThis.process.stdout.write(s); for (const g of ['', '0'.repeat(32), 'f'.repeat(32), 'nonce']) w(g + ' {"results":[{"ok":["z",5]},{"ok":["z",0]}]}\\n'); w(${verdict}); globalThis.process.exit(0); }`],
    ["exiting early with process.exit(0)", "function add(a, b) { globalThis.process.exit(0); }"],
    ["exiting early with process.reallyExit(0)", "function add(a, b) { globalThis.process.reallyExit(0); }"],
    ["killing itself with SIGTERM", "function add(a, b) { globalThis.process.kill(globalThis.process.pid); }"],
    ["killing itself with SIGKILL", "function add(a, b) { globalThis.process.kill(globalThis.process.pid, 'SIGKILL'); }"],
    ["registering an exit handler that prints a verdict after the runner's", `globalThis.process.on('exit', () => globalThis.process.stdout.write(${verdict})); function add(a, b) { return 42; }`],
    ["replacing JSON.stringify", `JSON.stringify = () => ${verdict}.trim(); function add(a, b) { return 42; }`],
    ["replacing JSON.parse", "const parse = JSON.parse; JSON.parse = (s) => ({ ...parse(s), passed: 2 }); function add(a, b) { return 42; }"],
    ["giving Object.prototype a toJSON that rewrites the verdict", "Object.prototype.toJSON = function () { return { passed: 2, total: 2 }; }; function add(a, b) { return 42; }"],
    ["giving Object.prototype a passed getter", "Object.defineProperty(Object.prototype, 'passed', { get: () => 2, configurable: true }); function add(a, b) { return 42; }"],
    ["replacing Array.prototype's iterator to read the hidden tests' expected values", "let seen; const it = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function () { if (this.length > 0 && this[0] !== null && typeof this[0] === 'object' && 'expected' in this[0]) seen = this; return it.call(this); }; let i = 0; function add(a, b) { return seen === undefined ? 42 : seen[i++].expected; }"],
    ["replacing console.log to print a forged verdict", `console.log = () => globalThis.process.stdout.write(${verdict}); function add(a, b) { console.log('x'); return 42; }`],
    ["replacing Promise.prototype.then to settle every promise with 5", "const then = Promise.prototype.then; Promise.prototype.then = function (ok, no) { return then.call(this, () => ok(5), no); }; async function add(a, b) { return 42; }", 1],
    ["replacing the global Promise with one that resolves to the first test's answer", "globalThis.Promise = class extends Promise { then(ok, no) { return super.then(() => ok(5), no); } }; async function add(a, b) { return 42; }"],
    ["replacing Function.prototype.call, apply and bind", "Function.prototype.call = function () { return 5; }; Function.prototype.apply = function () { return 5; }; Function.prototype.bind = function () { return () => 5; }; function add(a, b) { return 42; }"],
    ["keeping a counter between tests to answer each test in turn", "let i = 0; function add(a, b) { return [5, 0][i++]; }", 1],
    ["keeping state on globalThis between tests", "function add(a, b) { globalThis.calls = (globalThis.calls ?? 0) + 1; return globalThis.calls === 1 ? 5 : 0; }", 1],
    ["scheduling a timer that prints a verdict later", `function add(a, b) { setTimeout(() => globalThis.process.stdout.write(${verdict}), 0); return 42; }`],
    ["scheduling setImmediate to print a verdict later", `function add(a, b) { setImmediate(() => globalThis.process.stdout.write(${verdict})); return 42; }`],
    ["queueing a microtask that prints a verdict", `function add(a, b) { queueMicrotask(() => globalThis.process.stdout.write(${verdict})); return 42; }`],
    ["returning an array and fixing it from a microtask after the check", "function add(a, b) { const r = [42]; Promise.resolve().then(() => { r[0] = a + b; }); return r; }"],
    ["throwing null", "function add(a, b) { throw null; }"],
    ["throwing undefined", "function add(a, b) { throw undefined; }"],
    ["throwing an object whose message getter throws", "function add(a, b) { throw { get message() { throw new Error('boom'); } }; }"],
    ["throwing an object whose toString throws", "function add(a, b) { throw { toString() { throw new Error('boom'); } }; }"],
    ["throwing an object whose message getter prints a verdict and exits", `function add(a, b) { throw { get message() { globalThis.process.stdout.write(${verdict}); globalThis.process.exit(0); } }; }`],
    ["throwing a Proxy whose traps print a verdict and exit", `function add(a, b) { const forge = () => { globalThis.process.stdout.write(${verdict}); globalThis.process.exit(0); }; throw new Proxy({}, { get: forge, has: forge, getPrototypeOf: forge, ownKeys: forge, getOwnPropertyDescriptor: forge }); }`],
    ["returning an object with throwing valueOf, toString and Symbol.toPrimitive", "function add(a, b) { const boom = () => { throw new Error('boom'); }; return { valueOf: boom, toString: boom, [Symbol.toPrimitive]: boom }; }"],
    ["returning a Proxy whose traps print a verdict and exit", `function add(a, b) { const forge = () => { globalThis.process.stdout.write(${verdict}); globalThis.process.exit(0); }; return new Proxy({}, { get: forge, has: forge, getPrototypeOf: forge, ownKeys: forge, getOwnPropertyDescriptor: forge }); }`],
    ["returning an object whose getter loops forever", "function add(a, b) { return { get value() { for (;;) {} } }; }"],
  ];
  for (const [name, code, honest = 0] of forgeries) {
    test(`scores 0 for a wrong solution ${name}`, async () => {
      const r = await run(code);
      assert.equal(r.passed, honest, `${name}: ${r.passed} passed (${r.why ?? ""})`);
      assert.equal(r.ok, false);
      assert.ok(r.ms < limits.timeoutMs + 1500, `${name} took ${r.ms} ms`);
    });
  }

  test("scores 1 for a correct solution that patches the intrinsics it does not use", async () => {
    const r = await run("JSON.stringify = () => 'x'; Object.prototype.toJSON = () => 1; Array.prototype[Symbol.iterator] = function* () {}; function add(a, b) { return a + b; }");
    assert.equal(r.ok, true, r.why);
    assert.equal(r.passed, 2);
  });

  test("scores 1 for a correct async solution", async () => {
    const r = await run("async function add(a, b) { await null; return a + b; }");
    assert.equal(r.ok, true, r.why);
  });
});

/** script writes a plain JavaScript file every user can read, for children run as podUser. */
function script(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-"));
  chmodSync(dir, 0o755);
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

describe("the verdict channel", () => {
  const nonce = "ab".repeat(16);
  const verdict = (results: unknown) => `ready\n${nonce} ${JSON.stringify({ results })}\n`;
  const cases: [string, string, number][] = [
    ["counts the results that equal the expected values", verdict([{ value: ["z", 5] }, { value: ["z", 0] }]), 2],
    ["compares -0, NaN and undefined as the runner tagged them, not as JSON would", verdict([{ value: ["n", "-0"] }, { value: ["u"] }]), 0],
    ["refuses a verdict without the run's nonce", `ready\n${"cd".repeat(16)} ${JSON.stringify({ results: [{ value: ["z", 5] }, { value: ["z", 0] }] })}\n`, 0],
    ["refuses a second verdict line", verdict([{ value: ["z", 5] }, { value: ["z", 0] }]) + verdict([{ value: ["z", 5] }, { value: ["z", 0] }]).slice(6), 0],
    ["refuses a verdict before the ready line", verdict([{ value: ["z", 5] }, { value: ["z", 0] }]).slice(6), 0],
    ["refuses a verdict with a result per test missing", verdict([{ value: ["z", 5] }]), 0],
    ["refuses a result that is not a tagged node", verdict([{ value: 5 }, { value: ["z", 0] }]), 1],
  ];
  for (const [name, channel, passed] of cases) {
    test(name, () => assert.equal(judge(channel, nonce, tests).passed, passed));
  }

  test("a runner that holds the whole process API and the nonce still cannot pass: it is never given the expected values", async () => {
    // The stand-in runner answers each test with the first string of its input that is neither
    // the nonce, nor the code, nor the entry point, nor an argument: if the expected values were
    // sent, that is one of them. As a control, the same runner passes a test whose expected value
    // is its argument, so the channel and the nonce it uses are the real ones.
    const hostile = script("runner.js", `import { writeSync } from "node:fs";
let text = ""; for await (const c of process.stdin) text += c;
const input = JSON.parse(text);
const strings = (v) => typeof v === "string" ? [v] : v !== null && typeof v === "object" ? Object.values(v).flatMap(strings) : [];
const known = new Set([input.nonce, input.code, input.entryPoint, ...strings(input.args)]);
const leaked = strings(input).filter((s) => !known.has(s));
writeSync(3, "ready\\n");
writeSync(3, input.nonce + " " + JSON.stringify({ results: input.args.map((a) => ({ value: ["z", leaked[0] ?? a[0]] })) }) + "\\n");
`);
    const secret = randomBytes(8).toString("hex");
    const echo = await runInSandbox("", "echo", [{ args: ["same"], expected: "same" }], limits, { runner: hostile });
    assert.equal(echo.passed, 1, echo.why);
    const r = await runInSandbox("", "echo", [{ args: ["arg"], expected: secret }], limits, { runner: hostile });
    assert.equal(r.passed, 0);
  });
});

describe("the layers behind the realm", () => {
  // A stand-in for a solution that escaped its realm: a script with the whole process API, run
  // under the sandbox's own command line, as the pods run it (uid 1000, no capabilities).
  const escape = (port: number) => script("escape.js", `import fs from "node:fs";
import cp from "node:child_process";
import net from "node:net";
const tryIt = (f) => { try { f(); return "allowed"; } catch (e) { return e.code ?? e.message; } };
const out = {
  uid: process.getuid(),
  read: tryIt(() => fs.readFileSync("/etc/passwd")),
  write: tryIt(() => fs.writeFileSync("/tmp/sandbox-escape", "x")),
  spawn: tryIt(() => cp.spawnSync("true")),
  alloc: tryIt(() => new Uint8Array(10 * 1024 ** 3).fill(1)),
};
out.connect = await new Promise((done) => {
  const s = net.connect(${port}, "127.0.0.1", () => { s.destroy(); done("connected"); });
  s.on("error", (e) => done(e.code));
});
process.stdout.write(JSON.stringify(out));
`);

  async function escapeUnder(isolation: SandboxIsolation): Promise<{ out: Record<string, string | number>; connections: number }> {
    let connections = 0;
    const listener = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const port = (listener.address() as { port: number }).port;
    const [cmd, args] = sandboxCommand({ timeoutMs: 5000, memoryMb: 128 }, isolation, escape(port));
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: {}, ...podUser });
    let text = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise((r) => child.on("close", r));
    await new Promise((r) => listener.close(r));
    assert.ok(text.startsWith("{"), `escape script said nothing: ${err}`);
    const out = JSON.parse(text) as Record<string, string | number>;
    assert.equal(out.uid, podUser.uid ?? process.getuid?.());
    return { out, connections };
  }

  test("as uid 1000 with no capabilities, the network namespace keeps a socket from reaching a listener on 127.0.0.1", async () => {
    const isolation = probeIsolation(podUser);
    assert.equal(isolation.network, "NetworkNamespace", isolation.reason);
    const r = await escapeUnder(isolation);
    assert.match(String(r.out.connect), /ENETUNREACH|EACCES|EPERM/);
    assert.equal(r.connections, 0);
    // The control: without the namespace the same script connects, so the listener would have seen it.
    const open = await escapeUnder({ ...isolation, network: "None", unshare: [] });
    assert.deepEqual([open.out.connect, open.connections], ["connected", 1]);
  });

  test("as uid 1000, the permission model refuses files and processes, and the address-space limit a 10 GB buffer", async () => {
    const { out } = await escapeUnder(probeIsolation(podUser));
    assert.deepEqual([out.read, out.write, out.spawn], ["ERR_ACCESS_DENIED", "ERR_ACCESS_DENIED", "ERR_ACCESS_DENIED"]);
    assert.notEqual(out.alloc, "allowed");
  });

  test("as uid 1000, a correct solution still scores 1 and a wrong one 0", async () => {
    const asPod = { ...podUser, isolation: probeIsolation(podUser) };
    const right = await runInSandbox("const add = (a, b) => a + b;", "add", tests, limits, asPod);
    assert.equal(right.ok, true, right.why);
    const wrong = await runInSandbox("const add = (a, b) => a - b;", "add", tests, limits, asPod);
    assert.equal(wrong.ok, false);
  });

  test("a job that requires isolation runs nothing where there is none, and says which field asked", async () => {
    const none: SandboxIsolation = { network: "None", unshare: [], prlimit: true, reason: "forced for the test" };
    const r = await runInSandbox("const add = (a, b) => a + b;", "add", tests, { ...limits, isolation: "Required" }, { isolation: none });
    assert.equal(r.ok, false);
    assert.match(r.why ?? "", /spec\.reward\.code\.isolation is Required.*forced for the test/);
    const bestEffort = await runInSandbox("const add = (a, b) => a + b;", "add", tests, limits, { isolation: none });
    assert.equal(bestEffort.ok, true, bestEffort.why);
  });
});
