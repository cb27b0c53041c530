import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mathReward } from "../rewards/math.ts";
import { splitOf } from "./dataset.ts";
import { fraction, mathProblem, maxLevel } from "./math.ts";
import { Rng } from "../rng.ts";
import { teacherSolutions } from "./teacher.ts";

describe("math problems", () => {
  test("are deterministic for a seed", () => {
    const a = Array.from({ length: 20 }, ((r) => () => mathProblem(r, 3).prompt)(new Rng(7).fn()));
    const b = Array.from({ length: 20 }, ((r) => () => mathProblem(r, 3).prompt)(new Rng(7).fn()));
    assert.deepEqual(a, b);
  });
  test("have answers that are exact: every level's answer re-derives from its prompt", () => {
    const rng = new Rng(3).fn();
    for (let level = 1; level <= maxLevel; level++) {
      for (let i = 0; i < 200; i++) {
        const p = mathProblem(rng, level);
        const expr = p.prompt.replace(/^Compute |^Solve |\.$/g, "");
        if (level === 5) {
          // Substitute the answer back into the equation as printed.
          const [lhs, rhs] = expr.split("=");
          const x = Number(p.answer);
          assert.ok(Number.isInteger(x), p.prompt);
          assert.equal(eval(lhs.replace(/(\d)x/, `$1*(${x})`)), Number(rhs), p.prompt);
        } else {
          assert.ok(Math.abs(eval(expr) - eval(p.answer)) < 1e-12, `${p.prompt} -> ${p.answer}`);
        }
      }
    }
  });
  test("reject a level outside 1..5", () => {
    assert.throws(() => mathProblem(new Rng(1).fn(), 6), /level must be 1..5/);
  });
  test("render fractions in lowest terms with the sign in front", () => {
    assert.equal(fraction(6, 8), "3/4");
    assert.equal(fraction(3, -6), "-1/2");
    assert.equal(fraction(8, 4), "2");
  });
  test("keep level 1 short enough for a small character model", () => {
    const rng = new Rng(11).fn();
    for (let i = 0; i < 300; i++) {
      const p = mathProblem(rng, 1);
      for (const s of teacherSolutions(p, rng, 4)) assert.ok(p.prompt.length + s.length < 100, `${p.prompt} ${s}`);
    }
  });
});

describe("teacher", () => {
  test("writes traces the math reward grades correct, at every level", () => {
    const rng = new Rng(5).fn();
    for (let level = 1; level <= maxLevel; level++) {
      for (let i = 0; i < 100; i++) {
        const p = mathProblem(rng, level);
        for (const s of teacherSolutions(p, rng, 4)) assert.equal(mathReward(s, p.answer), 1, `${p.prompt}: ${s}`);
      }
    }
  });
  test("varies its traces: most prompts get several distinct solutions", () => {
    const rng = new Rng(9).fn();
    for (let level = 1; level <= maxLevel; level++) {
      let distinct = 0;
      for (let i = 0; i < 100; i++) distinct += new Set(teacherSolutions(mathProblem(rng, level), rng, 4)).size;
      assert.ok(distinct / 100 >= 2.5, `level ${level}: ${distinct / 100} distinct traces per prompt`);
    }
  });
  test("spreads its choices over the characters of a trace: mean per-position entropy of each prompt's traces exceeds 0.5 nats", () => {
    // Per prompt, 8 traces; at each of the first 16 positions, the entropy of the character
    // found there. A single fixed trace per prompt scores 0 here.
    const rng = new Rng(13).fn();
    for (let level = 1; level <= maxLevel; level++) {
      let sum = 0;
      for (let i = 0; i < 50; i++) {
        const traces = teacherSolutions(mathProblem(rng, level), rng, 8);
        for (let pos = 0; pos < 16; pos++) {
          const counts = new Map<string, number>();
          for (const t of traces) counts.set(t[pos] ?? "", (counts.get(t[pos] ?? "") ?? 0) + 1);
          for (const c of counts.values()) sum -= (c / traces.length) * Math.log(c / traces.length);
        }
      }
      const mean = sum / (50 * 16);
      assert.ok(mean > 0.5, `level ${level}: ${mean.toFixed(3)} nats per position`);
    }
  });
  test("returns exactly n traces even when few routes exist", () => {
    const p = mathProblem(new Rng(1).fn(), 1);
    assert.equal(teacherSolutions(p, new Rng(2).fn(), 40).length, 40);
  });
});

describe("the held-out split", () => {
  test("reserves about a tenth of prompts for evaluation", () => {
    const rng = new Rng(8).fn();
    let evals = 0;
    for (let i = 0; i < 5000; i++) if (splitOf(mathProblem(rng, 2).prompt) === "eval") evals++;
    assert.ok(evals > 400 && evals < 600, `${evals}`);
  });
});
