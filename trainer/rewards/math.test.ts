import assert from "node:assert/strict";
import { test } from "node:test";
import { extractBoxed, mathReward } from "./math.ts";

const cases: [string, string, string, 0 | 1][] = [
  ["a decimal equals a fraction", "so \\boxed{0.75}", "3/4", 1],
  ["a LaTeX fraction equals a decimal", "\\boxed{\\frac{3}{4}}", "0.75", 1],
  ["an unreduced fraction equals the reduced one", "\\boxed{6/8}", "3/4", 1],
  ["x=3 counts as 3", "\\boxed{x=3}", "3", 1],
  ["a typographic minus is a minus", "\\boxed{\u22122}", "-2", 1],
  ["the last box wins", "\\boxed{2} no wait \\boxed{3}", "3", 1],
  ["a wrong number scores 0", "\\boxed{2}", "3", 0],
  ["no box scores 0", "the answer is 3", "3", 0],
  ["division by zero scores 0", "\\boxed{1/0}", "3", 0],
  ["a function call is not evaluated", "\\boxed{sqrt(9)}", "3", 0],
  ["code injection is not evaluated", "\\boxed{import('fs')}", "3", 0],
  ["an unclosed box scores 0", "\\boxed{3", "3", 0],
];

for (const [name, response, answer, want] of cases) {
  test(`math reward: ${name}`, () => assert.equal(mathReward(response, answer), want));
}

test("extractBoxed handles nested braces", () => {
  assert.equal(extractBoxed("\\boxed{\\frac{1}{2}} end"), "\\frac{1}{2}");
  assert.equal(extractBoxed("none"), null);
});
