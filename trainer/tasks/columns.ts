// columns: written addition and subtraction, one digit column at a time from the ones up, the
// way the teacher shows its work. A small character model cannot learn two-digit sums as a
// table from a few thousand examples, but every column is one of a hundred single-digit facts
// it sees thousands of times, so traces in this form generalise to prompts it never saw.
//   17+8   "7+8=15, 1+0+1=2"            carries are written into the next column
//   42-17  "12-7=5, 4-1-1=2"            a borrow shows as a 1 before the column's digit
// signedStep reduces one signed operation to the column work on magnitudes.

const columnNames = ["ones", "tens", "hundreds", "thousands", "ten-thousands"];

/** digitAt is the i-th decimal digit of a non-negative integer, ones first. */
function digitAt(x: number, i: number): number {
  return Math.floor(x / 10 ** i) % 10;
}

function width(x: number): number {
  return String(x).length;
}

function label(parts: string[], named: boolean): string {
  return parts.map((p, i) => (named ? `${columnNames[i]} ${p}` : p)).join(", ");
}

/** addColumns writes a+b (both ≥ 0) column by column: "7+8=15, 1+0+1=2" for 17+8. */
export function addColumns(a: number, b: number, named = false): string {
  checkNatural(a, b);
  const parts: string[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(width(a), width(b)); i++) {
    const x = digitAt(a, i);
    const y = digitAt(b, i);
    const s = x + y + carry;
    parts.push(i === 0 ? `${x}+${y}=${s}` : `${x}+${y}+${carry}=${s}`);
    carry = s >= 10 ? 1 : 0;
  }
  return label(parts, named);
}

/** subColumns writes a-b (a ≥ b ≥ 0) column by column: "12-7=5, 4-1-1=2" for 42-17. */
export function subColumns(a: number, b: number, named = false): string {
  checkNatural(a, b);
  if (a < b) throw new Error(`columns: ${a}-${b} would be negative; subtract the smaller from the larger`);
  const parts: string[] = [];
  let borrow = 0;
  for (let i = 0; i < width(a); i++) {
    const x = digitAt(a, i);
    const y = digitAt(b, i);
    const need = x - borrow < y ? 1 : 0;
    const top = x + 10 * need;
    const d = top - y - borrow;
    parts.push(i === 0 ? `${top}-${y}=${d}` : `${top}-${y}-${borrow}=${d}`);
    borrow = need;
  }
  return label(parts, named);
}

function checkNatural(a: number, b: number): void {
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0) throw new Error(`columns: operands must be integers ≥ 0, got ${a} and ${b}`);
}

/**
 * signedStep writes x op y for any integers x and y ≥ 0 as column work on magnitudes, naming
 * the reduction when a sign is involved: "9-23=-(23-9): 13-9=4, 2-0-1=1, so -14".
 */
export function signedStep(x: number, op: "+" | "-", y: number, named = false): SignedStep {
  const value = op === "+" ? x + y : x - y;
  const head = `${x}${op}${y}`;
  let text: string;
  let worked: SignedStep["worked"];
  if (x >= 0 && op === "+") [text, worked] = [`${head}: ${addColumns(x, y, named)}`, [x, "+", y]];
  else if (x >= 0 && x >= y) [text, worked] = [`${head}: ${subColumns(x, y, named)}`, [x, "-", y]];
  else if (x >= 0) [text, worked] = [`${head}=-(${y}-${x}): ${subColumns(y, x, named)}`, [y, "-", x]];
  else if (op === "-") [text, worked] = [`${head}=-(${-x}+${y}): ${addColumns(-x, y, named)}`, [-x, "+", y]];
  else if (y >= -x) [text, worked] = [`${head}=${y}-${-x}: ${subColumns(y, -x, named)}`, [y, "-", -x]];
  else [text, worked] = [`${head}=-(${-x}-${y}): ${subColumns(-x, y, named)}`, [-x, "-", y]];
  return { text: `${text}, so ${value}`, value, worked };
}

/** SignedStep is one signed operation written out: its text, its value, and the operation on magnitudes it works in columns. */
export interface SignedStep {
  text: string;
  value: number;
  /** worked is the column operation, a ≥ 0 and b ≥ 0 (and a ≥ b for -): 9-23 works [23, "-", 9]. */
  worked: [number, "+" | "-", number];
}

/**
 * columnFacts are the operations addColumns and subColumns write in one column ("7+8", "1+0+1",
 * "12-7", "4-1-1"), as text. Every trace is built of them, so they are the atoms a model must
 * learn and no split can hold one out.
 */
export function columnFacts(): string[] {
  const facts = new Set<string>();
  // Two-digit operands reach every digit pair with and without a carry or a borrow.
  for (let a = 0; a < 100; a++) {
    for (let b = 0; b < 100; b++) {
      for (const cols of [addColumns(a, b), ...(a >= b ? [subColumns(a, b)] : [])]) {
        for (const col of cols.split(", ")) facts.add(col.slice(0, col.indexOf("=")));
      }
    }
  }
  return [...facts];
}
