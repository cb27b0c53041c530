// math: generated math problems with a verifiable answer, in five levels of difficulty.
//   1  a+b or a-b, operands up to 30              "Compute 17+8."
//   2  three terms of + and -, operands up to 50    "Compute 23-9+14."
//   3  * and / with precedence and brackets         "Compute 6*7-5."  "Compute (4+5)*3."
//   4  sum or difference of two fractions           "Compute 1/2+2/3."  answer in lowest terms
//   5  a linear equation with an integer root       "Solve 3x+4=19."
// Level 1 keeps prompt and answer short enough for a small character model (under 100
// characters with its column trace); each level adds one idea. The structure (form) is kept so the
// teacher can write traces that take different valid routes to the answer.

import { int, pick, type Rand } from "./random.ts";

/** Form is the structure of a problem, per level. */
export type Form =
  | { level: 1; a: number; op: "+" | "-"; b: number }
  | { level: 2; a: number; op1: "+" | "-"; b: number; op2: "+" | "-"; c: number }
  | { level: 3; shape: "ab+c" | "ab-c" | "a+bc" | "(a+b)c" | "a/b+c"; a: number; b: number; c: number }
  | { level: 4; a: number; b: number; op: "+" | "-"; c: number; d: number }
  | { level: 5; a: number; b: number; c: number };

/** MathProblem is a prompt with its reference answer. */
export interface MathProblem {
  /** id is stable for the same prompt: "math-" + the prompt. */
  id: string;
  level: number;
  prompt: string;
  answer: string;
  form: Form;
}

/** maxLevel is the hardest level. */
export const maxLevel = 5;

/** gcd of two non-negative integers. */
export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** fraction renders n/d in lowest terms ("3/4", "-1/2", "2"). */
export function fraction(n: number, d: number): string {
  if (d < 0) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1;
  return d / g === 1 ? String(n / g) : `${n / g}/${d / g}`;
}

/** signed brackets a negative number so it can follow an operator: 3-(-4). */
export const signed = (x: number) => (x < 0 ? `(${x})` : String(x));

function formOf(rng: Rand, level: number): Form {
  switch (level) {
    case 1: {
      const op = pick(rng, ["+", "-"] as const);
      const a = int(rng, 0, 30);
      const b = op === "-" ? int(rng, 0, a) : int(rng, 0, 30);
      return { level: 1, a, op, b };
    }
    case 2:
      return { level: 2, a: int(rng, 1, 50), op1: pick(rng, ["+", "-"] as const), b: int(rng, 1, 50), op2: pick(rng, ["+", "-"] as const), c: int(rng, 1, 50) };
    case 3: {
      const shape = pick(rng, ["ab+c", "ab-c", "a+bc", "(a+b)c", "a/b+c"] as const);
      if (shape === "a/b+c") {
        const b = int(rng, 2, 9);
        return { level: 3, shape, a: b * int(rng, 1, 9), b, c: int(rng, 1, 20) };
      }
      return { level: 3, shape, a: int(rng, 2, 12), b: int(rng, 2, 12), c: int(rng, 1, 20) };
    }
    case 4:
      return { level: 4, a: int(rng, 1, 8), b: int(rng, 2, 9), op: pick(rng, ["+", "-"] as const), c: int(rng, 1, 8), d: int(rng, 2, 9) };
    case 5: {
      const a = int(rng, 2, 9);
      const x = int(rng, -9, 12);
      const b = int(rng, -20, 20);
      return { level: 5, a, b, c: a * x + b };
    }
    default:
      throw new Error(`math: level must be 1..${maxLevel}, got ${level}`);
  }
}

/** drawable says whether formOf can draw f: its level's ranges, as formOf's header lists them. */
export function drawable(f: Form): boolean {
  const within = (x: number, lo: number, hi: number) => Number.isInteger(x) && x >= lo && x <= hi;
  switch (f.level) {
    case 1:
      return within(f.a, 0, 30) && within(f.b, 0, f.op === "-" ? f.a : 30);
    case 2:
      return [f.a, f.b, f.c].every((x) => within(x, 1, 50));
    case 3:
      return f.shape === "a/b+c"
        ? within(f.b, 2, 9) && within(f.a / f.b, 1, 9) && within(f.c, 1, 20)
        : within(f.a, 2, 12) && within(f.b, 2, 12) && within(f.c, 1, 20);
    case 4:
      return within(f.a, 1, 8) && within(f.b, 2, 9) && within(f.c, 1, 8) && within(f.d, 2, 9);
    case 5:
      return within(f.a, 2, 9) && within(f.b, -20, 20) && within((f.c - f.b) / f.a, -9, 12);
  }
}

/**
 * sumForm is the level-1 problem x op y is a rewrite of, when formOf can draw one: -9+23 is
 * 23-9; 9-23 and -9-23 are none (a level-1 prompt starts with its larger or only positive term).
 */
export function sumForm(x: number, op: "+" | "-", y: number): Form | undefined {
  if (x < 0 && op === "-") return undefined;
  const f: Form = x >= 0 ? { level: 1, a: x, op, b: y } : { level: 1, a: y, op: "-", b: -x };
  return drawable(f) ? f : undefined;
}

/** text renders a form as the prompt says it; value computes its exact answer. */
export function describe(f: Form): { prompt: string; answer: string } {
  switch (f.level) {
    case 1:
      return { prompt: `Compute ${f.a}${f.op}${f.b}.`, answer: String(f.op === "+" ? f.a + f.b : f.a - f.b) };
    case 2: {
      const x = f.op1 === "+" ? f.a + f.b : f.a - f.b;
      return { prompt: `Compute ${f.a}${f.op1}${f.b}${f.op2}${f.c}.`, answer: String(f.op2 === "+" ? x + f.c : x - f.c) };
    }
    case 3: {
      const { a, b, c } = f;
      const table = {
        "ab+c": [`${a}*${b}+${c}`, a * b + c],
        "ab-c": [`${a}*${b}-${c}`, a * b - c],
        "a+bc": [`${c}+${a}*${b}`, c + a * b],
        "(a+b)c": [`(${a}+${b})*${c}`, (a + b) * c],
        "a/b+c": [`${a}/${b}+${c}`, a / b + c],
      } as const;
      const [expr, value] = table[f.shape];
      return { prompt: `Compute ${expr}.`, answer: String(value) };
    }
    case 4: {
      const n = f.op === "+" ? f.a * f.d + f.c * f.b : f.a * f.d - f.c * f.b;
      return { prompt: `Compute ${f.a}/${f.b}${f.op}${f.c}/${f.d}.`, answer: fraction(n, f.b * f.d) };
    }
    case 5: {
      const lhs = f.b === 0 ? `${f.a}x` : `${f.a}x${f.b > 0 ? "+" : "-"}${Math.abs(f.b)}`;
      return { prompt: `Solve ${lhs}=${f.c}.`, answer: String((f.c - f.b) / f.a) };
    }
  }
}

/** mathProblem draws one problem of the given level; deterministic for a given rng. */
export function mathProblem(rng: Rand, level: number): MathProblem {
  const form = formOf(rng, level);
  const { prompt, answer } = describe(form);
  return { id: `math-${prompt}`, level, prompt, answer, form };
}

