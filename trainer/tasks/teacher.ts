// teacher: writes step-by-step solutions to math problems — our stand-in for the reasoning
// traces a strong teacher model writes. Traces deliberately vary, as a real teacher's do:
// different valid routes (left to right or regrouped, common denominator or cross
// multiplication, distributing or not), different phrasings, and an occasional check line.
// Sums and differences are worked in written columns (columns.ts), one digit at a time.
// A model trained on one fixed trace per prompt collapses to near-zero entropy and leaves the
// temperature loop nothing to steer. Every trace ends in \boxed{answer}.
import { addColumns, signedStep, subColumns } from "./columns.ts";
import { gcd, signed, type Form, type MathProblem } from "./math.ts";
import { distinctDraws, pick, type Rand } from "./random.ts";

type Route = (f: never, r: string) => string;

const longTrace = 70;
const openers = ["", "", "", "Step by step: ", "Let's see. "];
const closers = (r: string) => [`\\boxed{${r}}`, `So \\boxed{${r}}`, `Answer: \\boxed{${r}}`];

// Levels 1 and 2 show their sums in columns (columns.ts): each column is a single-digit fact,
// so what the model learns from these traces carries over to prompts it never saw.
type L1 = Extract<Form, { level: 1 }>;
type L2 = Extract<Form, { level: 2 }>;
const cols = (f: L1, named: boolean) => (f.op === "+" ? addColumns(f.a, f.b, named) : subColumns(f.a, f.b, named));

const level1: Route[] = [
  (f: L1, r) => `${cols(f, false)}, so ${r}.`,
  (f: L1, r) => `${cols(f, true)}, so ${f.a}${f.op}${f.b}=${r}.`,
  (f: L1, r) => (f.op === "+" ? `${f.b}+${f.a}: ${addColumns(f.b, f.a)}, so ${r}.` : `${f.a}-${f.b}: ${subColumns(f.a, f.b)}, so ${r}.`),
];

const level2: Route[] = [
  (f: L2) => {
    const x = signedStep(f.a, f.op1, f.b);
    return `${x.text}; ${signedStep(x.value, f.op2, f.c).text}.`;
  },
  (f: L2) => {
    // Regroup: the first term with the third, then the second.
    const y = signedStep(f.a, f.op2, f.c);
    return `${y.text}; ${signedStep(y.value, f.op1, f.b).text}.`;
  },
];

const level3: Route[] = [
  (f: Extract<Form, { level: 3 }>, r) => {
    const { a, b, c } = f;
    switch (f.shape) {
      case "ab+c": return `${a}*${b}=${a * b}, ${a * b}+${c}=${r}.`;
      case "ab-c": return `${a}*${b}=${a * b}, ${a * b}-${c}=${r}.`;
      case "a+bc": return `${a}*${b}=${a * b}, ${c}+${a * b}=${r}.`;
      case "(a+b)c": return `${a}+${b}=${a + b}, ${a + b}*${c}=${r}.`;
      case "a/b+c": return `${a}/${b}=${a / b}, ${a / b}+${c}=${r}.`;
    }
  },
  (f: Extract<Form, { level: 3 }>, r) => {
    const { a, b, c } = f;
    switch (f.shape) {
      case "ab+c": return `${c}+${a}*${b}=${c}+${a * b}=${r}.`;
      case "ab-c": return `${b}*${a}=${a * b}, minus ${c} is ${r}.`;
      case "a+bc": return `${c}+${b}*${a}=${c}+${a * b}=${r}.`;
      case "(a+b)c": return `${a}*${c}+${b}*${c}=${a * c}+${b * c}=${r}.`;
      case "a/b+c": return `${c}+${a}/${b}=${c}+${a / b}=${r}.`;
    }
  },
];

const level4: Route[] = [
  (f: Extract<Form, { level: 4 }>, r) => {
    const l = (f.b * f.d) / gcd(f.b, f.d);
    const x = (f.a * l) / f.b;
    const y = (f.c * l) / f.d;
    const n = f.op === "+" ? x + y : x - y;
    const sum = `${n}/${l}`;
    return `Common denominator ${l}: ${x}/${l}${f.op}${y}/${l}=${sum === r ? r : `${sum}=${r}`}.`;
  },
  (f: Extract<Form, { level: 4 }>, r) => {
    const n = f.op === "+" ? f.a * f.d + f.c * f.b : f.a * f.d - f.c * f.b;
    const raw = `${n}/${f.b * f.d}`;
    return `(${f.a}*${f.d}${f.op}${f.c}*${f.b})/(${f.b}*${f.d})=${raw === r ? r : `${raw}=${r}`}.`;
  },
];

const level5: Route[] = [
  (f: Extract<Form, { level: 5 }>, r) => `${f.a}x=${f.c}-${signed(f.b)}=${f.c - f.b}, x=${f.c - f.b}/${f.a}=${r}.`,
  (f: Extract<Form, { level: 5 }>, r) => `x=(${f.c}-${signed(f.b)})/${f.a}=${r}.`,
  (f: Extract<Form, { level: 5 }>, r) => `Move ${signed(f.b)}: ${f.a}x=${f.c - f.b}. Divide by ${f.a}: x=${r}.`,
];

const routes: Record<number, Route[]> = { 1: level1, 2: level2, 3: level3, 4: level4, 5: level5 };

/** check renders an optional verification line (substitution or inverse operation). */
function check(f: Form, r: string): string {
  if (f.level === 5) return ` Check: ${f.a}*${signed(Number(r))}${f.b < 0 ? "-" : "+"}${Math.abs(f.b)}=${f.c}.`;
  return "";
}

/** teacherSolution writes one varied, correct trace for a problem. */
export function teacherSolution(p: MathProblem, rng: Rand): string {
  const route = pick(rng, routes[p.form.level]) as (f: Form, r: string) => string;
  const body = route(p.form, p.answer);
  const verify = rng() < 0.25 ? check(p.form, p.answer) : "";
  // A long trace goes without an opener, so prompt and trace fit the demo model's 128 tokens.
  const opener = pick(rng, openers);
  return `${body.length > longTrace ? "" : opener}${body}${verify} ${pick(rng, closers(p.answer))}`;
}

/** teacherSolutions writes n traces for a problem, distinct where the problem allows. */
export function teacherSolutions(p: MathProblem, rng: Rand, n: number): string[] {
  return distinctDraws(n, () => teacherSolution(p, rng));
}
