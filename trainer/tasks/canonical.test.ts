import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalExpr, canonicalProblem } from "./canonical.ts";

const same: [string, string, string][] = [
  ["sorts the operands of a sum", "17+8", "8+17"],
  ["treats a sum as a multiset of signed terms", "23-9+14", "14+23-9"],
  ["drops a bracket that changes nothing in a sum", "23+(14-9)", "23-9+14"],
  ["distributes a minus over a bracketed sum", "23-(9-14)", "23-9+14"],
  ["reads a bracketed negative number as a negated term", "3-(-4)", "3+4"],
  ["sorts the factors of a product", "3*4+5", "5+4*3"],
  ["keeps a grouped sum inside a product, in any order of its operands and factors", "(4+5)*3", "3*(5+4)"],
  ["keeps a divisor a divisor whatever stands around it", "12/4+3", "3+12/4"],
  ["moves a divisor's sign to its term", "6/(-3)", "-(6/3)"],
  ["writes a zero term without a sign", "17-0", "17+0"],
  ["reads 2x as 2*x", "2x+4", "4+x*2"],
  ["reads leading zeros as the number", "07+8", "7+8"],
];

const different: [string, string, string][] = [
  ["never folds constants", "17+8", "20+5"],
  ["keeps a difference ordered", "23-9", "9-23"],
  ["keeps a quotient ordered", "12/4", "4/12"],
  ["keeps fractions as written (reducing one is part of the work)", "2/4+1/3", "1/2+1/3"],
  ["keeps a product of a sum apart from the sum of products", "(4+5)*3", "4*3+5*3"],
  ["tells a*b+c from a*(b+c)", "2*3+4", "2*(3+4)"],
];

for (const [name, a, b] of same) test(`canonicalExpr ${name}: ${a} and ${b}`, () => assert.equal(canonicalExpr(a), canonicalExpr(b)));
for (const [name, a, b] of different) test(`canonicalExpr ${name}: ${a} and ${b} differ`, () => assert.notEqual(canonicalExpr(a), canonicalExpr(b)));

test("canonicalProblem names an equation by its unordered sides and keeps the verb apart", () => {
  assert.equal(canonicalProblem("Solve 2x+4=10."), canonicalProblem("Solve 10=4+2x."));
  assert.notEqual(canonicalProblem("Solve 2x+4=10."), canonicalProblem("Solve 2x+4=12."));
  assert.equal(canonicalProblem("Compute 17+8."), canonicalProblem("Compute 8+17."));
});

test("canonicalExpr and canonicalProblem refuse text that is not arithmetic, naming it", () => {
  assert.throws(() => canonicalExpr("17+"), /cannot read "17\+"/);
  assert.throws(() => canonicalExpr("(1+2"), /cannot read/);
  assert.throws(() => canonicalProblem("What is 17+8?"), /not a math prompt/);
});
