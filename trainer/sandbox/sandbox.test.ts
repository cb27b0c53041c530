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
