import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bandColor, historySeries, legendRows, loopChartSvg, writeChart, xyChartSvg, type EpochSeries } from "./plot.ts";

// Six epochs over two stages; entropy is not an affine function of temperature or reward, so
// only the entropy line fits the entropy values on one scale. Accuracy is measured every other epoch.
const history = [0.6, 0.7, 0.8, 0.9, 0.85, 0.88].map((t, i) => ({
  stage: i < 3 ? "short" : "long", epoch: (i % 3) + 1, attempt: 1,
  temperature: t, entropy: 0.1 + 0.25 * t * t, reward: 0.3 + 0.05 * i, accuracy: i % 2 === 0 ? 0.2 + 0.04 * i : undefined,
  nextTemperature: t, reason: "",
}));
const target = { targetEntropy: 0.3, tolerance: 0.05 };

/** polylines are the drawn line series: zrender strokes each as one bevel-joined path of M/L points. */
function polylines(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<path d="(M[^"]*)" fill="none"[^>]*stroke-linejoin="bevel"/g)].map((m) =>
    [...m[1].matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((p) => ({ x: Number(p[1]), y: Number(p[2]) })));
}

/** bands are the y-ranges of the shaded polygons filled with the band colour. */
function bands(svg: string): { top: number; bottom: number }[] {
  return [...svg.matchAll(new RegExp(`<polygon points="([^"]*)" fill="${bandColor}"`, "g"))].map((m) => {
    const ys = m[1].trim().split(/\s+/).filter((_, i) => i % 2 === 1).map(Number);
    return { top: Math.min(...ys), bottom: Math.max(...ys) };
  });
}

/** scaleOf is the affine map y = a·v + b that takes values to the points' y, if one does (to within the SVG's 0.1 px rounding). */
function scaleOf(points: { y: number }[], values: number[]): ((v: number) => number) | undefined {
  if (points.length !== values.length) return undefined;
  const last = values.length - 1;
  const a = (points[last].y - points[0].y) / (values[last] - values[0]);
  const map = (v: number) => points[0].y + a * (v - values[0]);
  return points.every((p, i) => Math.abs(p.y - map(values[i])) < 0.5) ? map : undefined;
}

const legendTexts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test("historySeries numbers epochs 1..n in history order across stages and keeps missing figures missing", () => {
  const s = historySeries("demo-rl", history);
  assert.equal(s.label, "demo-rl");
  assert.deepEqual(s.points.map((p) => p.epoch), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.points[1], { epoch: 2, temperature: 0.7, entropy: history[1].entropy, reward: 0.35, accuracy: undefined });
});

test("a six-epoch history draws four lines whose points sit at their epochs on one shared x scale", () => {
  const lines = polylines(loopChartSvg({ title: "demo-rl", series: [historySeries("demo-rl", history)], ...target }));
  const epochs = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 3, 5]];
  assert.deepEqual(lines.map((l) => l.length), epochs.map((e) => e.length));
  const x1 = lines[0][0].x;
  const perEpoch = lines[0][1].x - x1;
  assert.ok(perEpoch > 0);
  lines.forEach((l, li) => l.forEach((p, i) => assert.ok(Math.abs(p.x - (x1 + (epochs[li][i] - 1) * perEpoch)) < 0.5, `line ${li} point ${i} at x ${p.x}`)));
});

test("the entropy line and the shaded band share one scale, the band spanning target minus to plus tolerance", () => {
  const svg = loopChartSvg({ title: "demo-rl", series: [historySeries("demo-rl", history)], ...target });
  const entropies = history.map((e) => e.entropy);
  const fits = polylines(svg).map((l) => scaleOf(l, entropies)).filter((m) => m !== undefined);
  assert.equal(fits.length, 1, "exactly one line is the entropy");
  const [band] = bands(svg);
  assert.ok(Math.abs(band.bottom - fits[0](0.25)) < 0.5, `band bottom ${band.bottom} is at entropy 0.25 (${fits[0](0.25)})`);
  assert.ok(Math.abs(band.top - fits[0](0.35)) < 0.5, `band top ${band.top} is at entropy 0.35 (${fits[0](0.35)})`);
});

test("the band is drawn once however many series, and not at all without a target", () => {
  const two = [historySeries("a", history), historySeries("b", history)];
  assert.equal(bands(loopChartSvg({ title: "arms", series: two, ...target })).length, 1);
  assert.equal(bands(loopChartSvg({ title: "arms", series: two })).length, 0);
});

test("each series gets a line per quantity it measured, named '<label> <quantity>' in the legend", () => {
  const noAccuracy: EpochSeries = { label: "arm-b", points: historySeries("", history).points.map((p) => ({ ...p, accuracy: undefined })) };
  const svg = loopChartSvg({ title: "arms", series: [historySeries("arm-a", history), noAccuracy], ...target });
  assert.equal(polylines(svg).length, 7);
  const legend = legendTexts(svg);
  for (const name of ["arm-a temperature", "arm-a entropy", "arm-a reward", "arm-a accuracy", "arm-b temperature", "arm-b entropy", "arm-b reward"]) {
    assert.ok(legend.includes(name), `legend names ${name}`);
  }
  assert.ok(!legend.includes("arm-b accuracy"));
});

test("a chart with no epochs is refused with an error naming it", () => {
  assert.throws(() => loopChartSvg({ title: "empty-rl", series: [] }), /"empty-rl" has no epochs/);
  assert.throws(() => loopChartSvg({ title: "empty-rl", series: [historySeries("empty-rl", [])] }), /no epochs/);
});

test("the same input renders the same bytes, however many charts came before", () => {
  const opts = { title: "demo-rl", series: [historySeries("demo-rl", history)], ...target };
  assert.equal(loopChartSvg(opts), loopChartSvg(opts));
});

test("writeChart writes the SVG and a PNG of the chart's size beside it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "temper-plot-"));
  const svg = loopChartSvg({ title: "demo-rl", series: [historySeries("demo-rl", history)], ...target, width: 480, height: 360 });
  const out = await writeChart(join(dir, "demo-rl-temperature.svg"), svg);
  assert.deepEqual(out, { svg: join(dir, "demo-rl-temperature.svg"), png: join(dir, "demo-rl-temperature.png") });
  assert.equal(await readFile(out.svg, "utf8"), svg);
  assert.ok(svg.startsWith("<svg"));
  const png = await readFile(out.png);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [480, 360]);
});

test("an x-y chart draws one line per series whose points keep their x order and spacing", () => {
  const svg = xyChartSvg({ title: "scaling", xName: "log2(prompts)", yName: "accuracy", series: [
    { label: "1 response", points: [[7, 0.1], [8, 0.2], [10, 0.25]] },
    { label: "4 responses", points: [[7, 0.3], [8, 0.35], [10, 0.5]] },
  ] });
  const lines = polylines(svg);
  assert.deepEqual(lines.map((l) => l.length), [3, 3]);
  for (const l of lines) {
    const unit = l[1].x - l[0].x;
    assert.ok(unit > 0 && Math.abs(l[2].x - l[0].x - 3 * unit) < 0.5, JSON.stringify(l));
  }
  // Higher accuracy is drawn higher (smaller y in SVG).
  assert.ok(lines[1][0].y < lines[0][0].y);
  assert.match(svg, /4 responses/);
  assert.throws(() => xyChartSvg({ title: "empty", xName: "x", yName: "y", series: [{ label: "a", points: [] }] }), /"empty" has no points/);
});

test("the legend's rows are counted from its labels' widths, so many arms push the panels down instead of under the legend", () => {
  assert.equal(legendRows(["a", "b", "c"], 960), 1);
  // Sixteen labels like an experiment's ("EntropyTarget 0.3 temperature", …) wrap into several rows.
  const labels = ["Fixed 0.95", "EntropyTarget 0.3", "EntropyTarget 0.2", "Fixed 1.45"].flatMap((a) => ["temperature", "entropy", "reward", "accuracy"].map((q) => `${a} ${q}`));
  assert.ok(legendRows(labels, 960) >= 4, String(legendRows(labels, 960)));
  const one = loopChartSvg({ title: "t", series: [{ label: "a", points: [{ epoch: 1, entropy: 0.2 }, { epoch: 2, entropy: 0.3 }] }] });
  const many = loopChartSvg({ title: "t", series: ["Fixed 0.95", "EntropyTarget 0.3", "EntropyTarget 0.2", "Fixed 1.45"].map((label) => ({ label, points: [{ epoch: 1, temperature: 1, entropy: 0.2, reward: 0.3, accuracy: 0.4 }, { epoch: 2, temperature: 1, entropy: 0.3, reward: 0.3, accuracy: 0.4 }] })) });
  const heightOf = (svg: string) => Number(/<svg[^>]*height="(\d+)"/.exec(svg)?.[1]);
  assert.ok(heightOf(many) > heightOf(one), `${heightOf(many)} > ${heightOf(one)}`);
});
