// canonical: the normal form of an arithmetic expression, so that two ways of writing one
// problem get one name and land on one side of the held-out boundary (tasks/dataset.ts).
//   17+8, 8+17                     "+8+17"          operands of + in sorted order
//   23-9+14, 14+23-9, 23+(14-9)    one form         a sum is a multiset of signed terms; brackets that change nothing go
//   3*4+5, 5+4*3                   one form         a product is a multiset of factors, a divisor marked "/"
//   (4+5)*3, 3*(5+4)               one form         a bracket that groups a sum inside a product stays
//   2x+4=10, 10=4+2x               one form         an equation is the unordered pair of its sides
//   17-0, 17+0                     one form         a zero term carries no sign
// It is not an evaluator: constants are never folded, so 17+8 and 20+5 stay two problems, and
// 2/4 stays apart from 1/2 (reducing it is part of the work).

/** Factor is a number, the unknown x, or a bracketed sum, as a multiplier (pow 1) or a divisor (pow -1). */
interface Factor {
  pow: 1 | -1;
  base: string | Sum;
}

/** Term is a signed product of factors. */
interface Term {
  sign: 1 | -1;
  factors: Factor[];
}

/** Sum is a sum of terms: every expression normalises to one. */
interface Sum {
  terms: Term[];
}

const atom = (base: string): Sum => ({ terms: [{ sign: 1, factors: [{ pow: 1, base }] }] });
const negate = (s: Sum): Sum => ({ terms: s.terms.map((t) => ({ sign: t.sign === 1 ? -1 : 1, factors: t.factors })) });

/** times multiplies two sums; a sum of several terms becomes one bracketed factor. */
function times(a: Sum, b: Sum, pow: 1 | -1): Sum {
  const [left] = a.terms.length === 1 ? a.terms : [{ sign: 1 as const, factors: [{ pow: 1 as const, base: a }] }];
  const [right] = b.terms.length === 1 ? b.terms : [{ sign: 1 as const, factors: [{ pow: 1 as const, base: b }] }];
  // 1/(-y) is -(1/y): a divisor's sign moves to the term as a multiplier's does.
  const factors = [...left.factors, ...right.factors.map((f) => ({ pow: (f.pow * pow) as 1 | -1, base: f.base }))];
  return { terms: [{ sign: (left.sign * right.sign) as 1 | -1, factors }] };
}

/** parse reads an expression over integers, x, + - * / and brackets; 2x and 2(x+1) are products. */
function parse(text: string): Sum {
  const tokens = text.replace(/\s+/g, "").match(/\d+|[-+*/()x]|./g) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new Error(`canonical: cannot read ${JSON.stringify(text)} at token ${i + 1}`);
  };
  const factor = (): Sum => {
    const t = tokens[i++];
    if (t === "-") return negate(factor());
    if (t === "(") {
      const inner = sum();
      if (tokens[i++] !== ")") fail();
      return inner;
    }
    if (t !== undefined && /^(\d+|x)$/.test(t)) return atom(t.replace(/^0+(?=\d)/, ""));
    return fail();
  };
  const product = (): Sum => {
    let p = factor();
    for (;;) {
      const t = tokens[i];
      if (t === "*" || t === "/") {
        i++;
        p = times(p, factor(), t === "*" ? 1 : -1);
      } else if (t === "x" || t === "(") {
        p = times(p, factor(), 1);
      } else {
        return p;
      }
    }
  };
  const sum = (): Sum => {
    const terms = [...product().terms];
    while (tokens[i] === "+" || tokens[i] === "-") {
      const t = tokens[i++];
      const next = product();
      terms.push(...(t === "+" ? next : negate(next)).terms);
    }
    return { terms };
  };
  const s = sum();
  if (i !== tokens.length) fail();
  return s;
}

function renderSum(s: Sum): string {
  return s.terms.map(renderTerm).sort().join("");
}

function renderTerm(t: Term): string {
  const factors = t.factors.map((f) => `${f.pow === 1 ? "*" : "/"}${typeof f.base === "string" ? f.base : `(${renderSum(f.base)})`}`).sort();
  const zero = t.factors.some((f) => f.pow === 1 && f.base === "0");
  return `${t.sign === 1 || zero ? "+" : "-"}${factors.join("")}`;
}

/** canonicalExpr is the normal form of an expression: equal for every rewrite the file header lists, and only for those. */
export function canonicalExpr(text: string): string {
  return renderSum(parse(text));
}

/** canonicalProblem names a math prompt ("Compute E." or "Solve L=R.") by its verb and the canonical form of what follows. */
export function canonicalProblem(prompt: string): string {
  const m = /^(Compute|Solve) (.*)\.$/.exec(prompt);
  if (m === null) throw new Error(`canonical: not a math prompt: ${JSON.stringify(prompt)}`);
  const [, verb, body] = m;
  const sides = body.split("=");
  if (verb === "Compute" && sides.length === 1) return `compute ${canonicalExpr(body)}`;
  if (verb === "Solve" && sides.length === 2) return `solve ${sides.map(canonicalExpr).sort().join("=")}`;
  throw new Error(`canonical: not a math prompt: ${JSON.stringify(prompt)}`);
}
