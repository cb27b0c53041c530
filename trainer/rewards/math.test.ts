import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { extractBoxed, mathReward } from "./math.ts";

const cases: [string, string, string, 0 | 1][] = [
  ["a decimal equals a fraction", "so \\boxed{0.75}", "3/4", 1],
  ["a LaTeX fraction equals a decimal", "\\boxed{\\frac{3}{4}}", "0.75", 1],
  ["an unreduced fraction equals the reduced one", "\\boxed{6/8}", "3/4", 1],
  ["x=3 counts as 3", "\\boxed{x=3}", "3", 1],
  ["a typographic minus is a minus", "\\boxed{\u22122}", "-2", 1],
  ["the last box wins", "\\boxed{2} no wait \\boxed{3}", "3", 1],
  ["a wrong number scores 0", "\\boxed{2}", "3", 0],
  ["no box scores 0", "the answer is 3", "3", 0],
  ["division by zero scores 0", "\\boxed{1/0}", "3", 0],
  ["a function call is not evaluated", "\\boxed{sqrt(9)}", "3", 0],
  ["code injection is not evaluated", "\\boxed{import('fs')}", "3", 0],
  ["an unclosed box scores 0", "\\boxed{3", "3", 0],
];

for (const [name, response, answer, want] of cases) {
  test(`math reward: ${name}`, () => assert.equal(mathReward(response, answer), want));
}

// A policy that games the reward: each row is a response it could write and what the reward
// must pay. The final answer is the content of the last \boxed{} that no other box encloses
// (teacher traces end in exactly one), and it must be a number: an integer, a decimal, a
// fraction a/b or \frac{a}{b}, optionally signed and optionally "x=" in front, compared exactly.
const hostile: [string, string, string, 0 | 1][] = [
  // Restating the question: arithmetic in the box is not an answer.
  ["restating the question 17+8 scores 0", "\\boxed{17+8}", "25", 0],
  ["restating a sum of fractions scores 0", "\\boxed{1/2+2/3}", "7/6", 0],
  ["a sum of LaTeX fractions scores 0", "\\boxed{\\frac{1}{2}+\\frac{2}{3}}", "7/6", 0],
  ["a rearranged equation scores 0", "\\boxed{x=(19-4)/3}", "5", 0],
  ["an equation left unsolved scores 0", "\\boxed{3x=15}", "5", 0],
  ["the question with its answer scores 0", "\\boxed{17+8=25}", "25", 0],
  ["subtracting zero scores 0", "\\boxed{25-0}", "25", 0],
  ["adding zero with spaces scores 0", "\\boxed{25 + 0}", "25", 0],
  ["a product scores 0", "\\boxed{5*5}", "25", 0],
  ["a LaTeX product scores 0", "\\boxed{5\\times5}", "25", 0],
  ["a dot product scores 0", "\\boxed{5\\cdot 5}", "25", 0],
  ["a times sign scores 0", "\\boxed{5\u00d75}", "25", 0],
  ["a division sign scores 0", "\\boxed{50\u00f72}", "25", 0],
  ["a LaTeX division scores 0", "\\boxed{50\\div 2}", "25", 0],
  ["a power scores 0", "\\boxed{5^2}", "25", 0],
  ["a typographic minus between operands scores 0", "\\boxed{25\u22120}", "25", 0],
  ["a double negative scores 0", "\\boxed{--25}", "25", 0],
  ["two signs score 0", "\\boxed{+-25}", "-25", 0],
  ["a number in brackets scores 0", "\\boxed{(25)}", "25", 0],
  ["scientific notation scores 0", "\\boxed{2.5e1}", "25", 0],
  ["a hexadecimal literal scores 0", "\\boxed{0x19}", "25", 0],
  ["a percentage scores 0", "\\boxed{25\\%}", "25", 0],
  ["Infinity scores 0", "\\boxed{Infinity}", "25", 0],
  // Where the final answer is.
  ["a box inside a box scores 0", "\\boxed{\\boxed{25}}", "25", 0],
  ["a box inside a restated question scores 0", "\\boxed{17+8\\boxed{25}}", "25", 0],
  ["of two boxes the last is the answer, even when the first is right", "\\boxed{25} or \\boxed{24}", "25", 0],
  ["of two boxes the last is the answer", "\\boxed{24}, no: \\boxed{25}", "25", 1],
  ["a box left open after a closed one scores 0", "\\boxed{25} \\boxed{2", "25", 0],
  ["text in the box scores 0", "\\boxed{25 apples}", "25", 0],
  ["a sentence in the box scores 0", "\\boxed{the answer is 25}", "25", 0],
  ["\\text in the box scores 0", "\\boxed{\\text{25}}", "25", 0],
  ["dollar signs in the box score 0", "\\boxed{$25$}", "25", 0],
  ["text outside the box is allowed", "17+8: 7+8=15, 1+0+1=2, so 25. \\boxed{25} done", "25", 1],
  // Forms of a number that real graders accept.
  ["x=25 counts as 25", "\\boxed{x=25}", "25", 1],
  ["x = 25 with spaces counts as 25", "\\boxed{x = 25}", "25", 1],
  ["x=-3 counts as -3", "\\boxed{x=-3}", "-3", 1],
  ["a two-letter name before = scores 0", "\\boxed{xy=25}", "25", 0],
  ["a chain of equalities scores 0", "\\boxed{x=y=25}", "25", 0],
  ["\\frac{3}{4} equals 3/4", "\\boxed{\\frac{3}{4}}", "3/4", 1],
  ["0.75 equals 3/4", "\\boxed{0.75}", "3/4", 1],
  ["6/8 equals 3/4", "\\boxed{6/8}", "3/4", 1],
  ["3/4 equals 0.75", "\\boxed{3/4}", "0.75", 1],
  ["\\dfrac is \\frac", "\\boxed{\\dfrac{3}{4}}", "3/4", 1],
  ["\\tfrac is \\frac", "\\boxed{\\tfrac{6}{8}}", "0.75", 1],
  ["a signed LaTeX fraction", "\\boxed{-\\frac{1}{2}}", "-1/2", 1],
  ["a sign inside \\frac scores 0: the sign goes in front", "\\boxed{\\frac{-1}{2}}", "-1/2", 0],
  ["a negative denominator scores 0", "\\boxed{1/-2}", "-1/2", 0],
  ["a fraction of decimals scores 0", "\\boxed{1.5/3}", "1/2", 0],
  ["an unreduced fraction for an integer answer counts", "\\boxed{x=15/3}", "5", 1],
  ["a typographic minus U+2212 is a minus", "\\boxed{\u221214}", "-14", 1],
  ["an en dash is not a minus", "\\boxed{\u201314}", "-14", 0],
  ["a fullwidth digit is not a digit", "\\boxed{\uff12\uff15}", "25", 0],
  ["a leading + is a sign", "\\boxed{+25}", "25", 1],
  ["a leading + is not a minus", "\\boxed{+25}", "-25", 0],
  ["minus zero is zero", "\\boxed{-0}", "0", 1],
  ["leading zeros do not change a number", "\\boxed{007}", "7", 1],
  ["trailing zeros of a decimal do not change it", "\\boxed{2.50}", "5/2", 1],
  ["a decimal without a leading digit scores 0", "\\boxed{.75}", "3/4", 0],
  ["a decimal point with no digits after it scores 0", "\\boxed{25.}", "25", 0],
  ["whitespace around the number is allowed", "\\boxed{ 25\n}", "25", 1],
  ["whitespace around a fraction's parts is allowed", "\\boxed{- 3 / 4}", "-3/4", 1],
  ["whitespace inside a number scores 0", "\\boxed{2 5}", "25", 0],
  // Thousands separators are not accepted: "1,000" is a list or a decimal comma elsewhere, and
  // no answer the tasks generate needs one.
  ["a thousands comma scores 0", "\\boxed{1,000}", "1000", 0],
  ["a LaTeX thousands comma scores 0", "\\boxed{1{,}000}", "1000", 0],
  ["a thin-space thousands separator scores 0", "\\boxed{1\\,000}", "1000", 0],
  // Exact comparison, never floating point.
  ["a huge integer equals itself", "\\boxed{123456789012345678901234567890}", "123456789012345678901234567890", 1],
  ["a huge integer off by one scores 0", "\\boxed{123456789012345678901234567891}", "123456789012345678901234567890", 0],
  ["2^53+1 is not 2^53", "\\boxed{9007199254740993}", "9007199254740992", 0],
  ["a decimal 1e-17 away scores 0", "\\boxed{0.30000000000000001}", "0.3", 0],
  ["0.1+0.2 is an expression, not 0.3", "\\boxed{0.1+0.2}", "0.3", 0],
  ["a rounded third is not a third", "\\boxed{0.3333333333333333}", "1/3", 0],
  ["a huge fraction equals its reduced form", "\\boxed{\\frac{246913578024691357802469135780}{2}}", "123456789012345678901234567890", 1],
  // Division by zero.
  ["a zero denominator scores 0", "\\boxed{\\frac{3}{0}}", "3", 0],
  ["0/0 scores 0", "\\boxed{0/0}", "0", 0],
];

for (const [name, response, answer, want] of hostile) {
  test(`math reward, hostile: ${name}`, () => assert.equal(mathReward(response, answer), want));
}

test("math reward never throws and pays 0 for a very long box", () => {
  assert.equal(mathReward(`\\boxed{${"9".repeat(100_000)}+1}`, "1"), 0);
  assert.equal(mathReward(`\\boxed{${"{".repeat(100_000)}`, "1"), 0);
  assert.equal(mathReward(`\\boxed{${"9".repeat(10_000)}}`, "9".repeat(10_000)), 1);
});

test("extractBoxed handles nested braces", () => {
  assert.equal(extractBoxed("\\boxed{\\frac{1}{2}} end"), "\\frac{1}{2}");
  assert.equal(extractBoxed("none"), null);
});

test("extractBoxed returns the last box no other box encloses", () => {
  assert.equal(extractBoxed("\\boxed{1} and \\boxed{2}"), "2");
  assert.equal(extractBoxed("\\boxed{\\boxed{2}}"), "\\boxed{2}");
  assert.equal(extractBoxed("\\boxed{1} \\boxed{2"), null);
});

// Properties over many inputs (fast-check prints the seed and the smallest failing case).
const integer = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });
const natural = fc.bigInt({ min: 0n, max: 10n ** 40n });
const positive = fc.bigInt({ min: 1n, max: 10n ** 40n });
const abs = (x: bigint) => (x < 0n ? -x : x);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? abs(a) : gcd(b, a % b));
/** lowest renders n/d in lowest terms as the tasks write answers: "3/4", "-1/2", "2". */
function lowest(n: bigint, d: bigint): string {
  const g = gcd(n, d) || 1n;
  return d / g === 1n ? `${n / g}` : `${n / g}/${d / g}`;
}
const sign = (n: bigint, minus: string) => (n < 0n ? minus : "");

test("math reward, property: arithmetic on two numbers scores 0 even when it equals the answer", () => {
  const ops: [string, (a: bigint, b: bigint) => bigint][] = [
    ["+", (a, b) => a + b], ["-", (a, b) => a - b], ["*", (a, b) => a * b], ["\\times", (a, b) => a * b],
    ["\\cdot", (a, b) => a * b], ["\u00d7", (a, b) => a * b], [" + ", (a, b) => a + b], ["\u2212", (a, b) => a - b],
  ];
  fc.assert(fc.property(integer, natural, fc.constantFrom(...ops), (a, b, [op, f]) => {
    assert.equal(mathReward(`\\boxed{${a}${op}${b}}`, `${f(a, b)}`), 0);
  }));
});

test("math reward, property: a sum of fractions scores 0 even when it equals the answer", () => {
  fc.assert(fc.property(natural, positive, natural, positive, (a, b, c, d) => {
    assert.equal(mathReward(`\\boxed{${a}/${b}+${c}/${d}}`, lowest(a * d + c * b, b * d)), 0);
    assert.equal(mathReward(`\\boxed{\\frac{${a}}{${b}}+\\frac{${c}}{${d}}}`, lowest(a * d + c * b, b * d)), 0);
  }));
});

test("math reward, property: every written form of a rational equals it in lowest terms", () => {
  const forms = [
    (n: bigint, d: bigint) => `${sign(n, "-")}${abs(n)}/${d}`,
    (n: bigint, d: bigint) => `${sign(n, "\u2212")}\\frac{${abs(n)}}{${d}}`,
    (n: bigint, d: bigint) => `x = ${sign(n, "-")}\\dfrac{${abs(n)}}{${d}}`,
  ];
  fc.assert(fc.property(integer, positive, fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.constantFrom(...forms), (n, d, k, form) => {
    assert.equal(mathReward(`\\boxed{${form(n * k, d * k)}}`, lowest(n, d)), 1);
  }));
});

test("math reward, property: a decimal equals its fraction exactly, and one unit in its last place away does not", () => {
  fc.assert(fc.property(integer, fc.integer({ min: 1, max: 40 }), (m, places) => {
    const digits = abs(m).toString().padStart(places + 1, "0");
    const text = `${sign(m, "-")}${digits.slice(0, -places)}.${digits.slice(-places)}`;
    const d = 10n ** BigInt(places);
    assert.equal(mathReward(`\\boxed{${text}}`, lowest(m, d)), 1);
    assert.equal(mathReward(`\\boxed{${text}}`, lowest(m + 1n, d)), 0);
  }));
});

test("math reward, property: two different rationals are never equal", () => {
  fc.assert(fc.property(integer, positive, integer, positive, (a, b, c, d) => {
    fc.pre(a * d !== c * b);
    assert.equal(mathReward(`\\boxed{${lowest(a, b)}}`, lowest(c, d)), 0);
  }));
});

test("math reward, property: whatever is in the box, it never throws and never pays for an operator between operands", () => {
  const piece = fc.constantFrom("1", "2", "5", "0", "+", "-", "*", "/", "(", ")", ".", " ", "x=", "\\frac{", "}{", "}", "{", "\u2212", "\\times", "\\boxed{", "e");
  const short = fc.constantFrom("1", "2", "5", "0", "+", "-", "*", "/", "(", ")", " ");
  const content = fc.oneof(
    fc.array(short, { maxLength: 5 }).map((a) => a.join("")), // often plain arithmetic that equals the answer
    fc.array(piece, { maxLength: 12 }).map((a) => a.join("")),
    fc.string({ unit: "grapheme", maxLength: 20 }),
  );
  fc.assert(fc.property(content, fc.constantFrom("0", "1", "2", "5", "-5", "1/2", "3"), (inside, answer) => {
    const r = mathReward(`\\boxed{${inside}}`, answer);
    assert.ok(r === 0 || r === 1);
    // A lone fraction a/b is a number, not an operation (the reward's grammar allows it).
    const fraction = /^\s*(?:x\s*=\s*)?[-+\u2212]?\s*\d+\s*\/\s*\d+\s*$/;
    // A "}" in the content can close the box early, so the answer is then a prefix of it; the box-structure cases are tabled above.
    if (r === 1 && !fraction.test(inside) && !inside.includes("}")) assert.doesNotMatch(inside, /[0-9)}.]\s*(?:[-+*/\u2212]|\\times)\s*[0-9({.\\]/);
  }), { numRuns: 2000 });
});
