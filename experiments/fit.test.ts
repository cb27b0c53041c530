import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fitScaling } from "./fit.ts";

test("the fit recovers a, b and c exactly from a noiseless grid", () => {
  fc.assert(fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), (a, b, c) => {
    const points = [64, 128, 256].flatMap((p) => [1, 2, 4].map((r) => ({ prompts: p, responses: r, accuracy: a * Math.log2(p) + b * Math.log2(r) + c })));
    const f = fitScaling(points);
    assert.ok(Math.abs(f.a - a) < 1e-6 && Math.abs(f.b - b) < 1e-6 && Math.abs(f.c - c) < 1e-6, JSON.stringify({ f, a, b, c }));
    assert.ok(f.r2 > 1 - 1e-9 || Math.abs(a) + Math.abs(b) < 1e-9);
  }));
});

test("noise lowers R² below 1 and the fit still minimises the squared error", () => {
  const points = [
    { prompts: 100, responses: 1, accuracy: 0.1 }, { prompts: 100, responses: 4, accuracy: 0.3 },
    { prompts: 400, responses: 1, accuracy: 0.35 }, { prompts: 400, responses: 4, accuracy: 0.45 },
  ];
  const f = fitScaling(points);
  assert.ok(f.r2 > 0 && f.r2 < 1, String(f.r2));
  assert.equal(f.residualDof, 1);
  assert.ok(f.adjustedR2 !== undefined && Math.abs(f.adjustedR2 - (1 - (1 - f.r2) * 3)) < 1e-12);
  const sse = (a: number, b: number, c: number) => points.reduce((s, p) => s + (p.accuracy - (a * Math.log2(p.prompts) + b * Math.log2(p.responses) + c)) ** 2, 0);
  const best = sse(f.a, f.b, f.c);
  for (const [da, db, dc] of [[0.01, 0, 0], [0, 0.01, 0], [0, 0, 0.01], [-0.01, 0, 0], [0, -0.01, 0], [0, 0, -0.01]]) assert.ok(sse(f.a + da, f.b + db, f.c + dc) > best);
});

test("a grid that varies only the prompts cannot separate the two slopes and says so", () => {
  const points = [64, 128, 256].map((p) => ({ prompts: p, responses: 4, accuracy: 0.1 * Math.log2(p) }));
  assert.throws(() => fitScaling(points), /cannot separate prompts from responses; vary each/);
});

test("a zero count is refused rather than fitted as minus infinity", () => {
  assert.throws(() => fitScaling([{ prompts: 0, responses: 1, accuracy: 0.1 }, { prompts: 2, responses: 2, accuracy: 0.2 }, { prompts: 4, responses: 1, accuracy: 0.3 }]), /must be positive/);
});
