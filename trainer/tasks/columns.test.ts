import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addColumns, columnFacts, signedStep, subColumns } from "./columns.ts";

/** replay re-reads column work: each column's digit (or the last column whole), top first. */
function replay(cols: string): number {
  const results = cols.split(", ").map((c) => Number(c.replace(/^[a-z-]+ /, "").split("=")[1]));
  const last = results.length - 1;
  const lower = results.slice(0, last).map((r) => r % 10).reverse().join("");
  return Number(`${results[last]}${lower}`);
}

describe("column arithmetic", () => {
  test("writes a sum one column at a time, carrying into the next", () => {
    assert.equal(addColumns(17, 8), "7+8=15, 1+0+1=2");
    assert.equal(addColumns(45, 78, true), "ones 5+8=13, tens 4+7+1=12");
  });
  test("writes a difference with borrows shown as a 1 before the column's digit", () => {
    assert.equal(subColumns(42, 17), "12-7=5, 4-1-1=2");
    assert.equal(subColumns(105, 17), "15-7=8, 10-1-1=8, 1-0-1=0");
  });
  test("every column's work re-derives the exact sum and difference for all operands to 150", () => {
    for (let a = 0; a <= 150; a++) {
      for (let b = 0; b <= 150; b++) {
        assert.equal(replay(addColumns(a, b)), a + b, `${a}+${b}`);
        if (a >= b) assert.equal(replay(subColumns(a, b)), a - b, `${a}-${b}`);
      }
    }
  });
  test("reduces signed operations to column work on magnitudes and names the reduction", () => {
    assert.equal(signedStep(9, "-", 23).text, "9-23=-(23-9): 13-9=4, 2-0-1=1, so -14");
    assert.equal(signedStep(-14, "+", 20).text, "-14+20=20-14: 10-4=6, 2-1-1=0, so 6");
    assert.equal(signedStep(-14, "+", 3).text, "-14+3=-(14-3): 4-3=1, 1-0-0=1, so -11");
    assert.equal(signedStep(-14, "-", 3).text, "-14-3=-(14+3): 4+3=7, 1+0+0=1, so -17");
    for (let x = -60; x <= 60; x++) {
      for (const y of [0, 1, 9, 10, 37, 50]) {
        assert.equal(signedStep(x, "+", y).value, x + y);
        assert.equal(signedStep(x, "-", y).value, x - y);
      }
    }
  });
  test("says which operation on magnitudes a signed step works in columns: the one its text works", () => {
    assert.deepEqual(signedStep(9, "-", 23).worked, [23, "-", 9]);
    assert.deepEqual(signedStep(-14, "+", 20).worked, [20, "-", 14]);
    assert.deepEqual(signedStep(-14, "+", 3).worked, [14, "-", 3]);
    assert.deepEqual(signedStep(-14, "-", 3).worked, [14, "+", 3]);
    for (let x = -60; x <= 60; x++) {
      for (const y of [0, 1, 9, 10, 37, 50]) {
        for (const op of ["+", "-"] as const) {
          const s = signedStep(x, op, y);
          const [a, o, b] = s.worked;
          const cols = o === "+" ? addColumns(a, b) : subColumns(a, b);
          assert.ok(s.text.includes(`${a}${o}${b}: ${cols}, so`) || s.text.includes(`${a}${o}${b}): ${cols}, so`), s.text);
        }
      }
    }
  });
  test("lists its column facts, the single-column operations every trace is built of", () => {
    const facts = new Set(columnFacts());
    for (const f of ["7+8", "1+0+1", "12-7", "4-1-1", "0-0"]) assert.ok(facts.has(f), f);
    for (const f of ["17+8", "23-9", "19-9", "2+2+2"]) assert.ok(!facts.has(f), f);
  });
  test("refuses negative operands and a negative column difference, naming the fix", () => {
    assert.throws(() => addColumns(-1, 2), /operands must be integers ≥ 0/);
    assert.throws(() => subColumns(3, 8), /subtract the smaller from the larger/);
  });
});
