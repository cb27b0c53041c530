// code: generated programming problems — write a small JavaScript function from a few words
// and one example, `add(a, b): return a+b. add(3, -4) = -1` — graded by hidden tests in the
// sandbox. Three levels:
//   1  one expression (add, double, isEven, max of two, ...)
//   2  one pass over a string or an array (reverse, sum, count, ...)
//   3  recursion or a loop with state (factorial, fibonacci, digit sum, palindrome, ...)
// Each family has a reference implementation that computes the expected outputs and several
// correct solutions written differently (arrow or declaration, loop or built-ins), so teacher
// traces vary as they do for math. Prompts are compact and the teacher keeps to solutions that
// fit, so prompt and trace share the demo model's 128-character context.
import { maxCodeLevel } from "../../api/common.ts";
import type { SandboxTest } from "../sandbox/sandbox.ts";
import { distinctDraws, int, pick, type Rand } from "./random.ts";

/** CodeProblem is a prompt with the tests that grade it. */
export interface CodeProblem {
  id: string;
  level: number;
  prompt: string;
  entryPoint: string;
  /** examples are shown in the prompt. */
  examples: SandboxTest[];
  /** hiddenTests grade a solution; they include the examples' inputs and more. */
  hiddenTests: SandboxTest[];
  /** solutions are correct implementations the teacher draws from. */
  solutions: string[];
}

interface Family {
  level: number;
  name: string;
  params: string;
  /** does is the task in a few words, after "name(params): " in the prompt. */
  does: string;
  input: (rng: Rand) => unknown[];
  reference: (...a: never[]) => unknown;
  /** solutions are correct and written differently; each family keeps one short enough for any of its prompts. */
  solutions: string[];
  /**
   * same maps an input to the one input every rewrite of it is mapped to, for the rewrites that
   * leave the family's output unchanged (add(3, -4) and add(-4, 3)): the shown example is then
   * the same example, and the prompt the same problem. Absent: no rewrite is the same problem.
   */
  same?: (args: unknown[]) => unknown[];
}

const word = (rng: Rand) => Array.from({ length: int(rng, 0, 6) }, () => pick(rng, ["a", "b", "c", "o", "x"])).join("");
const list = (rng: Rand) => Array.from({ length: int(rng, 0, 6) }, () => int(rng, -9, 9));
// Half the palindrome inputs are mirrored halves, or random words would almost never be one.
const mirrored = (rng: Rand) => {
  const w = word(rng).slice(0, 3);
  return w + [...w].reverse().join("");
};

const sortedNumbers = (xs: unknown[]) => (xs as number[]).toSorted((a, b) => a - b);

const families: Family[] = [
  { level: 1, name: "add", params: "a, b", does: "return a+b", input: (r) => [int(r, -20, 20), int(r, -20, 20)], reference: (a: number, b: number) => a + b, same: sortedNumbers,
    solutions: ["const add = (a, b) => a + b;", "function add(a, b) { return a + b; }", "function add(a, b) { return b + a; }"] },
  { level: 1, name: "double", params: "n", does: "return twice n", input: (r) => [int(r, -50, 50)], reference: (n: number) => 2 * n,
    solutions: ["const double = (n) => n + n;", "function double(n) { return 2 * n; }", "function double(n) { return n * 2; }"] },
  { level: 1, name: "isEven", params: "n", does: "true when n is even", input: (r) => [int(r, -50, 50)], reference: (n: number) => n % 2 === 0, same: ([n]) => [Math.abs(n as number)],
    solutions: ["const isEven = (n) => n % 2 === 0;", "function isEven(n) { return n % 2 === 0; }", "function isEven(n) { return (n & 1) === 0; }"] },
  { level: 1, name: "max2", params: "a, b", does: "the larger of a and b", input: (r) => [int(r, -20, 20), int(r, -20, 20)], reference: (a: number, b: number) => Math.max(a, b), same: sortedNumbers,
    solutions: ["const max2 = (a, b) => Math.max(a, b);", "const max2 = (a, b) => (a > b ? a : b);", "function max2(a, b) { return a > b ? a : b; }"] },
  { level: 2, name: "reverse", params: "s", does: "s backwards", input: (r) => [word(r)], reference: (s: string) => [...s].reverse().join(""),
    solutions: ["const reverse = (s) => [...s].reverse().join('');", "function reverse(s) { return s.split('').reverse().join(''); }", "function reverse(s) { let r = ''; for (const c of s) r = c + r; return r; }"] },
  { level: 2, name: "sum", params: "xs", does: "the sum of xs", input: (r) => [list(r)], reference: (xs: number[]) => xs.reduce((a, b) => a + b, 0), same: ([xs]) => [sortedNumbers(xs as number[])],
    solutions: ["const sum = (xs) => xs.reduce((a, b) => a + b, 0);", "function sum(xs) { let t = 0; for (const x of xs) t += x; return t; }"] },
  { level: 2, name: "countA", params: "s", does: "how many a's are in s", input: (r) => [word(r)], reference: (s: string) => [...s].filter((c) => c === "a").length, same: ([s]) => [[...(s as string)].sort().join("")],
    solutions: ["const countA = (s) => s.split('a').length - 1;", "const countA = (s) => [...s].filter((c) => c === 'a').length;", "function countA(s) { let n = 0; for (const c of s) if (c === 'a') n++; return n; }"] },
  { level: 3, name: "factorial", params: "n", does: "n! for n >= 0", input: (r) => [int(r, 0, 12)], reference: (n: number) => { let f = 1; for (let i = 2; i <= n; i++) f *= i; return f; },
    solutions: ["const factorial = (n) => (n < 2 ? 1 : n * factorial(n - 1));", "function factorial(n) { return n < 2 ? 1 : n * factorial(n - 1); }", "function factorial(n) { let f = 1; for (let i = 2; i <= n; i++) f *= i; return f; }"] },
  { level: 3, name: "fib", params: "n", does: "Fibonacci, fib(0)=0, fib(1)=1", input: (r) => [int(r, 0, 20)], reference: (n: number) => { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; },
    solutions: ["const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));", "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }", "function fib(n) { let a = 0, b = 1; while (n--) [a, b] = [b, a + b]; return a; }"] },
  { level: 3, name: "digitSum", params: "n", does: "sum of digits", input: (r) => [int(r, 0, 99999)], reference: (n: number) => [...String(n)].reduce((a, c) => a + Number(c), 0),
    solutions: ["const digitSum = (n) => n && (n % 10) + digitSum((n / 10) | 0);", "const digitSum = (n) => [...String(n)].reduce((a, c) => a + +c, 0);", "const digitSum = (n) => n && (n % 10) + digitSum(Math.floor(n / 10));"] },
  { level: 3, name: "isPal", params: "s", does: "true if s is a palindrome", input: (r) => [r() < 0.5 ? mirrored(r) : word(r)], reference: (s: string) => s === [...s].reverse().join(""),
    same: ([s]) => [[s as string, [...(s as string)].reverse().join("")].sort()[0]],
    solutions: ["const isPal = (s) => s === [...s].reverse().join('');", "const isPal = (s) => [...s].reverse().join('') === s;", "function isPal(s) { return s === s.split('').reverse().join(''); }", "function isPal(s) { for (let i = 0, j = s.length - 1; i < j; i++, j--) if (s[i] !== s[j]) return false; return true; }"] },
];

/** codeLevels are the levels that have problems: 1..maxCodeLevel, the bound the API enforces on code jobs. */
export const codeLevels = Array.from({ length: maxCodeLevel }, (_, i) => i + 1);

const show = (name: string, t: SandboxTest) => `${name}(${t.args.map((a) => JSON.stringify(a)).join(", ")}) = ${JSON.stringify(t.expected)}`;

/** codeProblem draws a problem of the level: a family, the one example its prompt shows, and the hidden tests. */
export function codeProblem(rng: Rand, level: number): CodeProblem {
  const fams = families.filter((f) => f.level === level);
  if (fams.length === 0) throw new Error(`code: level must be one of ${codeLevels.join(", ")}, got ${level}`);
  const f = pick(rng, fams);
  const test = (): SandboxTest => {
    const args = f.input(rng);
    return { args, expected: (f.reference as (...a: unknown[]) => unknown)(...args) };
  };
  // One example keeps the prompt short enough for a 128-character context; the hidden tests
  // (that example and seven more) still grade the behaviour, not the example.
  const examples = [test()];
  const hiddenTests = [...examples, ...Array.from({ length: 7 }, test)];
  const prompt = `${f.name}(${f.params}): ${f.does}. ${show(f.name, examples[0])}`;
  return { id: `code-${prompt}`, level, prompt, entryPoint: f.name, examples, hiddenTests, solutions: f.solutions };
}

/**
 * codeKey names the problem a code prompt asks: its family and its shown example, the input
 * mapped by the family's same, so add(3, -4) and add(-4, 3) get one key. Every prompt of a
 * family asks for the same function: what a held-out code prompt holds out is its example.
 */
export function codeKey(p: CodeProblem): string {
  const f = families.find((x) => x.name === p.entryPoint);
  if (f === undefined) throw new Error(`code: no family ${p.entryPoint}`);
  const [{ args }] = p.examples;
  return `${f.name}${JSON.stringify(f.same === undefined ? args : f.same(args))}`;
}

/** contextChars is the demo model's context: bos, prompt, response and eos share it, one character a token. */
export const contextChars = 128;

/** TeacherCodeOptions bound the traces the teacher writes. */
export interface TeacherCodeOptions {
  /** maxChars is the longest trace; default contextChars - 2 - prompt length, so bos + prompt + trace + eos fit the context. */
  maxChars?: number;
}

const openers = ["", "", "Here is a solution.\n", "In JavaScript:\n"];
const fenced = (code: string) => `\`\`\`js\n${code}\n\`\`\``;

/**
 * teacherCode writes a response: one of the family's solutions that fits maxChars, in a code
 * block, with an opener when that fits too. When no solution fits (a maxChars tighter than the
 * default) it returns the shortest one rather than nothing.
 */
export function teacherCode(p: CodeProblem, rng: Rand, o: TeacherCodeOptions = {}): string {
  const max = o.maxChars ?? contextChars - 2 - p.prompt.length;
  const blocks = p.solutions.map(fenced);
  const fits = blocks.filter((b) => b.length <= max);
  const block = fits.length > 0 ? pick(rng, fits) : blocks.reduce((a, b) => (b.length < a.length ? b : a));
  const opener = pick(rng, openers);
  return opener.length + block.length <= max ? opener + block : block;
}

/** teacherCodes writes n traces for a problem, distinct where its solutions and openers allow. */
export function teacherCodes(p: CodeProblem, rng: Rand, n: number, o: TeacherCodeOptions = {}): string[] {
  return distinctDraws(n, () => teacherCode(p, rng, o));
}
