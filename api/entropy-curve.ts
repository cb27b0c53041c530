// entropy-curve: the H(T′) curve a trainer reports — the entropy of one epoch's rollouts
// re-measured at a few temperatures around the one they were sampled at — made into a monotone
// function of T that EntropyTarget can solve. Pure numerics; what to do with the answer (band,
// maxStep, bounds, reasons) is api/temperature-policy.ts's.
//
// Why these choices:
// - Monotone by construction. The entropy of softmax(z/T) never decreases in T (dH/d ln T is the
//   variance of z/T under the distribution), so a measured decrease is noise. Isotonic
//   regression (pool adjacent violators) gives the closest nondecreasing fit, and the point at
//   the sampled T is weighted so heavily that the fit passes through it: the solver and the
//   band check then agree on which side of the target this epoch is, so a step never goes the
//   wrong way.
// - In ln T. Entropy is a function of T's scale (it runs from 0 as T → 0 to ln V as T → ∞),
//   so ln T is its natural axis: every extrapolated T stays positive, and the same relative
//   step means the same at T 0.3 and T 1.5.
// - Fritsch–Carlson monotone cubic (PCHIP) between points. It keeps the fit's monotonicity (a
//   natural spline would overshoot between points), needs no tuning, and follows the curvature
//   of a sigmoid-like curve better than straight segments at the trainer's 0.1 spacing.
// - Bounded extrapolation. Beyond the measured range the fit continues along its end slope
//   (the larger of the cubic's end derivative and the last secant, so the guess is the shorter
//   one) for at most one point spacing in ln T; a flat end goes the full spacing.

/** Curve is a monotone fit of H over ln T: temperatures t, their logs u, fitted entropies f (nondecreasing) and slopes m = dH/d ln T at each point. */
export interface Curve {
  t: number[];
  u: number[];
  f: number[];
  m: number[];
}

/** Point is one measured (temperature, entropy). */
export interface Point {
  temperature: number;
  entropy: number;
}

/** anchorWeight is the isotonic weight of the point at the sampled T, against 1 for each re-measured one. */
const anchorWeight = 1e6;

/**
 * fitCurve makes a monotone curve of the reported points plus (current, h), the entropy measured
 * at the temperature the epoch ran at (a reported point at that temperature is replaced by it).
 * Points within 1e-4 (relative) of one another count as one temperature. It returns undefined
 * when fewer than two temperatures remain: no curve to solve on.
 */
export function fitCurve(points: readonly Point[], current: number, h: number): Curve | undefined {
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(a, b);
  const usable = points.filter((p) => Number.isFinite(p.temperature) && Number.isFinite(p.entropy) && p.temperature > 0 && !same(p.temperature, current));
  const all = [...usable.map((p) => ({ t: p.temperature, h: p.entropy, w: 1 })), { t: current, h, w: anchorWeight }].sort((a, b) => a.t - b.t);
  const merged: { t: number; h: number; w: number }[] = [];
  for (const p of all) {
    const last = merged.at(-1);
    if (last !== undefined && same(last.t, p.t)) {
      last.h = (last.h * last.w + p.h * p.w) / (last.w + p.w);
      last.w += p.w;
    } else merged.push({ ...p });
  }
  if (merged.length < 2) return undefined;
  const t = merged.map((p) => p.t);
  const u = t.map(Math.log);
  const f = isotonic(merged.map((p) => p.h), merged.map((p) => p.w));
  return { t, u, f, m: pchipSlopes(u, f) };
}

/** isotonic is the weighted least-squares nondecreasing fit of y (pool adjacent violators). */
export function isotonic(y: readonly number[], w: readonly number[]): number[] {
  const blocks: { v: number; w: number; n: number }[] = [];
  y.forEach((yi, i) => {
    let b = { v: yi, w: w[i], n: 1 };
    for (let prev = blocks.at(-1); prev !== undefined && prev.v >= b.v; prev = blocks.at(-1)) {
      blocks.pop();
      b = { v: (prev.v * prev.w + b.v * b.w) / (prev.w + b.w), w: prev.w + b.w, n: prev.n + b.n };
    }
    blocks.push(b);
  });
  return blocks.flatMap((b) => new Array<number>(b.n).fill(b.v));
}

/** pchipSlopes are Fritsch–Carlson derivatives for monotone data (x increasing): harmonic means inside, the three-point formula at the ends. */
export function pchipSlopes(x: readonly number[], y: readonly number[]): number[] {
  const n = x.length;
  const h = x.slice(1).map((xi, i) => xi - x[i]);
  const d = h.map((hi, i) => (y[i + 1] - y[i]) / hi);
  if (n === 2) return [d[0], d[0]];
  const m = new Array<number>(n).fill(0);
  for (let k = 1; k < n - 1; k++) {
    if (d[k - 1] * d[k] <= 0) continue;
    const w1 = 2 * h[k] + h[k - 1];
    const w2 = h[k] + 2 * h[k - 1];
    m[k] = (w1 + w2) / (w1 / d[k - 1] + w2 / d[k]);
  }
  m[0] = endSlope(h[0], h[1], d[0], d[1]);
  m[n - 1] = endSlope(h[n - 2], h[n - 3], d[n - 2], d[n - 3]);
  return m;
}

/** endSlope is the shape-preserving three-point end derivative (h0, d0 the end interval; h1, d1 its neighbour). */
function endSlope(h0: number, h1: number, d0: number, d1: number): number {
  const m = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
  if (Math.sign(m) !== Math.sign(d0)) return 0;
  if (Math.sign(d0) !== Math.sign(d1) && Math.abs(m) > 3 * Math.abs(d0)) return 3 * d0;
  return m;
}

/** hermite evaluates segment k of the curve at u. */
function hermite(c: Curve, k: number, u: number): number {
  const h = c.u[k + 1] - c.u[k];
  const s = (u - c.u[k]) / h;
  const s2 = s * s;
  const s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * c.f[k] + (s3 - 2 * s2 + s) * h * c.m[k] + (-2 * s3 + 3 * s2) * c.f[k + 1] + (s3 - s2) * h * c.m[k + 1];
}

/** entropyAt is the fitted entropy at temperature T, or undefined outside the measured range. */
export function entropyAt(c: Curve, T: number): number | undefined {
  const u = Math.log(T);
  const n = c.u.length;
  if (!(u >= c.u[0] - 1e-12 && u <= c.u[n - 1] + 1e-12)) return undefined;
  let k = 0;
  while (k < n - 2 && u > c.u[k + 1]) k++;
  return hermite(c, k, clampTo(u, c.u[k], c.u[k + 1]));
}

const clampTo = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * invert is the temperature where the fitted curve equals target, or undefined when target lies
 * outside the fitted range. Where several temperatures fit (a flat stretch at exactly target),
 * it is the one nearest current. Each cubic segment is monotone, so bisection finds its root.
 */
export function invert(c: Curve, target: number, current: number): number | undefined {
  const roots: number[] = [];
  for (let k = 0; k + 1 < c.u.length; k++) {
    if (!(c.f[k] <= target && target <= c.f[k + 1] && c.f[k] < c.f[k + 1])) continue;
    let lo = c.u[k];
    let hi = c.u[k + 1];
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (hermite(c, k, mid) < target) lo = mid;
      else hi = mid;
    }
    roots.push(Math.exp((lo + hi) / 2));
  }
  return roots.sort((a, b) => Math.abs(Math.log(a / current)) - Math.abs(Math.log(b / current)))[0];
}

/** Extrapolation is where the curve's end points past the measured range. */
export interface Extrapolation {
  /** up is true when the target lies above the curve's top. */
  up: boolean;
  temperature: number;
  /** slope is the dH/d ln T used; 0 when the end is flat. */
  slope: number;
  /** from and fromEntropy are the end point extrapolated from. */
  from: number;
  fromEntropy: number;
  /** capped is true when the reach bound (half the measured span, at least one spacing), not the slope, set the temperature. */
  capped: boolean;
}

/** extrapolate continues the curve past its end toward target, at most one end spacing in ln T (target outside the fitted range). */
export function extrapolate(c: Curve, target: number): Extrapolation {
  const n = c.u.length;
  const up = target > c.f[n - 1];
  const [e, inner] = up ? [n - 1, n - 2] : [0, 1];
  const spacing = Math.abs(c.u[e] - c.u[inner]);
  const secant = Math.abs(c.f[e] - c.f[inner]) / spacing;
  const slope = Math.max(c.m[e], secant);
  const want = slope > 0 ? Math.abs(target - c.f[e]) / slope : Infinity;
  // The end slope is trusted for half the measured span in ln T (at least one spacing): far
  // enough that a curve measured at T ± 0.2 reaches a target two spans away in three epochs,
  // near enough that a curve bending past its end costs one overshoot at most.
  const reach = Math.max(spacing, (c.u[n - 1] - c.u[0]) / 2);
  const du = Math.min(want, reach);
  return { up, temperature: Math.exp(c.u[e] + (up ? du : -du)), slope, from: c.t[e], fromEntropy: c.f[e], capped: want > reach };
}
