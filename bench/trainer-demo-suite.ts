// trainer-demo-suite.ts: a small stand-in math task family for the trainer's demo figures,
// used only when the task modules (trainer/tokenizer.ts, trainer/tasks/) are not present.
// Level 1: one single-digit operation (+, −, ×) in three phrasings; level 2: two chained
// operations. Teacher traces vary in order and wording and end in \boxed{answer}; the reward
// compares the last boxed answer. Character-level tokenizer.
import { scoreEach } from "../trainer/eval.ts";
import type { Rng } from "../trainer/rng.ts";
import type { SuiteProblem, SuiteTokenizer, TaskSuite } from "../trainer/suite.ts";
import { splitProblems } from "../trainer/suite.ts";

const CHARS = " 0123456789+-*=()?.,:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\\{}";

function charTokenizer(): SuiteTokenizer {
  const specials = CHARS.length;
  return {
    vocabSize: specials + 3, bos: specials, eos: specials + 1, pad: specials + 2,
    encode: (t) => [...t].map((c) => Math.max(0, CHARS.indexOf(c))),
    decode: (ids) => ids.map((i) => (i < specials ? CHARS[i] : "")).join(""),
    toJSON: () => ({ kind: "demo-chars", chars: CHARS }),
  };
}

interface DemoProblem extends SuiteProblem {
  answer: string;
  steps: Array<[number, string, number, number]>;
}

const apply = (a: number, op: string, b: number) => (op === "+" ? a + b : op === "-" ? a - b : a * b);

function draw(rng: () => number, level: number): DemoProblem {
  const d = () => Math.floor(rng() * 10);
  const ops = ["+", "-", "*"];
  const pick = () => ops[Math.floor(rng() * 3)];
  let a = d();
  let b = d();
  let op = pick();
  if (op === "-" && b > a) [a, b] = [b, a];
  const r1 = apply(a, op, b);
  if (level <= 1) {
    const form = Math.floor(rng() * 3);
    const word = op === "+" ? "sum" : op === "-" ? "difference" : "product";
    const prompt = form === 0 ? `What is ${a}${op}${b}?` : form === 1 ? `Compute ${a} ${op} ${b}.` : `Find the ${word} of ${a} and ${b}.`;
    return { id: `1:${prompt}`, prompt, answer: String(r1), steps: [[a, op, b, r1]] };
  }
  let c = d();
  let op2 = pick();
  if (op2 === "*" && r1 > 20) op2 = "+";
  if (op2 === "-" && c > r1) c = r1 % 10;
  const r2 = apply(r1, op2, c);
  const prompt = `What is (${a}${op}${b})${op2}${c}?`;
  return { id: `2:${prompt}`, prompt, answer: String(r2), steps: [[a, op, b, r1], [r1, op2, c, r2]] };
}

function teacher(p: DemoProblem, rng: Rng, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts = p.steps.map(([x, op, y, r]) => {
      const swap = (op === "+" || op === "*") && rng.next() < 0.5;
      const [u, v] = swap ? [y, x] : [x, y];
      return rng.next() < 0.5 ? `${u}${op}${v}=${r}` : `${u} ${op} ${v} = ${r}`;
    });
    const lead = ["", "So ", "We get ", "First "][rng.int(4)];
    out.push(`${lead}${parts.join(rng.next() < 0.5 ? ", then " : ". ")}. \\boxed{${p.answer}}`);
  }
  return out;
}

function boxed(text: string): string | null {
  const m = [...text.matchAll(/\\boxed\{([^}]*)\}/g)];
  return m.length === 0 ? null : m[m.length - 1][1].trim();
}

/** demoSuite is the stand-in TaskSuite. */
export function demoSuite(): TaskSuite {
  const tokenizer = charTokenizer();
  const score = async (resp: number[], p: SuiteProblem) => (boxed(tokenizer.decode(resp.filter((t) => t !== tokenizer.eos))) === (p as DemoProblem).answer ? 1 : 0);
  return {
    name: "demo-math",
    tokenizer,
    problems: (r) => splitProblems(draw, r),
    teacher: (p, rng, n) => teacher(p as DemoProblem, rng, n),
    score,
    scoreBatch: scoreEach(score),
  };
}
