// teacher: writes step-by-step solutions to math problems — our stand-in for the reasoning
// traces a strong teacher model writes. Traces deliberately vary, as a real teacher's do:
// different valid routes (left to right or regrouped, common denominator or cross
// multiplication, distributing or not), different phrasings, and an occasional check line.
// A model trained on one fixed trace per prompt collapses to near-zero entropy and leaves the
// temperature loop nothing to steer. Every trace ends in \boxed{answer}.
import { gcd, signed, type Form, type MathProblem } from "./math.ts";
import { pick, type Rand } from "./random.ts";

type Route = (f: never, r: string) => string;

const openers = ["", "", "", "Step by step: ", "Let's compute. "];
const closers = (r: string) => [`\\boxed{${r}}`, `So \\boxed{${r}}`, `Answer: \\boxed{${r}}`];

const level1: Route[] = [
  (f: Extract<Form, { level: 1 }>, r) => `${f.a}${f.op}${f.b}=${r}.`,
  (f: Extract<Form, { level: 1 }>, r) => (f.op === "+" ? `${f.b}+${f.a}=${r}.` : `${r}+${f.b}=${f.a}, so ${f.a}-${f.b}=${r}.`),
  (f: Extract<Form, { level: 1 }>, r) => {
    const tens = Math.floor(f.b / 10) * 10;
    const ones = f.b - tens;
    if (tens === 0 || ones === 0) return `${f.a}${f.op}${f.b} is ${r}.`;
    const mid = f.op === "+" ? f.a + tens : f.a - tens;
    return `${f.a}${f.op}${tens}=${mid}, ${mid}${f.op}${ones}=${r}.`;
  },
];

const level2: Route[] = [
  (f: Extract<Form, { level: 2 }>, r) => {
    const x = f.op1 === "+" ? f.a + f.b : f.a - f.b;
    return `${f.a}${f.op1}${f.b}=${x}, then ${x}${f.op2}${f.c}=${r}.`;
  },
  (f: Extract<Form, { level: 2 }>, r) => {
    // Regroup: the first term with the third, then the second.
    const y = f.op2 === "+" ? f.a + f.c : f.a - f.c;
    return `${f.a}${f.op2}${f.c}=${y}, then ${y}${f.op1}${f.b}=${r}.`;
  },
  (f: Extract<Form, { level: 2 }>, r) => {
    const plus = [f.a, ...(f.op1 === "+" ? [f.b] : []), ...(f.op2 === "+" ? [f.c] : [])];
    const minus = [...(f.op1 === "-" ? [f.b] : []), ...(f.op2 === "-" ? [f.c] : [])];
    const p = plus.reduce((s, x) => s + x, 0);
    const m = minus.reduce((s, x) => s + x, 0);
    if (minus.length === 0) return `${plus.join("+")}=${r}.`;
    const take = minus.length === 1 ? `${m}` : `${minus.join("+")}=${m}`;
    return `Add ${plus.join("+")}=${p}, take ${take}: ${p}-${m}=${r}.`;
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
  if (f.level === 1 && f.op === "+") return ` Check: ${r}-${f.b}=${f.a}.`;
  return "";
}

/** teacherSolution writes one varied, correct trace for a problem. */
export function teacherSolution(p: MathProblem, rng: Rand): string {
  const route = pick(rng, routes[p.form.level]) as (f: Form, r: string) => string;
  const body = route(p.form, p.answer);
  const verify = rng() < 0.25 ? check(p.form, p.answer) : "";
  return `${pick(rng, openers)}${body}${verify} ${pick(rng, closers(p.answer))}`;
}

/** teacherSolutions writes n traces for a problem, distinct where the problem allows. */
export function teacherSolutions(p: MathProblem, rng: Rand, n: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < n && tries < n * 8; tries++) {
    const s = teacherSolution(p, rng);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  // Few routes exist for some problems: repeat traces rather than return fewer than asked.
  for (let i = 0; out.length < n; i++) out.push(out[i % out.length]);
  return out;
}

