// code: generated programming problems — write a small JavaScript function from a description
// and examples — graded by hidden tests in the sandbox. Three levels:
//   1  one expression (add, double, isEven, max of two, ...)
//   2  one pass over a string or an array (reverse, sum, count, ...)
//   3  a loop with state (factorial, fibonacci, digit sum, palindrome, ...)
// Each family has a reference implementation that computes the expected outputs and several
// correct solutions written differently (arrow or declaration, loop or built-ins), so teacher
// traces vary as they do for math.
import type { SandboxTest } from "../sandbox/sandbox.ts";
import { int, pick, type Rand } from "./random.ts";

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
  does: string;
  input: (rng: Rand) => unknown[];
  reference: (...a: never[]) => unknown;
  solutions: string[];
}

const word = (rng: Rand) => Array.from({ length: int(rng, 0, 6) }, () => pick(rng, ["a", "b", "c", "o", "x"])).join("");
const list = (rng: Rand) => Array.from({ length: int(rng, 0, 6) }, () => int(rng, -9, 9));

const families: Family[] = [
  { level: 1, name: "add", params: "a, b", does: "returns a+b", input: (r) => [int(r, -20, 20), int(r, -20, 20)], reference: (a: number, b: number) => a + b,
    solutions: ["function add(a, b) { return a + b; }", "const add = (a, b) => a + b;", "function add(a, b) { return b + a; }"] },
  { level: 1, name: "double", params: "n", does: "returns twice n", input: (r) => [int(r, -50, 50)], reference: (n: number) => 2 * n,
    solutions: ["function double(n) { return 2 * n; }", "const double = (n) => n + n;", "function double(n) { return n * 2; }"] },
  { level: 1, name: "isEven", params: "n", does: "returns true when n is even", input: (r) => [int(r, -50, 50)], reference: (n: number) => n % 2 === 0,
    solutions: ["function isEven(n) { return n % 2 === 0; }", "const isEven = (n) => Math.abs(n) % 2 === 0;", "function isEven(n) { return (n & 1) === 0; }"] },
  { level: 1, name: "max2", params: "a, b", does: "returns the larger of a and b", input: (r) => [int(r, -20, 20), int(r, -20, 20)], reference: (a: number, b: number) => Math.max(a, b),
    solutions: ["function max2(a, b) { return a > b ? a : b; }", "const max2 = (a, b) => Math.max(a, b);", "function max2(a, b) { if (a >= b) return a; return b; }"] },
  { level: 2, name: "reverse", params: "s", does: "returns the string s reversed", input: (r) => [word(r)], reference: (s: string) => [...s].reverse().join(""),
    solutions: ["function reverse(s) { return s.split('').reverse().join(''); }", "const reverse = (s) => [...s].reverse().join('');", "function reverse(s) { let r = ''; for (const c of s) r = c + r; return r; }"] },
  { level: 2, name: "sum", params: "xs", does: "returns the sum of the numbers in xs", input: (r) => [list(r)], reference: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
    solutions: ["function sum(xs) { return xs.reduce((a, b) => a + b, 0); }", "function sum(xs) { let t = 0; for (const x of xs) t += x; return t; }", "const sum = (xs) => { let t = 0; for (let i = 0; i < xs.length; i++) t += xs[i]; return t; };"] },
  { level: 2, name: "countA", params: "s", does: "returns how many times the letter a occurs in s", input: (r) => [word(r)], reference: (s: string) => [...s].filter((c) => c === "a").length,
    solutions: ["function countA(s) { return s.split('a').length - 1; }", "const countA = (s) => [...s].filter((c) => c === 'a').length;", "function countA(s) { let n = 0; for (const c of s) if (c === 'a') n++; return n; }"] },
  { level: 3, name: "factorial", params: "n", does: "returns n! for n >= 0", input: (r) => [int(r, 0, 10)], reference: (n: number) => { let f = 1; for (let i = 2; i <= n; i++) f *= i; return f; },
    solutions: ["function factorial(n) { let f = 1; for (let i = 2; i <= n; i++) f *= i; return f; }", "function factorial(n) { return n <= 1 ? 1 : n * factorial(n - 1); }", "const factorial = (n) => Array.from({ length: n }, (_, i) => i + 1).reduce((a, b) => a * b, 1);"] },
  { level: 3, name: "fib", params: "n", does: "returns the n-th Fibonacci number, fib(0)=0, fib(1)=1", input: (r) => [int(r, 0, 20)], reference: (n: number) => { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; },
    solutions: ["function fib(n) { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }", "function fib(n) { const f = [0, 1]; for (let i = 2; i <= n; i++) f[i] = f[i - 1] + f[i - 2]; return f[n]; }"] },
  { level: 3, name: "digitSum", params: "n", does: "returns the sum of the decimal digits of n >= 0", input: (r) => [int(r, 0, 99999)], reference: (n: number) => [...String(n)].reduce((a, c) => a + Number(c), 0),
    solutions: ["function digitSum(n) { let s = 0; while (n > 0) { s += n % 10; n = Math.floor(n / 10); } return s; }", "const digitSum = (n) => [...String(n)].reduce((a, c) => a + Number(c), 0);"] },
  { level: 3, name: "isPalindrome", params: "s", does: "returns true when s reads the same backwards", input: (r) => { const w = word(r); return [r() < 0.5 ? w + [...w].reverse().join("") : w]; }, reference: (s: string) => s === [...s].reverse().join(""),
    solutions: ["function isPalindrome(s) { return s === s.split('').reverse().join(''); }", "function isPalindrome(s) { for (let i = 0, j = s.length - 1; i < j; i++, j--) if (s[i] !== s[j]) return false; return true; }"] },
];

/** codeLevels are the levels that have problems. */
export const codeLevels = [1, 2, 3];

const show = (name: string, t: SandboxTest) => `${name}(${t.args.map((a) => JSON.stringify(a)).join(", ")}) = ${JSON.stringify(t.expected)}`;

/** codeProblem draws a problem of the level: a family plus the examples shown and the hidden tests. */
export function codeProblem(rng: Rand, level: number): CodeProblem {
  const fams = families.filter((f) => f.level === level);
  if (fams.length === 0) throw new Error(`code: level must be one of ${codeLevels.join(", ")}, got ${level}`);
  const f = pick(rng, fams);
  const test = (): SandboxTest => {
    const args = f.input(rng);
    return { args, expected: (f.reference as (...a: unknown[]) => unknown)(...args) };
  };
  const examples = [test(), test()];
  const hiddenTests = [...examples, ...Array.from({ length: 6 }, test)];
  const prompt = `Write a JavaScript function ${f.name}(${f.params}) that ${f.does}. Example: ${examples.map((e) => show(f.name, e)).join("; ")}.`;
  return { id: `code-${prompt}`, level, prompt, entryPoint: f.name, examples, hiddenTests, solutions: f.solutions };
}

/** teacherCode writes a response: one of the family's correct solutions in a code block. */
export function teacherCode(p: CodeProblem, rng: Rand): string {
  return `${pick(rng, ["", "Here is a solution.\n", "Loop over the input.\n"])}\`\`\`js\n${pick(rng, p.solutions)}\n\`\`\``;
}
