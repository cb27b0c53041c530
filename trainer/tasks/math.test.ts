import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mathReward } from "../rewards/math.ts";
import { mathKey, placeMath, splitOf } from "./dataset.ts";
import { describe as describeForm, drawable, fraction, mathProblem, maxLevel, sumForm, type Form, type MathProblem } from "./math.ts";
import { Rng } from "../rng.ts";
import { teacherSolutions, workedForms } from "./teacher.ts";

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

/** problemOf is the problem a form describes. */
const problemOf = (form: Form): MathProblem => ({ id: "", level: form.level, ...describeForm(form), form });

describe("worked forms", () => {
  test("take a signed two-term operation to the level-1 problem it is a rewrite of, when one can be drawn", () => {
    assert.deepEqual(sumForm(-9, "+", 23), { level: 1, a: 23, op: "-", b: 9 });
    assert.deepEqual(sumForm(8, "+", 17), { level: 1, a: 8, op: "+", b: 17 });
    assert.equal(sumForm(9, "-", 23), undefined);
    assert.equal(sumForm(-9, "-", 23), undefined);
    assert.equal(sumForm(31, "+", 1), undefined);
  });
  test("are checked against the generator's ranges: every drawn form is drawable", () => {
    const rng = new Rng(9).fn();
    for (let level = 1; level <= maxLevel; level++) for (let i = 0; i < 2000; i++) assert.ok(drawable(mathProblem(rng, level).form), `level ${level}`);
    assert.ok(!drawable({ level: 5, a: 3, b: 4, c: 20 }), "no integer root");
    assert.ok(!drawable({ level: 3, shape: "ab+c", a: 1, b: 4, c: 5 }), "a below 2");
  });
  test("are the steps a level-2 trace works in columns, as level-1 problems, on both routes", () => {
    // 23-9+5: 23-9 then 14+5; regrouped, 23+5 then 28-9. In 23-9+14, 37-9 is out of level 1's range.
    const prompts = (f: Form) => [...new Set(workedForms(f).map((w) => describeForm(w).prompt))].sort();
    assert.deepEqual(prompts({ level: 2, a: 23, op1: "-", b: 9, op2: "+", c: 5 }), ["Compute 14+5.", "Compute 23+5.", "Compute 23-9.", "Compute 28-9."]);
    assert.deepEqual(prompts({ level: 2, a: 23, op1: "-", b: 9, op2: "+", c: 14 }), ["Compute 14+14.", "Compute 23+14.", "Compute 23-9."]);
  });
  test("take a negative step to the level-1 problem its columns work: 9-23+30 works 23-9 and 30-14", () => {
    const prompts = workedForms({ level: 2, a: 9, op1: "-", b: 23, op2: "+", c: 30 }).map((f) => describeForm(f).prompt);
    assert.ok(prompts.includes("Compute 23-9.") && prompts.includes("Compute 30-14."), prompts.join(" "));
    assert.ok(!prompts.includes("Compute 9-23."), "9-23 is no level-1 problem");
  });
  test("are what the other levels' traces work whole: a sum after a product, a common denominator, ax=c-b and the check", () => {
    const prompts = (f: Form) => workedForms(f).map((w) => describeForm(w).prompt);
    assert.deepEqual(prompts({ level: 3, shape: "ab+c", a: 3, b: 4, c: 5 }), ["Compute 12+5."]);
    assert.deepEqual(prompts({ level: 4, a: 1, b: 2, op: "+", c: 1, d: 3 }), ["Compute 3/6+2/6."]);
    assert.deepEqual(prompts({ level: 4, a: 1, b: 2, op: "+", c: 1, d: 4 }), ["Compute 2/4+1/4."]);
    assert.deepEqual(prompts({ level: 5, a: 3, b: 4, c: 19 }), ["Compute 19-4.", "Solve 3x=15.", "Compute 3*5+4."]);
  });
});

describe("the held-out split", () => {
  test("never holds out a column fact: every trace is built of them", () => {
    for (const form of [{ level: 1, a: 7, op: "+", b: 8 }, { level: 1, a: 13, op: "-", b: 9 }, { level: 2, a: 4, op1: "-", b: 1, op2: "-", c: 1 }] as Form[]) {
      assert.equal(placeMath(problemOf(form)).split, "train", describeForm(form).prompt);
    }
  });
  test("puts a problem whose trace works out a held-out problem in no split, and keeps the rest", () => {
    let none = 0;
    for (let a = 1; a <= 30; a++) {
      for (let b = 1; b <= a; b++) {
        const step: Form = { level: 1, a, op: "-", b };
        const held = placeMath(problemOf(step)).split !== "train";
        const f: Form = { level: 2, a, op1: "-", b, op2: "+", c: 40 };
        const own = splitOf(mathKey(problemOf(f)));
        if (held && own === "train") {
          assert.equal(placeMath(problemOf(f)).split, undefined, describeForm(f).prompt);
          none++;
        }
        if (own !== "train") assert.equal(placeMath(problemOf(f)).split, own, describeForm(f).prompt);
      }
    }
    assert.ok(none > 10, `${none}`);
  });

  test("reserves about a tenth of problems for validation and a tenth for test", () => {
    const rng = new Rng(8).fn();
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 5000; i++) counts[splitOf(mathKey(mathProblem(rng, 2)))]++;
    assert.ok(counts.validation > 400 && counts.validation < 600, JSON.stringify(counts));
    assert.ok(counts.test > 400 && counts.test < 600, JSON.stringify(counts));
  });
});
