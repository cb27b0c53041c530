import assert from "node:assert/strict";
import { test } from "node:test";
import { maxCodeLevel } from "../../api/common.ts";
import { codeLevels, codeProblem, contextChars, teacherCode, teacherCodes } from "./code.ts";
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
