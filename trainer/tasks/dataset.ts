// dataset: which split a generated problem is in. The split is a property of the problem itself
// (a hash of its canonical form, tasks/canonical.ts), not of the prompt's wording, the seed or
// the draw order, so no seed, size or level mix can put a held-out problem into training, not
// even written another way (17+8 held out, 8+17 trained). Three splits:
//   train       what the loops learn from
//   validation  what a run looks at while it runs: per-epoch accuracy, early stopping, learning
//               rates and recipes chosen between runs
//   test        final figures only, evaluated once at the end of a run; nothing is chosen on it
// loadSuite (trainer/suite.ts) draws every set through placeMath and placeCode.
import { canonicalProblem } from "./canonical.ts";
import { codeKey, type CodeProblem } from "./code.ts";
import { columnFacts } from "./columns.ts";
import { describe, type MathProblem } from "./math.ts";
import { workedForms } from "./teacher.ts";

/** Split is which side of the held-out boundary a problem is on. */
export type Split = "train" | "validation" | "test";

/** testShare and validationShare are the fractions of all problems held out for each; the rest is train. */
export const testShare = 0.1;
export const validationShare = 0.1;

/** hash32 hashes a string to 32 bits: FNV-1a, then murmur3's finaliser, without which keys that differ in their last characters bunch up. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** splitOf says which split a problem's canonical key belongs to, forever; shares other than the tasks' are for small toy tasks. */
export function splitOf(key: string, shares = { test: testShare, validation: validationShare }): Split {
  const u = hash32(key) / 4294967296;
  return u < shares.test ? "test" : u < shares.test + shares.validation ? "validation" : "train";
}

/** Placement is a problem's canonical key and its split; no split for a training problem that would teach a held-out one. */
export interface Placement {
  key: string;
  split: Split | undefined;
}

let atoms: Set<string> | undefined;

/** mathKey is the canonical key of a math problem. */
export function mathKey(p: Pick<MathProblem, "prompt">): string {
  return canonicalProblem(p.prompt);
}

/** heldOut says whether a math key is in validation or test; a column fact ("7+8", "13-9") never is. */
function heldOut(key: string): boolean {
  atoms ??= new Set(columnFacts().map((f) => mathKey({ prompt: `Compute ${f}.` })));
  return !atoms.has(key) && splitOf(key) !== "train";
}

/**
 * placeMath places a math problem: by its canonical key, except that a column fact is always
 * train (every trace is built of them) and a training problem whose traces work out a held-out
 * problem whole (teacher.ts workedForms) is in no split.
 */
export function placeMath(p: MathProblem): Placement {
  const key = mathKey(p);
  if (heldOut(key)) return { key, split: splitOf(key) };
  const teaches = workedForms(p.form).some((f) => heldOut(mathKey(describe(f))));
  return { key, split: teaches ? undefined : "train" };
}

/** placeCode places a code problem by its family and its example up to the family's symmetry (code.ts codeKey). */
export function placeCode(p: CodeProblem): Placement {
  const key = codeKey(p);
  return { key, split: splitOf(key) };
}
