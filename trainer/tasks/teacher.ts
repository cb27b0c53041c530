// teacher: writes step-by-step solutions to math problems — our stand-in for the reasoning
// traces a strong teacher model writes. Traces deliberately vary, as a real teacher's do:
// different valid routes (left to right or regrouped, common denominator or cross
// multiplication, distributing or not), different phrasings, and an occasional check line.
// Sums and differences are worked in written columns (columns.ts), one digit at a time.
// A model trained on one fixed trace per prompt collapses to near-zero entropy and leaves the
// temperature loop nothing to steer. Every trace ends in \boxed{answer}.
import { addColumns, signedStep, subColumns } from "./columns.ts";
import { drawable, gcd, signed, sumForm, type Form, type MathProblem } from "./math.ts";
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

/**
 * workedForms are the other problems a form's traces work out whole, on any route or check line,
 * as forms formOf can draw: a level-2 trace works its steps, level-1 problems, in full columns
 * ("23-9+14": "23-9: 13-9=4, 2-0-1=1, so 14; 14+14: ..."), and a level-5 trace solves the
 * level-5 problem ax=c-b on its way. A model trained on such a trace has seen those problems
 * answered, so the split keeps them out of training when they are held out (tasks/dataset.ts).
 * Column facts are not listed: every trace is built of them. Keep this beside the routes: a
 * new route that works another problem whole must add it here.
 */
export function workedForms(f: Form): Form[] {
  const steps = (x: number, op: "+" | "-", y: number) => {
    const s = signedStep(x, op, y);
    return { value: s.value, forms: [sumForm(x, op, y), sumForm(...s.worked)] };
  };
  let forms: (Form | undefined)[];
  switch (f.level) {
    case 1:
      forms = [];
      break;
    case 2: {
      const first = steps(f.a, f.op1, f.b);
      const regrouped = steps(f.a, f.op2, f.c);
      forms = [...first.forms, ...steps(first.value, f.op2, f.c).forms, ...regrouped.forms, ...steps(regrouped.value, f.op1, f.b).forms];
      break;
    }
    case 3: {
      const { a, b, c } = f;
      const table = {
        "ab+c": [sumForm(a * b, "+", c)],
        "ab-c": [sumForm(a * b, "-", c)],
        "a+bc": [sumForm(c, "+", a * b)],
        "(a+b)c": [sumForm(a, "+", b), sumForm(a * c, "+", b * c)],
        "a/b+c": [sumForm(a / b, "+", c)],
      };
      forms = table[f.shape];
      break;
    }
    case 4: {
      // The common-denominator route: 1/2+1/3 works 3/6+2/6.
      const l = (f.b * f.d) / gcd(f.b, f.d);
      forms = [{ level: 4, a: (f.a * l) / f.b, b: l, op: f.op, c: (f.c * l) / f.d, d: l }];
      break;
    }
    case 5: {
      // c-(b) on every route, the level-5 problem ax=c-b, and the check a*x+b as a level-3 problem.
      const x = (f.c - f.b) / f.a;
      const check: Form = { level: 3, shape: f.b < 0 ? "ab-c" : "ab+c", a: f.a, b: x, c: Math.abs(f.b) };
      forms = [f.b < 0 ? sumForm(f.c, "+", -f.b) : sumForm(f.c, "-", f.b), { level: 5, a: f.a, b: 0, c: f.c - f.b }, check];
      break;
    }
  }
  return forms.filter((w): w is Form => w !== undefined && drawable(w));
}

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
