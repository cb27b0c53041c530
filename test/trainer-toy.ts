// trainer-toy: a toy task for the loop tests — single-digit addition in a 15-symbol character
// vocabulary ("3+4=" → "7" then end-of-sequence). It stands in for the generated math tasks so
// the engine's loops can be tested on their own; training never uses it. Like those tasks it has
// train, validation and test splits by canonical form, so a test's held-out figure is held out.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { BackendState } from "../trainer/backend.ts";
import type { SftExample } from "../trainer/sft.ts";
import type { Rng } from "../trainer/rng.ts";
import { canonicalExpr } from "../trainer/tasks/canonical.ts";
import { splitOf, type Split } from "../trainer/tasks/dataset.ts";

const SYMBOLS = "0123456789+=";
/** toyVocab lists the toy ids: the 12 symbols, then eos, bos, pad. */
export const toyVocab = { size: 15, eos: 12, bos: 13, pad: 14 };

/** toyEncode maps a toy string to ids. */
export function toyEncode(s: string): number[] {
  return [...s].map((ch) => {
    const i = SYMBOLS.indexOf(ch);
    if (i < 0) throw new Error(`toy: no symbol ${ch}`);
    return i;
  });
}

/** toyDecode maps ids back to a string, stopping at eos and skipping specials. */
export function toyDecode(ids: number[]): string {
  let s = "";
  for (const id of ids) {
    if (id === toyVocab.eos) break;
    if (id < SYMBOLS.length) s += SYMBOLS[id];
  }
  return s;
}

/** ToyProblem is a toy addition with its answer. */
export interface ToyProblem {
  a: number;
  b: number;
  answer: string;
}

/**
 * toySplit is the split of a toy problem, by its canonical form as the generated tasks' are (3+4
 * and 4+3 are one problem). With only 55 problems, a fifth is test, so a held-out figure rests
 * on more than a handful.
 */
export function toySplit(p: ToyProblem): Split {
  return splitOf(`toy ${canonicalExpr(`${p.a}+${p.b}`)}`, { test: 0.2, validation: 0.1 });
}

/**
 * toyProblems draws n addition problems with operands below `max`, from one split when given
 * (with max 10: 68 ordered prompts train, 20 validation, 12 test); without one, from all, for
 * tests that claim nothing about held-out accuracy.
 */
export function toyProblems(rng: Rng, n: number, split?: Split, max = 10): ToyProblem[] {
  const out: ToyProblem[] = [];
  while (out.length < n) {
    const a = rng.int(max);
    const b = rng.int(max);
    const p = { a, b, answer: String(a + b) };
    if (split === undefined || toySplit(p) === split) out.push(p);
  }
  return out;
}

/** toyPrompt is the prompt ids of a problem (bos, "a+b="). */
export function toyPrompt(p: ToyProblem): number[] {
  return [toyVocab.bos, ...toyEncode(`${p.a}+${p.b}=`)];
}

/** toyExample is the teacher trace of a problem. */
export function toyExample(p: ToyProblem): SftExample {
  return { prompt: toyPrompt(p), response: [...toyEncode(p.answer), toyVocab.eos] };
}

/** freePort returns a loopback TCP port nobody listens on (for a test's rank 0). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

/** assertSameWeights asserts every parameter of got is within tol of want's, naming the worst. */
export function assertSameWeights(got: BackendState["params"], want: BackendState["params"], tol: number): void {
  for (const [name, t] of got) {
    const w = want.get(name)?.data ?? new Float32Array(0);
    let worst = 0;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i] - w[i]));
    assert.ok(worst < tol, `${name}: max difference ${worst}`);
  }
}
