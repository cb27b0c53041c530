// math reward: 1 when the last \boxed{...} of a response is mathematically equal to the
// reference answer, else 0. Equality is exact rational arithmetic (mathjs fractions), not
// string comparison: "3/4", "0.75", "\frac{3}{4}" and "6/8" all equal 3/4; "x=3" counts as 3.
// Untrusted text never reaches an evaluator unless it is plain arithmetic.
import { all, create, type Fraction } from "mathjs";

const math = create(all, { number: "Fraction" });

/** extractBoxed returns the content of the last \boxed{...} (nested braces allowed), or null. */
export function extractBoxed(text: string): string | null {
  const start = text.lastIndexOf("\\boxed{");
  if (start < 0) return null;
  let depth = 0;
  for (let i = start + "\\boxed{".length - 1; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(start + "\\boxed{".length, i);
  }
  return null;
}

/** normalize rewrites LaTeX and typographic forms into plain arithmetic, or returns null. */
function normalize(s: string): string | null {
  let t = s.trim().replace(/^\$+|\$+$/g, "").replace(/\\left|\\right|\\!|\\,|\s+/g, "");
  t = t.replace(/^[a-zA-Z]\w*=/, ""); // "x=3" → "3"
  t = t.replace(/[\u2212\u2013]/g, "-").replace(/\\cdot|\\times|×/g, "*").replace(/\\div|÷/g, "/");
  for (let i = 0; i < 8 && /\\[dt]?frac\{/.test(t); i++) t = t.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
  if (t === "" || t.length > 64 || !/^[0-9+\-*/().]+$/.test(t)) return null;
  return t;
}

/** value evaluates plain arithmetic exactly, or returns null when it is not a finite number. */
function value(expr: string): Fraction | null {
  try {
    const v: unknown = math.evaluate(expr);
    return math.isFraction(v) ? v : null;
  } catch {
    return null;
  }
}

/** equivalent says whether two answers denote the same number. */
export function equivalent(given: string, reference: string): boolean {
  const a = normalize(given);
  const b = normalize(reference);
  if (a === null || b === null) return false;
  const x = value(a);
  const y = value(b);
  return x !== null && y !== null && math.equal(x, y) === true;
}

/** mathReward scores a response: 1 iff its last \boxed{} equals the answer. Never throws. */
export function mathReward(response: string, answer: string): 0 | 1 {
  const boxed = extractBoxed(response);
  return boxed !== null && equivalent(boxed, answer) ? 1 : 0;
}
