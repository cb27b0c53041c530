// The sandbox against hostile and broken solutions: each must score 0, quickly, and leave the
// next run working. Times are asserted loosely (the point is "does not hang"); real figures go
// to the notes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isolation, Pool, runInSandbox } from "./sandbox.ts";

const limits = { timeoutMs: 2000, memoryMb: 128 };
const tests = [{ args: [2, 3], expected: 5 }, { args: [-1, 1], expected: 0 }];
const run = (code: string) => runInSandbox(code, "add", tests, limits);

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
  // so a case cannot pass for an unrelated error.
  const hostile: [string, string, RegExp][] = [
    ["an infinite loop", "function add(a, b) { while (true) {} }", /timeout/],
    ["a fork bomb through child_process", "function add(a, b) { const cp = globalThis.process.getBuiltinModule('node:child_process'); for (;;) cp.spawn(globalThis.process.execPath, ['-e', '1']); }", /Access to this API has been restricted/],
    ["a fork bomb through workers", "function add(a, b) { const { Worker } = globalThis.process.getBuiltinModule('node:worker_threads'); for (;;) new Worker('1', { eval: true }); }", /Access to this API has been restricted/],
    ["a 10 GB allocation", "function add(a, b) { const x = new Uint8Array(10 * 1024 ** 3); x.fill(1); return a + b; }", /Array buffer allocation failed|Invalid typed array length|crashed/],
    // Near the heap limit V8 collects hard before it gives up, so on a loaded machine the
    // deadline may be what ends it; either way it scores 0 in bounded time.
    ["a heap that grows without bound", "function add(a, b) { const xs = []; for (;;) xs.push(new Array(1e6).fill(a)); }", /crashed|heap|timeout/],
    ["reading /etc/passwd", "function add(a, b) { return globalThis.process.getBuiltinModule('node:fs').readFileSync('/etc/passwd', 'utf8').length > 0 ? a + b : 0; }", /Access to this API has been restricted/],
    ["writing a file", "function add(a, b) { globalThis.process.getBuiltinModule('node:fs').writeFileSync('/tmp/pwned', 'x'); return a + b; }", /Access to this API has been restricted/],
    ["opening a socket", "async function add(a, b) { const net = globalThis.process.getBuiltinModule('node:net'); await new Promise((ok, no) => net.connect(22, '127.0.0.1', ok).on('error', no)); return a + b; }", /ENETUNREACH|ECONNREFUSED/],
    ["calling fetch", "async function add(a, b) { await fetch('http://127.0.0.1:1/'); return a + b; }", /fetch is not defined/],
    ["exiting the process", "function add(a, b) { globalThis.process.exit(0); }", /crashed/],
    ["crashing the process", "function add(a, b) { globalThis.process.abort(); }", /crashed/],
    ["flooding stdout", "function add(a, b) { for (;;) console.log('x'.repeat(1e4)); }", /output limit/],
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
    assert.deepEqual(isolation, { unshareNet: true, prlimit: true });
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
  // one must still score 1. Each case is an attempt to forge, or to read, the verdict.
  const verdict = "'{\"passed\":2,\"total\":2}\\n'";
  const forgeries: [string, string][] = [
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
    ["replacing Promise.prototype.then", "const then = Promise.prototype.then; Promise.prototype.then = function (ok, no) { return then.call(this, () => ok(5), no); }; async function add(a, b) { return 42; }"],
    ["replacing the global Promise with one that resolves to the first test's answer", "globalThis.Promise = class extends Promise { then(ok, no) { return super.then(() => ok(5), no); } }; async function add(a, b) { return 42; }"],
    ["replacing Function.prototype.call, apply and bind", "Function.prototype.call = function () { return 5; }; Function.prototype.apply = function () { return 5; }; Function.prototype.bind = function () { return () => 5; }; function add(a, b) { return 42; }"],
    ["keeping a counter between tests to answer each test in turn", "let i = 0; function add(a, b) { return [5, 0][i++]; }"],
    ["keeping state on globalThis between tests", "function add(a, b) { globalThis.calls = (globalThis.calls ?? 0) + 1; return globalThis.calls === 1 ? 5 : 0; }"],
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
  for (const [name, code] of forgeries) {
    test(`scores 0 for a wrong solution ${name}`, async () => {
      const r = await run(code);
      assert.equal(r.passed, 0, `${name}: ${r.passed} passed (${r.why ?? ""})`);
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
