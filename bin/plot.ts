// plot: the temperature loop as a picture. It turns an RLJob's status.temperature.history, or
// any experiment's per-epoch figures, into a chart of temperature, entropy against its target
// band, reward and accuracy per epoch, rendered by ECharts to SVG on the server (no DOM) and by
// resvg to PNG. loopChartSvg is pure and deterministic (no animation, fixed size); writeChart is
// the only part that touches the file system. It is not an interactive dashboard.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { HistoryEntry } from "../api/rljob.ts";

/** EpochPoint is one epoch's figures; any of them may be missing (accuracy is not measured every epoch). */
export interface EpochPoint {
  /** epoch is the x coordinate: a global epoch index, 1..n across stages. */
  epoch: number;
  temperature?: number;
  entropy?: number;
  reward?: number;
  accuracy?: number;
}

/** EpochSeries is one run's figures, e.g. one RLJob, or one arm or seed of an experiment. */
export interface EpochSeries {
  label: string;
  points: EpochPoint[];
}

/** LoopChartOptions says what loopChartSvg draws; targetEntropy and tolerance draw the band the loop steers into. */
export interface LoopChartOptions {
  title: string;
  series: EpochSeries[];
  targetEntropy?: number;
  tolerance?: number;
  width?: number;
  height?: number;
}

const fontFamily = "Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif";
type Quantity = "temperature" | "entropy" | "reward" | "accuracy";

/** bandColor fills the entropy target band; tests find the band by it. */
export const bandColor = "#2ea043";
// ECharts' default palette, assigned per series so one run keeps its colour in all three panels.
const palette = ["#5470c6", "#ee6666", "#91cc75", "#fac858", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];
// Each quantity has its own panel (grid); reward and accuracy share the last, told apart by dashes.
const panels: { quantity: Quantity; grid: number; dashed?: boolean }[] = [
  { quantity: "temperature", grid: 0 },
  { quantity: "entropy", grid: 1 },
  { quantity: "reward", grid: 2 },
  { quantity: "accuracy", grid: 2, dashed: true },
];

/** historySeries turns an RLJob's status.temperature.history into a series, numbering epochs 1..n in history order across stages. */
export function historySeries(label: string, history: readonly Pick<HistoryEntry, "temperature" | "entropy" | "reward" | "accuracy">[]): EpochSeries {
  return {
    label,
    points: history.map((e, i) => ({ epoch: i + 1, temperature: e.temperature, entropy: e.entropy, reward: e.reward, accuracy: e.accuracy })),
  };
}

/** niceExtent pads [min, max] out to a round step so the axis starts and ends on a tick; [0, 1] when there is nothing to show. */
function niceExtent(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const pad = (Math.max(...values) - Math.min(...values)) * 0.05;
  const lo = Math.min(...values) - pad;
  const hi = Math.max(...values) + pad;
  const span = hi - lo || Math.abs(hi) || 1;
  const step = 10 ** Math.floor(Math.log10(span));
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  return max > min ? [min, max] : [min - step, max + step];
}

/** fractionExtent is [0, 1] for rewards and accuracies, widened only if a reward leaves it. */
function fractionExtent(values: number[]): [number, number] {
  return values.every((v) => v >= 0 && v <= 1) ? [0, 1] : niceExtent([0, 1, ...values]);
}

const valuesOf = (series: EpochSeries[], q: Quantity) => series.flatMap((s) => s.points.flatMap((p) => (p[q] === undefined ? [] : [p[q]])));

/** bandMarks shade [lo, hi] on the entropy panel and draw the target through its middle. */
function bandMarks([lo, hi]: [number, number]) {
  return {
    markArea: { silent: true, itemStyle: { color: bandColor, opacity: 0.15 }, data: [[{ yAxis: lo }, { yAxis: hi }]] },
    markLine: { silent: true, symbol: "none", label: { formatter: "target", position: "insideEndTop" as const }, lineStyle: { color: bandColor, type: "solid" as const }, data: [{ yAxis: (lo + hi) / 2 }] },
  };
}

/** lines is one line series per input series and quantity it has; a quantity a series never measured gets no line. */
function lines(opts: LoopChartOptions, band: [number, number] | undefined) {
  // The band is drawn once, on the first series with entropy, so arms do not stack it.
  const bandOn = band === undefined ? -1 : opts.series.findIndex((s) => s.points.some((p) => p.entropy !== undefined));
  return opts.series.flatMap((s, si) => panels.flatMap(({ quantity, grid, dashed }) => {
    const data = s.points.flatMap((p) => (p[quantity] === undefined ? [] : [[p.epoch, p[quantity]]]));
    if (data.length === 0) return [];
    return [{
      name: `${s.label} ${quantity}`, type: "line" as const, xAxisIndex: grid, yAxisIndex: grid, data, symbolSize: 5,
      color: palette[si % palette.length], lineStyle: { width: 2, type: dashed ? ("dashed" as const) : ("solid" as const) },
      ...(quantity === "entropy" && si === bandOn && band !== undefined ? bandMarks(band) : {}),
    }];
  }));
}

// ECharts puts itemGap between legend rows as well as between items: a row is the icon's 14 px plus the gap.
const legendGap = 40;
const legendRowHeight = 14 + legendGap;

/**
 * legendRows estimates how many rows the centred legend wraps into: items packed greedily, each
 * as wide as its icon, its label (about 7 px a character, wider than ECharts' own estimate, as
 * the PNG's fonts run wide) and the gap.
 */
export function legendRows(labels: readonly string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const label of labels) {
    const w = 30 + 7 * label.length + legendGap;
    if (used > 0 && used + w > width - 40) {
      rows++;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/** loopChartOption builds the ECharts option behind loopChartSvg. */
function loopChartOption(opts: LoopChartOptions, width: number, height: number): echarts.EChartsCoreOption {
  const target = opts.targetEntropy;
  const band: [number, number] | undefined = target === undefined ? undefined : [target - (opts.tolerance ?? 0), target + (opts.tolerance ?? 0)];
  const series = lines(opts, band);
  const epochs = opts.series.flatMap((s) => s.points.map((p) => p.epoch));
  const [first, last] = [Math.min(...epochs), Math.max(...epochs)];
  // The legend wraps; reserve room for its rows above the first panel. The gap is wide because
  // the PNG renderer's fonts run wider than the widths ECharts estimates for its text.
  const top = 48 + legendRowHeight * legendRows(series.map((x) => x.name), width);
  const panelHeight = (height - top - 40 - 2 * 50) / 3;
  const ranges = [
    niceExtent(valuesOf(opts.series, "temperature")),
    niceExtent([...valuesOf(opts.series, "entropy"), ...(band ?? [])]),
    fractionExtent([...valuesOf(opts.series, "reward"), ...valuesOf(opts.series, "accuracy")]),
  ];
  const names = ["temperature", "entropy (nats)", "reward, accuracy"];
  return {
    animation: false,
    backgroundColor: "#ffffff",
    // resvg maps a bare "sans-serif" to Arial and, where Arial is missing, to whatever face it has
    // (often a serif); so name the common sans faces first, unquoted (resvg 2.6 skipped a quoted
    // name that followed unquoted ones).
    textStyle: { fontFamily },
    title: { text: opts.title, left: "center", top: 8, textStyle: { fontSize: 15 } },
    legend: { top: 34, left: "center", itemGap: legendGap, data: series.map((s) => s.name) },
    grid: ranges.map((_, i) => ({ left: 70, right: 30, top: top + i * (panelHeight + 50), height: panelHeight })),
    xAxis: ranges.map((_, i) => ({
      type: "value", gridIndex: i, min: first, max: Math.max(last, first + 1), minInterval: 1,
      name: i === 2 ? "epoch" : "", nameLocation: "middle", nameGap: 26,
    })),
    yAxis: ranges.map(([min, max], i) => ({
      type: "value", gridIndex: i, min, max, name: names[i], nameLocation: "middle", nameGap: 48,
      axisLabel: { formatter: (v: number) => String(Number(v.toFixed(3))) },
    })),
    series,
  };
}

/**
 * stableIds renumbers what zrender counts process-wide (its instance id and CSS class numbers) in
 * order of appearance, so a chart's bytes do not depend on how many were rendered before it.
 */
function stableIds(svg: string): string {
  const classes = new Map<string, number>();
  const classId = (c: string) => classes.get(c) ?? classes.set(c, classes.size).size - 1;
  return svg.replace(/\bzr\d+-(?:cls-(\d+))?/g, (_, c?: string) => (c === undefined ? "zr0-" : `zr0-cls-${classId(c)}`));
}

/**
 * loopChartSvg renders the chart as an SVG document: temperature, entropy (with the band
 * [targetEntropy − tolerance, targetEntropy + tolerance] shaded and the target drawn as a line)
 * and reward and accuracy (0..1) per epoch, one line per series and quantity, in the legend as
 * "<label> <quantity>". The same input gives the same bytes. Throws when no series has an epoch.
 */
export function loopChartSvg(opts: LoopChartOptions): string {
  if (opts.series.every((s) => s.points.length === 0)) throw new Error(`loopChartSvg: "${opts.title}" has no epochs to plot`);
  const width = opts.width ?? 960;
  // The panels keep their height however many rows the legend above them takes.
  const labels = opts.series.flatMap((x) => panels.filter((q) => x.points.some((p) => p[q.quantity] !== undefined)).map((q) => `${x.label} ${q.quantity}`));
  const height = opts.height ?? 650 + legendRowHeight * legendRows(labels, width);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(loopChartOption(opts, width, height));
    return stableIds(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** XySeries is one labelled line of (x, y) points, e.g. accuracy against log2(prompts) for one number of responses. */
export interface XySeries {
  label: string;
  points: [number, number][];
}

/** xyChartSvg renders one panel of labelled lines, y against x, for an experiment's figures that are not per epoch. Throws when there is nothing to plot. */
export function xyChartSvg(opts: { title: string; xName: string; yName: string; series: XySeries[]; width?: number; height?: number }): string {
  const all = opts.series.flatMap((s) => s.points);
  if (all.length === 0) throw new Error(`xyChartSvg: "${opts.title}" has no points to plot`);
  const width = opts.width ?? 800;
  const height = opts.height ?? 480;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({
      animation: false, backgroundColor: "#ffffff", textStyle: { fontFamily },
      title: { text: opts.title, left: "center", top: 8, textStyle: { fontSize: 15 } },
      legend: { top: 34, left: "center", itemGap: legendGap, data: opts.series.map((s) => s.label) },
      grid: { left: 70, right: 30, top: 48 + legendRowHeight * legendRows(opts.series.map((x) => x.label), width), bottom: 56 },
      xAxis: { type: "value", min: niceExtent(all.map((p) => p[0]))[0], max: niceExtent(all.map((p) => p[0]))[1], name: opts.xName, nameLocation: "middle", nameGap: 30 },
      yAxis: { type: "value", min: niceExtent(all.map((p) => p[1]))[0], max: niceExtent(all.map((p) => p[1]))[1], name: opts.yName, nameLocation: "middle", nameGap: 48,
        axisLabel: { formatter: (v: number) => String(Number(v.toFixed(3))) } },
      series: opts.series.map((s, i) => ({ name: s.label, type: "line", data: s.points, symbolSize: 6, color: palette[i % palette.length], lineStyle: { width: 2 } })),
    });
    return stableIds(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** writeChart writes svg to path.svg and its rendering to path.png (path may end in .svg) and returns both absolute paths. */
export async function writeChart(path: string, svg: string): Promise<{ svg: string; png: string }> {
  const base = resolve(path.replace(/\.svg$/, ""));
  const out = { svg: `${base}.svg`, png: `${base}.png` };
  // System fonts draw the labels; on a machine without any, resvg leaves the text out and the lines stay.
  const png = new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
  await writeFile(out.svg, svg);
  await writeFile(out.png, png);
  return out;
}
