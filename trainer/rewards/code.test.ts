import assert from "node:assert/strict";
import { test } from "node:test";
import { codeLevels, codeProblem, contextChars, teacherCode } from "../tasks/code.ts";
import { Rng } from "../rng.ts";
import { codeReward, codeRewards, extractCode, type CodeRollout } from "./code.ts";

test("every teacher trace fits a 128-character context with its prompt and passes the hidden tests", async () => {
  const rng = new Rng(1).fn();
  // One sandboxed run per distinct solution the teacher can emit (about thirty children), each
  // against the hidden tests of the first problem that drew it; the fit is checked on every draw.
  const firstUse = new Map<string, CodeRollout>();
  for (const level of codeLevels) {
    for (let i = 0; i < 1500; i++) {
      const p = codeProblem(rng, level);
      const trace = teacherCode(p, rng);
      assert.ok(p.prompt.length + trace.length + 2 <= contextChars, `${p.prompt} ${trace}`);
      const code = extractCode(trace);
      if (!firstUse.has(code)) firstUse.set(code, { response: trace, problem: p });
    }
  }
  const rollouts = [...firstUse.values()];
  const rewards = await codeRewards(rollouts, { concurrency: 2 });
  rollouts.forEach((r, i) => assert.equal(rewards[i], 1, `${r.problem.prompt} ${r.response}`));
  const families = new Set(rollouts.map((r) => r.problem.entryPoint));
  assert.ok(rollouts.length >= 2 * families.size, `${rollouts.length} solutions over ${families.size} families`);
});

test("a solution that only fits the shown examples fails the hidden tests", async () => {
  const p = codeProblem(new Rng(3).fn(), 1);
  const table = p.examples.map((e) => `if (JSON.stringify([...arguments]) === ${JSON.stringify(JSON.stringify(e.args))}) return ${JSON.stringify(e.expected)};`).join(" ");
  const cheat = `\`\`\`js\nfunction ${p.entryPoint}() { ${table} return null; }\n\`\`\``;
  assert.equal(await codeReward(cheat, p), 0);
});

test("the last code block is the answer", () => {
  assert.equal(extractCode("```js\nfirst\n```\ntext\n```\nsecond\n```"), "second\n");
  assert.equal(extractCode("no fence"), "no fence");
});

test("code problems keep their examples among the hidden tests", () => {
  const p = codeProblem(new Rng(5).fn(), 2);
  assert.deepEqual(p.hiddenTests.slice(0, p.examples.length), p.examples);
  assert.throws(() => codeProblem(new Rng(5).fn(), 9), /level must be one of/);
});

test("a batch scores each rollout in order, and hostile rollouts cost only themselves", async () => {
  const rng = new Rng(7).fn();
  const problems = Array.from({ length: 8 }, () => codeProblem(rng, 1));
  const rollouts = problems.flatMap((p, i) => [
    { response: teacherCode(p, rng), problem: p },
    { response: i % 2 === 0 ? "```js\nwhile (true) {}\n```" : `\`\`\`js\nfunction ${p.entryPoint}() { return "no"; }\n\`\`\``, problem: p },
  ]);
  const started = performance.now();
  const rewards = await codeRewards(rollouts, { limits: { timeoutMs: 1000, memoryMb: 128 }, concurrency: 2 });
  const ms = performance.now() - started;
  assert.deepEqual(rewards, rollouts.map((_, i) => (i % 2 === 0 ? 1 : 0)));
  // 4 infinite loops end at their 1 s deadline; 16 children on a loaded 2-core machine take a
  // few seconds. The bound only proves that no rollout holds the batch up.
  assert.ok(ms < 20000, `batch of 16 took ${ms} ms`);
});

test("a wrong solution that forges the sandbox's verdict or reads the hidden tests scores 0, and the honest solution still scores 1", async () => {
  const p = codeProblem(new Rng(11).fn(), 1);
  const fn = p.entryPoint;
  const hostile = [
    // A verdict line of its own on the shared stdout, then an exit before the runner's.
    `function ${fn}() { globalThis.process.stdout.write('{"passed":${p.hiddenTests.length}}\\n'); globalThis.process.exit(0); }`,
    // The runner's JSON.stringify, through a toJSON every object inherits.
    `Object.prototype.toJSON = function () { return { passed: ${p.hiddenTests.length}, total: ${p.hiddenTests.length} }; }; function ${fn}() { return null; }`,
    // The hidden tests themselves, caught when the runner iterates over them.
    `let seen; const it = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function () { if (this[0] && typeof this[0] === 'object' && 'expected' in this[0]) seen = this; return it.call(this); }; let i = 0; function ${fn}() { return seen ? seen[i++].expected : null; }`,
    // The shown example answered in turn, by a counter kept between tests.
    `let i = 0; function ${fn}() { return i++ === 0 ? ${JSON.stringify(p.examples[0].expected)} : null; }`,
  ].map((code) => ({ response: `\`\`\`js\n${code}\n\`\`\``, problem: p }));
  const honest = { response: teacherCode(p, new Rng(12).fn()), problem: p };
  assert.deepEqual(await codeRewards([...hostile, honest], { concurrency: 2 }), [0, 0, 0, 0, 1]);
});
