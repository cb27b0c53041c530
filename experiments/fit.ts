// fit: the paper's SFT scaling law, accuracy ≈ a·log2(prompts) + b·log2(responses) + c, fitted
// by ordinary least squares. Three unknowns: the normal equations are solved directly
// (Gaussian elimination with partial pivoting), which is exact enough at this size and says
// plainly when the grid cannot separate a from b.

/** ScalingPoint is one grid cell: how many prompts, how many responses per prompt, and the accuracy reached. */
export interface ScalingPoint {
  prompts: number;
  responses: number;
  accuracy: number;
}

/** ScalingFit is the fitted law and how much of the variation it explains. */
export interface ScalingFit {
  a: number;
  b: number;
  c: number;
  r2: number;
  /** adjustedR2 charges R² for the three fitted parameters: 1 − (1 − R²)(n − 1)/(n − 3); undefined with no residual degree of freedom. */
  adjustedR2?: number;
  points: number;
  /** residualDof is n − 3: with one, R² is near 1 whatever the data, so a small grid proves little. */
  residualDof: number;
}

/**
 * fitScaling fits accuracy = a·log2(prompts) + b·log2(responses) + c. It needs at least three
 * points whose log2(prompts) and log2(responses) are not collinear (a grid with two values of
 * each is enough), else it throws naming the fix. R² is 1 − SSres/SStot (1 when every accuracy
 * is equal and matched).
 */
export function fitScaling(points: readonly ScalingPoint[]): ScalingFit {
  const rows = points.map((p) => [Math.log2(p.prompts), Math.log2(p.responses), 1]);
  const y = points.map((p) => p.accuracy);
  if (rows.some((r) => !r.every(Number.isFinite)) || !y.every(Number.isFinite)) throw new Error("fitScaling: prompts and responses must be positive and accuracies finite");
  const xtx = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i] * r[j], 0)));
  const xty = [0, 1, 2].map((i) => rows.reduce((s, r, k) => s + r[i] * y[k], 0));
  const beta = solve3(xtx, xty);
  if (beta === undefined) throw new Error("fitScaling: the grid cannot separate prompts from responses; vary each over at least two values");
  const [a, b, c] = beta;
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const ssTot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const ssRes = rows.reduce((s, r, k) => s + (y[k] - (a * r[0] + b * r[1] + c)) ** 2, 0);
  const r2 = ssTot === 0 ? (ssRes < 1e-12 ? 1 : 0) : 1 - ssRes / ssTot;
  const n = points.length;
  return { a, b, c, r2, ...(n > 3 ? { adjustedR2: 1 - ((1 - r2) * (n - 1)) / (n - 3) } : {}), points: n, residualDof: n - 3 };
}

/** solve3 solves m·x = v for a 3×3 m, or undefined when m is singular. */
function solve3(m: number[][], v: number[]): number[] | undefined {
  const a = m.map((row, i) => [...row, v[i]]);
  const scale = Math.max(1, ...m.flat().map(Math.abs));
  for (let col = 0; col < 3; col++) {
    let piv = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (Math.abs(a[piv][col]) < 1e-9 * scale) return undefined;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  return [0, 1, 2].map((i) => a[i][3] / a[i][i]);
}
