import assert from "node:assert/strict";
import { test } from "node:test";
import { RLJobSpec } from "../api/rljob.ts";
import { Rng } from "./rng.ts";
import { loadSuite, sftExamples, tokenizerCorpus, type DataRequest, type SuiteProblem, type TaskSuite } from "./suite.ts";
import { codeLevels, type CodeProblem } from "./tasks/code.ts";
import { mathKey, placeCode, splitOf, type Split } from "./tasks/dataset.ts";
import type { MathProblem } from "./tasks/math.ts";

const request = (split: Split, prompts: number): DataRequest => ({ levels: [1, 2, 3], prompts, seed: 1, split });

const ids = (s: TaskSuite, text: string) => [...s.tokenizer.encode(text), s.tokenizer.eos];

test("the code suite draws train, validation and test problems that never share a problem", async () => {
  const s = await loadSuite("code");
  const keys = (split: Split, n: number) => {
    const ps = s.problems(request(split, n)) as CodeProblem[];
    assert.equal(ps.length, n, split);
    for (const p of ps) assert.equal(placeCode(p).split, split, p.prompt);
    return new Set(ps.map((p) => placeCode(p).key));
  };
  const [train, validation, test] = [keys("train", 400), keys("validation", 60), keys("test", 60)];
  assert.equal(validation.size, 60);
  assert.equal(test.size, 60);
  for (const k of [...validation, ...test]) assert.ok(!train.has(k), k);
  for (const k of test) assert.ok(!validation.has(k), k);
});

test("the code suite's teacher traces score 1 and a wrong response scores 0 through the sandbox", async () => {
  const s = await loadSuite("code");
  const rng = new Rng(2);
  // Three problems keep the sandbox children few; the full sweep is in rewards/code.test.ts.
  for (const p of s.problems(request("test", 3))) {
    const [a, b] = s.teacher(p, rng, 2);
    assert.equal(await s.score(ids(s, a), p), 1, `${p.prompt} ${a}`);
    assert.equal(await s.score(s.tokenizer.encode(b), p), 1, `${p.prompt} ${b}`);
    const wrong = `\`\`\`js\nconst ${(p as CodeProblem).entryPoint} = () => null;\n\`\`\``;
    assert.equal(await s.score(ids(s, wrong), p), 0, p.prompt);
  }
});

test("the code suite scores a batch of right and wrong rollouts through the sandbox, each reward in its item's place", async () => {
  const s = await loadSuite("code");
  const rng = new Rng(4);
  const right = (p: SuiteProblem) => ids(s, s.teacher(p, rng, 1)[0]);
  const wrong = (p: SuiteProblem) => ids(s, `\`\`\`js\nconst ${(p as CodeProblem).entryPoint} = () => null;\n\`\`\``);
  const [a, b, c] = s.problems(request("test", 3));
  // The pattern differs from its reverse and from every rotation, so rewards out of order fail.
  const items = [
    { response: right(a), problem: a }, { response: wrong(a), problem: a }, { response: wrong(b), problem: b },
    { response: right(b), problem: b }, { response: right(c), problem: c }, { response: wrong(c), problem: c },
    { response: right(c), problem: c },
  ];
  assert.deepEqual(await s.scoreBatch(items), [1, 0, 0, 1, 1, 0, 1]);
  assert.deepEqual(await s.scoreBatch([]), []);
});

test("the math suite's batch score is its one-at-a-time score, item by item", async () => {
  const s = await loadSuite("math");
  const rng = new Rng(5);
  const items = s.problems(request("test", 4)).flatMap((p) => [
    { response: ids(s, s.teacher(p, rng, 1)[0]), problem: p },
    { response: ids(s, "\\boxed{no}"), problem: p },
  ]);
  const one: number[] = [];
  for (const it of items) one.push(await s.score(it.response, it.problem));
  assert.deepEqual(await s.scoreBatch(items), one);
  assert.deepEqual(one, [1, 0, 1, 0, 1, 0, 1, 0]);
});

test("the code suite's SFT examples fit the demo model's 128-token context", async () => {
  const s = await loadSuite("code");
  for (const e of sftExamples(s, s.problems(request("train", 300)), 4, 3)) {
    assert.ok(e.prompt.length + e.response.length <= 128, s.tokenizer.decode([...e.prompt, ...e.response]));
  }
});

test("the math suite scores its teacher traces 1 and a wrong answer 0", async () => {
  const s = await loadSuite("math");
  const rng = new Rng(3);
  for (const p of s.problems(request("test", 6))) {
    assert.equal(await s.score(ids(s, s.teacher(p, rng, 1)[0]), p), 1, p.prompt);
    assert.equal(await s.score(ids(s, "\\boxed{no}"), p), 0, p.prompt);
  }
});

/** rewardCode is spec.reward.code of an RLJob on code that asks for these sandbox limits. */
const rewardCode = (code: { timeoutMs?: number; memoryMb?: number }) => RLJobSpec.parse({
  initFrom: { checkpoint: "file:///ck" }, stages: [{ name: "a", maxResponseLength: 64, data: { task: "code" } }], reward: { code },
}).reward.code;

/** preluded is a response that runs prelude once, then defines a correct solution of p. */
const preluded = (s: TaskSuite, p: SuiteProblem, prelude: string) => ids(s, `\`\`\`js\n${prelude}\n${(p as CodeProblem).solutions[0]}\n\`\`\``);

test("the code suite gives each solution the timeoutMs of spec.reward.code: a 3 s solution passes at 5000 and fails at 1000", async () => {
  const [p] = (await loadSuite("code")).problems(request("test", 1));
  // Wall-clock, not a loop count, so a loaded machine cannot make it faster or much slower. The
  // prelude runs once per hidden test (each test gets a fresh realm), so the run takes 3 s in all.
  const busy = `const t0 = Date.now(); while (Date.now() - t0 < ${Math.ceil(3000 / (p as CodeProblem).hiddenTests.length)}) {}`;
  const verdicts = await Promise.all([5000, 1000].map(async (timeoutMs) => {
    const s = await loadSuite("code", undefined, { codeLimits: rewardCode({ timeoutMs }) });
    const r = preluded(s, p, busy);
    const [one, batch] = await Promise.all([s.score(r, p), s.scoreBatch([{ response: r, problem: p }])]);
    return [one, ...batch];
  }));
  assert.deepEqual(verdicts, [[1, 1], [0, 0]]);
});

test("the code suite gives each solution the memoryMb of spec.reward.code: a 150 MB heap passes at 512 and fails at 64", async () => {
  const [p] = (await loadSuite("code")).problems(request("test", 1));
  // Plain doubles live on the V8 heap, which memoryMb caps (a typed array would live outside it).
  // The prelude runs once per hidden test, so the deadline is set far off: only memory decides.
  const heap = "const xs = []; for (let i = 0; i < 150 * 131072; i++) xs.push(i + 0.5);";
  const verdicts = await Promise.all([512, 64].map(async (memoryMb) => {
    const s = await loadSuite("code", undefined, { codeLimits: rewardCode({ memoryMb, timeoutMs: 30000 }) });
    return s.scoreBatch([{ response: preluded(s, p, heap), problem: p }]);
  }));
  assert.deepEqual(verdicts, [[1], [0]]);
});

// The splits as training draws them (cli.ts calls problems() for each set).
test("the math suite's train, validation and test problems never share a canonical problem, whatever the seeds", async () => {
  const s = await loadSuite("math");
  const keys = (split: Split, prompts: number, seed: number) => {
    const ps = s.problems({ levels: [1, 2], prompts, seed, split });
    assert.equal(ps.length, prompts, split);
    for (const p of ps) if (split !== "train") assert.equal(splitOf(mathKey(p)), split, p.prompt);
    return new Set(ps.map(mathKey));
  };
  const [train, validation, test] = [keys("train", 800, 1), keys("validation", 200, 2), keys("test", 200, 3)];
  for (const k of [...validation, ...test]) assert.ok(!train.has(k), k);
  for (const k of test) assert.ok(!validation.has(k), k);
});

test("the math suite's held-out sets of a small level hold each problem once: fewer than asked rather than repeats, or twins", async () => {
  const s = await loadSuite("math");
  for (const split of ["validation", "test"] as const) {
    const held = s.problems({ levels: [1], prompts: 1000, seed: 0, split });
    assert.ok(held.length > 50 && held.length < 1000, `${split}: ${held.length}`);
    assert.equal(new Set(held.map(mathKey)).size, held.length, split);
  }
});

test("sftExamples gives every problem the asked number of teacher traces, each ending with eos", async () => {
  const s = await loadSuite("math");
  const problems = s.problems({ levels: [3], prompts: 50, seed: 4, split: "train" });
  const examples = sftExamples(s, problems, 3, 1);
  assert.equal(examples.length, 150);
  for (const [i, e] of examples.entries()) {
    assert.deepEqual(e.prompt, [s.tokenizer.bos, ...s.tokenizer.encode(problems[Math.floor(i / 3)].prompt)]);
    assert.equal(e.response.at(-1), s.tokenizer.eos);
  }
});

// Twins: two prompts that are one problem. The rewrites are enumerated here from the problems'
// forms, independently of the split's own canonical form, so a canonicaliser that misses one fails.
const permutations = <T>(xs: T[]): T[][] => xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

/** sumRewrites are the prompts of a level-1 or level-2 problem with its signed terms in every order (a first term is written unsigned). */
function sumRewrites(p: MathProblem): string[] {
  const f = p.form;
  const terms: [string, number][] = f.level === 1 ? [["+", f.a], [f.op, f.b]] : f.level === 2 ? [["+", f.a], [f.op1, f.b], [f.op2, f.c]] : [];
  // x+0 and x-0 are one problem, whichever sign the zero carries.
  const signs = (t: [string, number][]) => t.flatMap(([s, v]) => (v === 0 ? [["+", v], ["-", v]] : [[s, v]]) as [string, number][]);
  return permutations(terms).flatMap((order) => {
    const variants = order.reduce<[string, number][][]>((acc, t) => acc.flatMap((pre) => signs([t]).map((st) => [...pre, st])), [[]]);
    return variants.filter((v) => v[0][0] === "+").map((v) => `Compute ${v.map(([s, x], i) => (i === 0 ? String(x) : `${s}${x}`)).join("")}.`);
  });
}

/** codeRewrites are the prompts showing the same example up to a symmetry of its family: arguments swapped, a list or string reordered, a string reversed, n negated. */
function codeRewrites(p: CodeProblem): string[] {
  const [{ args, expected }] = p.examples;
  const head = p.prompt.slice(0, p.prompt.lastIndexOf(`${p.entryPoint}(`));
  const show = (a: unknown[]) => `${head}${p.entryPoint}(${a.map((x) => JSON.stringify(x)).join(", ")}) = ${JSON.stringify(expected)}`;
  const [x] = args;
  switch (p.entryPoint) {
    case "add": case "max2": return [show([args[1], args[0]])];
    case "sum": return permutations(x as number[]).map((xs) => show([xs]));
    case "countA": return permutations([...(x as string)]).map((cs) => show([cs.join("")]));
    case "isPal": return [show([[...(x as string)].reverse().join("")])];
    case "isEven": return [show([-(x as number) || 0])];
    default: return [];
  }
}

const twinsIn = <P extends SuiteProblem>(held: P[], train: SuiteProblem[], rewrites: (p: P) => string[]) => {
  const prompts = new Set(train.map((p) => p.prompt));
  return held.filter((p) => rewrites(p).some((r) => r !== p.prompt && prompts.has(r))).map((p) => p.prompt);
};

test("no held-out math problem of level 1 or 2 is in training with its terms reordered (17+8 held out, 8+17 trained)", async () => {
  const s = await loadSuite("math");
  for (const level of [1, 2]) {
    // 20,000 training draws hold nearly every distinct level-1 prompt, so a twin would be found.
    const train = s.problems({ levels: [level], prompts: 20000, seed: 3, split: "train" });
    for (const split of ["validation", "test"] as const) {
      const held = s.problems({ levels: [level], prompts: 200, seed: 4, split }) as MathProblem[];
      assert.ok(held.length > 50, `${held.length}`);
      assert.deepEqual(twinsIn(held, train, sumRewrites), [], `level ${level} ${split}`);
    }
  }
});

test("no held-out code problem is in training with the same example up to its family's symmetry (add(3, -4) held out, add(-4, 3) trained)", async () => {
  const s = await loadSuite("code");
  const train = s.problems({ levels: codeLevels, prompts: 20000, seed: 3, split: "train" });
  for (const split of ["validation", "test"] as const) {
    const held = s.problems({ levels: codeLevels, prompts: 200, seed: 4, split }) as CodeProblem[];
    assert.deepEqual(twinsIn(held, train, codeRewrites), [], split);
  }
});

/** workedSums are the two-term sums and differences a text writes out, "23-9" in "23-9: 13-9=4", overlapping ones included ("-10+22" is not 10+22). */
const workedSums = (text: string) => [...text.matchAll(/(?<![0-9-])(?=(\d+[+-]\d+)(?![0-9]))/g)].map((m) => m[1]);

test("no held-out level-1 problem, in either order, is worked out in a level-1 or level-2 teacher trace", async () => {
  const s = await loadSuite("math");
  // SFT trains on levels 1 and 2 at once (examples/pipeline.yaml): a level-2 trace works its
  // first step, a level-1 problem, in full columns ("23-9+14": "23-9: 13-9=4, 2-0-1=1, so 14; ...").
  // Prompts are left out: 19-18 stands in "Compute 46+19-18." but no trace of it works 19-18.
  const train = [1, 2].flatMap((level) => s.problems({ levels: [level], prompts: 5000, seed: 5, split: "train" }));
  const written = new Set(sftExamples(s, train, 4, 6).flatMap((e) => workedSums(s.tokenizer.decode(e.response))));
  for (const split of ["validation", "test"] as const) {
    const held = s.problems({ levels: [1], prompts: 200, seed: 4, split }) as MathProblem[];
    assert.ok(held.length > 50, `${held.length}`);
    const seen = held.filter((p) => sumRewrites(p).some((r) => written.has(r.slice("Compute ".length, -1)))).map((p) => p.prompt);
    assert.deepEqual(seen, [], split);
  }
});

test("the tokenizer corpus holds each training prompt and exactly the traces sftExamples trains on", async () => {
  const s = await loadSuite("math");
  const problems = s.problems({ levels: [1, 2], prompts: 20, seed: 4, split: "train" });
  const corpus = tokenizerCorpus(s, problems, 3, 9);
  const examples = sftExamples(s, problems, 3, 9);
  assert.deepEqual(corpus.filter((_, i) => i % 4 !== 0), examples.map((e) => s.tokenizer.decode(e.response)));
  assert.deepEqual(corpus.filter((_, i) => i % 4 === 0), problems.map((p) => p.prompt));
});
