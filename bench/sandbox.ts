// sandbox bench: prints JSON with how long the sandbox takes to score a correct solution, each
// hostile case (all must score 0, forged verdicts included), and a GRPO-sized batch of 64 code rollouts through
// codeRewards, so the cost of code rewards per RL step is known on this machine.
import { availableParallelism } from "node:os";
import { codeRewards } from "../trainer/rewards/code.ts";
import { runInSandbox } from "../trainer/sandbox/sandbox.ts";
import { codeProblem, teacherCode } from "../trainer/tasks/code.ts";
import { Rng } from "../trainer/rng.ts";

const limits = { timeoutMs: 2000, memoryMb: 256 };
const tests = [{ args: [2, 3], expected: 5 }];
const cases: Record<string, string> = {
  correct: "const add = (a, b) => a + b;",
  infiniteLoop: "function add() { while (true) {} }",
  forkBomb: "function add() { const cp = globalThis.process.getBuiltinModule('node:child_process'); for (;;) cp.spawn(globalThis.process.execPath, ['-e', '1']); }",
  alloc10GB: "function add() { const x = new Uint8Array(10 * 1024 ** 3); x.fill(1); }",
  readPasswd: "function add() { return globalThis.process.getBuiltinModule('node:fs').readFileSync('/etc/passwd', 'utf8'); }",
  socket: "async function add() { const net = globalThis.process.getBuiltinModule('node:net'); await new Promise((ok, no) => net.connect(22, '127.0.0.1', ok).on('error', no)); }",
  exit: "function add() { globalThis.process.exit(0); }",
  hugeOutput: "function add() { for (;;) console.log('x'.repeat(1e4)); }",
  forgedVerdict: "function add() { globalThis.process.stdout.write('{\"passed\":1}\\n'); globalThis.process.exit(0); }",
  readsExpected: "let seen; const it = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function () { if (this[0] && 'expected' in this[0]) seen = this; return it.call(this); }; function add() { return seen?.[0].expected; }",
};

const single: Record<string, { ok: boolean; ms: number; why?: string }> = {};
for (const [name, code] of Object.entries(cases)) {
  const r = await runInSandbox(code, "add", tests, limits);
  single[name] = { ok: r.ok, ms: Math.round(r.ms), why: r.why };
}

const rng = new Rng(1).fn();
const rollouts = Array.from({ length: 64 }, (_, i) => {
  const problem = codeProblem(rng, 1 + (i % 3));
  return { problem, response: teacherCode(problem, rng) };
});
const started = performance.now();
const rewards = await codeRewards(rollouts, { limits });
const batchMs = Math.round(performance.now() - started);

process.stdout.write(`${JSON.stringify({ cores: availableParallelism(), single, batch64: { ms: batchMs, perRolloutMs: Math.round(batchMs / 64), passed: rewards.filter((r) => r === 1).length } }, null, 2)}\n`);
