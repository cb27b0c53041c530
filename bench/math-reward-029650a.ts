// bench/math-reward-029650a.ts: the math reward as it was at commit 029650a, kept only so
// bench/reward-audit.ts can say what the old reward paid; the trainer never imports it. It took
// the last "\boxed{" found, normalised the content (verbatim below) and evaluated any plain
// arithmetic left (digits, + - * / ( ) .) exactly. 029650a did that with mathjs in Fraction mode;
// here a small exact evaluator does it, with mathjs's implicit multiplication of adjacent
// factors ("2(3)"), so the bench needs no mathjs.

interface Q { n: bigint; d: bigint }
const gcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b !== 0n) [a, b] = [b, a % b]; return a; };
function q(n: bigint, d: bigint): Q {
  if (d === 0n) throw new Error("division by zero");
  const g = gcd(n, d) || 1n;
  return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g };
}

function oldNormalize(s: string): string | null {
  let t = s.trim().replace(/^\$+|\$+$/g, "").replace(/\\left|\\right|\\!|\\,|\s+/g, "");
  t = t.replace(/^[a-zA-Z]\w*=/, "");
  t = t.replace(/[\u2212\u2013]/g, "-").replace(/\\cdot|\\times|×/g, "*").replace(/\\div|÷/g, "/");
  for (let i = 0; i < 8 && /\\[dt]?frac\{/.test(t); i++) t = t.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
  if (t === "" || t.length > 64 || !/^[0-9+\-*/().]+$/.test(t)) return null;
  return t;
}

/** evaluate parses sums of products of signed factors (numbers or brackets) exactly; throws on bad input. */
function evaluate(src: string): Q {
  let i = 0;
  const peek = () => src[i];
  const sum = (): Q => {
    let a = product();
    while (peek() === "+" || peek() === "-") {
      const op = src[i++];
      const b = product();
      a = op === "+" ? q(a.n * b.d + b.n * a.d, a.d * b.d) : q(a.n * b.d - b.n * a.d, a.d * b.d);
    }
    return a;
  };
  const product = (): Q => {
    let a = unary();
    for (;;) {
      const c = peek();
      if (c === "*" || c === "/") {
        i++;
        const b = unary();
        a = c === "*" ? q(a.n * b.n, a.d * b.d) : q(a.n * b.d, a.d * b.n);
      } else if (c === "(" || (c !== undefined && /[0-9.]/.test(c) && src[i - 1] === ")")) {
        const b = factor(); // implicit multiplication: 2(3), (2)(3), (2)3
        a = q(a.n * b.n, a.d * b.d);
      } else return a;
    }
  };
  const unary = (): Q => {
    if (peek() === "-") { i++; const a = unary(); return { n: -a.n, d: a.d }; }
    if (peek() === "+") { i++; return unary(); }
    return factor();
  };
  const factor = (): Q => {
    if (peek() === "(") {
      i++;
      const a = sum();
      if (src[i++] !== ")") throw new Error("unbalanced");
      return a;
    }
    const m = /^(\d+\.?\d*|\.\d+)/.exec(src.slice(i));
    if (m === null) throw new Error("expected a number");
    i += m[0].length;
    const [w, fr = ""] = m[0].split(".");
    return q(BigInt((w || "0") + fr), 10n ** BigInt(fr.length));
  };
  const v = sum();
  if (i !== src.length) throw new Error("trailing input");
  return v;
}

/** oldMathReward is 029650a's mathReward: the last "\boxed{" found, any plain arithmetic inside it evaluated. */
export function oldMathReward(response: string, answer: string): 0 | 1 {
  const start = response.lastIndexOf("\\boxed{");
  if (start < 0) return 0;
  let depth = 0;
  let boxed: string | null = null;
  for (let i = start + "\\boxed{".length - 1; i < response.length && boxed === null; i++) {
    if (response[i] === "{") depth++;
    else if (response[i] === "}" && --depth === 0) boxed = response.slice(start + "\\boxed{".length, i);
  }
  const a = boxed === null ? null : oldNormalize(boxed);
  const b = oldNormalize(answer);
  if (a === null || b === null) return 0;
  try {
    const x = evaluate(a);
    const y = evaluate(b);
    return x.n === y.n && x.d === y.d ? 1 : 0;
  } catch {
    return 0;
  }
}

