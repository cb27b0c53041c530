import assert from "node:assert/strict";
import { test } from "node:test";
import { codeLevels, codeProblem, teacherCode } from "../tasks/code.ts";
import { mulberry32 } from "../tasks/random.ts";
import { codeReward, extractCode } from "./code.ts";

test("every teacher solution of every level passes its hidden tests", async () => {
  const rng = mulberry32(1);
  for (const level of codeLevels) {
    for (let i = 0; i < 4; i++) {
      const p = codeProblem(rng, level);
      assert.equal(await codeReward(teacherCode(p, rng), p), 1, `${p.prompt}`);
    }
  }
});

test("a solution that only fits the shown examples fails the hidden tests", async () => {
  const p = codeProblem(mulberry32(3), 1);
  const table = p.examples.map((e) => `if (JSON.stringify([...arguments]) === ${JSON.stringify(JSON.stringify(e.args))}) return ${JSON.stringify(e.expected)};`).join(" ");
  const cheat = `\`\`\`js\nfunction ${p.entryPoint}() { ${table} return null; }\n\`\`\``;
  assert.equal(await codeReward(cheat, p), 0);
});

test("the last code block is the answer", () => {
  assert.equal(extractCode("```js\nfirst\n```\ntext\n```\nsecond\n```"), "second\n");
  assert.equal(extractCode("no fence"), "no fence");
});

test("code problems keep their examples among the hidden tests", () => {
  const p = codeProblem(mulberry32(5), 2);
  assert.deepEqual(p.hiddenTests.slice(0, 2), p.examples);
  assert.throws(() => codeProblem(mulberry32(5), 9), /level must be one of/);
});
