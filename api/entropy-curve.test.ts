import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { entropyAt, extrapolate, fitCurve, invert, isotonic, pchipSlopes } from "./entropy-curve.ts";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("isotonic regression leaves a nondecreasing sequence alone", () => {
  assert.deepEqual(isotonic([0.1, 0.2, 0.2, 0.5], [1, 1, 1, 1]), [0.1, 0.2, 0.2, 0.5]);
});

test("isotonic regression pools adjacent violators into their weighted mean", () => {
  assert.deepEqual(isotonic([0.1, 0.4, 0.2, 0.5], [1, 1, 1, 1]).map((x) => Math.round(x * 1e9) / 1e9), [0.1, 0.3, 0.3, 0.5]);
  assert.deepEqual(isotonic([0.4, 0.2], [1, 3]), [0.25, 0.25]);
});

test("the point at the sampled temperature carries the fit: a neighbour that contradicts it moves, it does not", () => {
  const c = fitCurve([{ temperature: 0.5, entropy: 0.35 }, { temperature: 0.7, entropy: 0.4 }], 0.6, 0.2);
  assert.ok(c !== undefined);
  close(c.f[1], 0.2, 1e-5);
  close(c.f[0], 0.2, 1e-5);
});

test("a reported point at the sampled temperature is replaced by the measured entropy", () => {
  const c = fitCurve([{ temperature: 0.6, entropy: 0.9 }, { temperature: 0.7, entropy: 0.4 }], 0.6, 0.2);
  assert.deepEqual(c?.t, [0.6, 0.7]);
  assert.deepEqual(c?.f, [0.2, 0.4]);
});

test("no curve is made from one temperature or from unusable points", () => {
  assert.equal(fitCurve([], 0.6, 0.2), undefined);
  assert.equal(fitCurve([{ temperature: 0.60001, entropy: 0.2 }], 0.6, 0.2), undefined);
  assert.equal(fitCurve([{ temperature: Number.NaN, entropy: 0.2 }, { temperature: 0.7, entropy: Number.POSITIVE_INFINITY }], 0.6, 0.2), undefined);
});

test("extrapolates past the top along the end slope, at most half the measured span in ln T", () => {
  // Linear in ln T with slope 0.5: exact below the cap, capped above it (span ln 2, so 0.8·√2).
  const c = fitCurve([0.4, 0.5, 0.7, 0.8].map((t) => ({ temperature: t, entropy: 0.5 * Math.log(t) + 1 })), 0.6, 0.5 * Math.log(0.6) + 1);
  assert.ok(c !== undefined);
  const near = extrapolate(c, 0.5 * Math.log(0.85) + 1);
  close(near.temperature, 0.85, 1e-9);
  assert.equal(near.capped, false);
  const far = extrapolate(c, 5);
  close(far.temperature, 0.8 * Math.SQRT2, 1e-9);
  assert.equal(far.capped, true);
  const below = extrapolate(c, 0.5 * Math.log(0.38) + 1);
  close(below.temperature, 0.38, 1e-9);
});

/** monotone draws 2–7 increasing temperatures with noisy entropies around a rising trend. */
const monotone = fc.tuple(fc.array(fc.double({ min: 0.01, max: 0.3, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.array(fc.double({ min: -0.1, max: 0.3, noNaN: true }), { minLength: 7, maxLength: 7 }), fc.double({ min: 0.1, max: 1, noNaN: true }))
  .map(([gaps, rises, t0]) => {
    const t = gaps.reduce((acc, g) => [...acc, (acc.at(-1) ?? t0) + g], [t0]);
    let h = 0.05;
    return t.map((temperature, i) => ({ temperature, entropy: Math.max(0, (h += rises[i])) }));
  });

test("the fitted curve is nondecreasing between points and passes through its fitted values", () => {
  fc.assert(fc.property(monotone, (points) => {
    const c = fitCurve(points.slice(1), points[0].temperature, points[0].entropy);
    if (c === undefined) return;
    c.t.forEach((t, i) => close(entropyAt(c, t) ?? NaN, c.f[i], 1e-9));
    let last = -Infinity;
    for (let x = c.t[0]; x <= (c.t.at(-1) ?? 0); x += ((c.t.at(-1) ?? 0) - c.t[0]) / 200) {
      const y = entropyAt(c, x) ?? NaN;
      assert.ok(y >= last - 1e-12, `H falls to ${y} at T ${x} after ${last}`);
      last = y;
    }
  }), { numRuns: 500 });
});

test("inverting the fitted curve returns a temperature where it takes the target", () => {
  fc.assert(fc.property(monotone, fc.double({ min: 0, max: 1, noNaN: true }), (points, q) => {
    const c = fitCurve(points.slice(1), points[0].temperature, points[0].entropy);
    if (c === undefined || !((c.f.at(-1) ?? 0) > c.f[0])) return;
    const target = c.f[0] + q * ((c.f.at(-1) ?? 0) - c.f[0]);
    const T = invert(c, target, points[0].temperature);
    assert.ok(T !== undefined);
    close(entropyAt(c, T) ?? NaN, target, 1e-9);
  }), { numRuns: 500 });
});

test("Fritsch–Carlson slopes are zero at a local flat and never negative on nondecreasing data", () => {
  assert.deepEqual(pchipSlopes([0, 1, 2], [0, 1, 1]).map((m) => m >= 0), [true, true, true]);
  assert.equal(pchipSlopes([0, 1, 2], [0, 1, 1])[1], 0);
});
