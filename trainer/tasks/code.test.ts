import assert from "node:assert/strict";
import { test } from "node:test";
import { maxCodeLevel } from "../../api/common.ts";
import { codeKey, codeLevels, codeProblem, contextChars, teacherCode, teacherCodes, type CodeProblem } from "./code.ts";
import { Rng } from "../rng.ts";

test("a prompt names the function, says what it does in a few words and shows one example", () => {
  const p = codeProblem(new Rng(3).fn(), 1);
  assert.equal(p.examples.length, 1);
  assert.match(p.prompt, new RegExp(`^${p.entryPoint}\\([a-z, ]*\\): [^.]+\\. ${p.entryPoint}\\(.*\\) = .+$`));
  assert.ok(p.hiddenTests.length > p.examples.length);
});

test("prompts leave room for a trace in the context at every level", () => {
  const rng = new Rng(4).fn();
  for (const level of codeLevels) {
    for (let i = 0; i < 2000; i++) {
      const p = codeProblem(rng, level);
      assert.ok(p.prompt.length <= 64, p.prompt);
    }
  }
});

test("the teacher keeps within maxChars, and writes the shortest solution when none fits", () => {
  const rng = new Rng(5).fn();
  const p = codeProblem(rng, 3);
  const shortest = Math.min(...p.solutions.map((s) => s.length)) + "```js\n\n```".length;
  for (let i = 0; i < 50; i++) assert.ok(teacherCode(p, rng, { maxChars: shortest }).length <= shortest);
  const squeezed = teacherCode(p, rng, { maxChars: 5 });
  assert.equal(squeezed.length, shortest);
  assert.ok(teacherCode(p, rng).length <= contextChars - 2 - p.prompt.length);
});

test("the teacher writes distinct traces when the family has several solutions that fit", () => {
  const rng = new Rng(6).fn();
  for (const level of codeLevels) {
    let distinct = 0;
    for (let i = 0; i < 50; i++) distinct += new Set(teacherCodes(codeProblem(rng, level), rng, 4)).size;
    // Level 3's longer solutions leave little room, so fewer of them fit than at level 1.
    assert.ok(distinct / 50 > 1.5, `level ${level}: ${distinct / 50} distinct traces of 4`);
  }
  assert.equal(teacherCodes(codeProblem(rng, 1), rng, 40).length, 40);
});

test("every level the API accepts for code has problems, and the level above it has none", () => {
  const rng = new Rng(11).fn();
  // codeLevels is 1..maxCodeLevel; the families must fill exactly that range.
  for (const level of codeLevels) assert.equal(codeProblem(rng, level).level, level);
  assert.throws(() => codeProblem(rng, maxCodeLevel + 1), /level must be one of/);
});

/** shown is a problem of the family whose one example has these arguments. */
const shown = (entryPoint: string, args: unknown[]): CodeProblem => ({ id: "", level: 1, prompt: "", entryPoint, examples: [{ args, expected: null }], hiddenTests: [], solutions: [] });

test("codeKey gives one key to examples a family's symmetry maps onto each other, and keeps the rest apart", () => {
  const same: [string, unknown[], unknown[]][] = [
    ["add", [3, -4], [-4, 3]], ["max2", [7, 2], [2, 7]], ["sum", [[1, -2, 3]], [[3, 1, -2]]],
    ["countA", ["abca"], ["aacb"]], ["isPal", ["abx"], ["xba"]], ["isEven", [-4], [4]],
  ];
  for (const [f, a, b] of same) assert.equal(codeKey(shown(f, a)), codeKey(shown(f, b)), `${f} ${JSON.stringify(a)} ${JSON.stringify(b)}`);
  const apart: [string, unknown[], unknown[]][] = [
    ["double", [5], [-5]], ["reverse", ["abc"], ["cba"]], ["add", [3, -4], [3, 4]], ["factorial", [3], [4]],
  ];
  for (const [f, a, b] of apart) assert.notEqual(codeKey(shown(f, a)), codeKey(shown(f, b)), `${f} ${JSON.stringify(a)} ${JSON.stringify(b)}`);
  assert.notEqual(codeKey(shown("add", [1, 2])), codeKey(shown("max2", [1, 2])));
});
