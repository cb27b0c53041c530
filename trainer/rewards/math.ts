// math reward: 1 when the final answer of a response, the content of the last \boxed{...} that
// no other box encloses, is a number exactly equal to the reference answer, else 0. Teacher
// traces end in exactly one box, and evaluation scores with this same function.
// A number is an integer, a decimal, a fraction a/b or \frac{a}{b} (or \dfrac, \tfrac),
// optionally signed (+, -, or the typographic minus U+2212) and optionally after one letter and
// "=" ("x=5"); whitespace may sit between those parts, never inside digits. Anything else in the
// box scores 0: arithmetic ("17+8" for "Compute 17+8."), equations, brackets, exponents,
// scientific notation, thousands separators, text. Equality is exact rational arithmetic on
// BigInts, never floating point: "3/4", "0.75", "\frac{3}{4}" and "6/8" all equal 3/4, and
// 0.30000000000000001 is not 0.3. Nothing in a response is evaluated; it is only parsed.

/** Rational is an exact number n/d with d > 0, not necessarily in lowest terms. */
export interface Rational {
  n: bigint;
  d: bigint;
}

const boxOpen = "\\boxed{";

/** closingBrace returns the index of the brace that closes the one at open, or -1. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/**
 * extractBoxed returns the content of the last \boxed{...} that no other box encloses (nested
 * braces allowed), or null when there is no box or the last one is never closed.
 */
export function extractBoxed(text: string): string | null {
  let last: string | null = null;
  for (let from = 0; ;) {
    const start = text.indexOf(boxOpen, from);
    if (start < 0) return last;
    const end = closingBrace(text, start + boxOpen.length - 1);
    if (end < 0) return null;
    last = text.slice(start + boxOpen.length, end);
    from = end + 1;
  }
}

// A token is whitespace, a run of digits with an optional decimal part, \frac, one letter or
// one symbol of the grammar; any other character makes the box no number. Linear time.
const token = /\s+|\d+(?:\.\d+)?|\\[dt]?frac(?![A-Za-z])|[A-Za-z{}/=+\-\u2212]/y;

/** kindOf names a token for the grammar: i an integer, d a decimal, v a letter, f \frac; a symbol is itself. */
function kindOf(t: string): string {
  if (/^\d+$/.test(t)) return "i";
  if (/^\d/.test(t)) return "d";
  if (/^[A-Za-z]$/.test(t)) return "v";
  if (t.startsWith("\\")) return "f";
  return t === "\u2212" ? "-" : t;
}

// The whole grammar over token kinds: [letter =] [sign] (integer | decimal | i/i | \frac{i}{i}).
const answerShape = /^(?:v=)?([+-]?)(?:[id]|i\/i|f\{i\}\{i\})$/;

/** tokens splits a box's content into tokens without whitespace, or null at a character no number has. */
function tokens(s: string): string[] | null {
  const out: string[] = [];
  token.lastIndex = 0;
  while (token.lastIndex < s.length) {
    const m = token.exec(s);
    if (m === null) return null;
    if (!/^\s/.test(m[0])) out.push(m[0]);
  }
  return out;
}

/** decimal reads "12" or "2.50" exactly. */
function decimal(s: string): Rational {
  const [whole, frac = ""] = s.split(".");
  return { n: BigInt(whole + frac), d: 10n ** BigInt(frac.length) };
}

/** parseAnswer reads a final answer as an exact number, or returns null when it is not one (see the file header). */
export function parseAnswer(s: string): Rational | null {
  const t = tokens(s);
  if (t === null) return null;
  const kinds = t.map(kindOf);
  const m = answerShape.exec(kinds.join(""));
  if (m === null) return null;
  const digits = t.filter((_, i) => kinds[i] === "i" || kinds[i] === "d");
  const r = digits.length === 1 ? decimal(digits[0]) : { n: BigInt(digits[0]), d: BigInt(digits[1]) };
  if (r.d === 0n) return null; // a zero denominator is no number
  return m[1] === "-" ? { n: -r.n, d: r.d } : r;
}

/** equivalent says whether two answers are numbers and the same number. */
export function equivalent(given: string, reference: string): boolean {
  const x = parseAnswer(given);
  const y = parseAnswer(reference);
  return x !== null && y !== null && x.n * y.d === y.n * x.d;
}

/** mathReward scores a response: 1 iff its final answer (extractBoxed) is a number equal to the answer. Never throws. */
export function mathReward(response: string, answer: string): 0 | 1 {
  const boxed = extractBoxed(response);
  return boxed !== null && equivalent(boxed, answer) ? 1 : 0;
}
