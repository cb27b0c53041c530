// results: what every experiment writes and how it summarises seeds. One folder per experiment
// under the results directory, holding NAME.json (every run, for re-analysis), NAME.md (the
// table to read and to paste into trainer/README.md) and NAME.svg/.png (bin/plot.ts).
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { writeChart, type EpochPoint, type EpochSeries } from "../bin/plot.ts";

/** Spread is a figure over seeds: mean, sample standard deviation, range and count. */
export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** spread summarises seeds; the standard deviation is the sample one (n − 1), 0 for one seed. Throws on no values. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error("spread: no values (did every seed fail?)");
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean: round4(mean), sd: round4(sd), min: round4(Math.min(...xs)), max: round4(Math.max(...xs)), n: xs.length };
}

/** pct writes a spread of accuracies as "61.5% ± 3.2 (n 3)". */
export function pct(s: Spread): string {
  return `${(s.mean * 100).toFixed(1)}% ± ${(s.sd * 100).toFixed(1)} (n ${s.n})`;
}

/** markdownTable renders rows under a header; cells are written as given, pipes escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (c: string | number) => String(c).replaceAll("|", "\\|");
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map((r) => {
    if (r.length !== header.length) throw new Error(`markdownTable: a row has ${r.length} cells for ${header.length} columns`);
    return line(r);
  })].join("\n");
}

/** ExperimentFlags are the flags every experiment takes. */
export interface ExperimentFlags {
  quick: boolean;
  seeds: number[];
  out: string;
  /** manifest is the pipeline the experiment's jobs start from (examples/pipeline.yaml). */
  manifest: string;
}

/**
 * experimentFlags parses --quick, --seeds (comma list; default 1,2,3, at least one), --out
 * (default results/) and --manifest (default examples/pipeline.yaml), plus the experiment's own string flags, whose defaults it returns beside.
 */
export function experimentFlags<K extends string>(argv: string[], own: Record<K, string> = {} as Record<K, string>): ExperimentFlags & { own: Record<K, string> } {
  const options = Object.fromEntries(Object.entries(own).map(([k, v]) => [k, { type: "string" as const, default: v as string }]));
  const { values } = parseArgs({ args: argv, options: {
    quick: { type: "boolean", default: false }, seeds: { type: "string", default: "1,2,3" }, out: { type: "string", default: "results" },
    manifest: { type: "string", default: "examples/pipeline.yaml" }, ...options,
  } });
  const parts = String(values.seeds).split(",").map((s) => s.trim());
  const seeds = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || new Set(seeds).size !== seeds.length) throw new Error(`--seeds: want a comma list of distinct non-negative integers, got "${String(values.seeds)}"`);
  const all = values as Record<string, unknown>;
  const ownValues = Object.fromEntries(Object.keys(own).map((k) => [k, String(all[k])])) as Record<K, string>;
  return { quick: Boolean(values.quick), seeds, out: String(values.out), manifest: String(values.manifest), own: ownValues };
}

/** Written is where an experiment's files went. */
export interface Written {
  json: string;
  markdown: string;
  svg: string;
  png: string;
}

/** writeResults writes NAME.json, NAME.md and the chart under out/NAME and returns their paths. */
export async function writeResults(out: string, name: string, r: { json: unknown; markdown: string; svg: string }): Promise<Written> {
  const dir = join(out, name);
  await mkdir(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const markdown = join(dir, `${name}.md`);
  await writeFile(json, `${JSON.stringify(r.json, null, 2)}\n`);
  await writeFile(markdown, `${r.markdown.trimEnd()}\n`);
  const chart = await writeChart(join(dir, name), r.svg);
  return { json, markdown, svg: relative(process.cwd(), chart.svg), png: relative(process.cwd(), chart.png) };
}

type Figure = "temperature" | "entropy" | "reward" | "accuracy";
const figures: readonly Figure[] = ["temperature", "entropy", "reward", "accuracy"];

/** seedMeans is one arm as a chart series: per epoch, the mean over its seeds' runs of each figure they measured. */
export function seedMeans(label: string, runs: readonly { epochs: readonly Partial<Record<Figure, number>>[] }[]): EpochSeries {
  const n = Math.max(0, ...runs.map((r) => r.epochs.length));
  return {
    label,
    points: Array.from({ length: n }, (_, i) => {
      const p: EpochPoint = { epoch: i + 1 };
      for (const k of figures) {
        const xs = runs.map((r) => r.epochs[i]?.[k]).filter((x): x is number => x !== undefined && Number.isFinite(x));
        if (xs.length > 0) p[k] = spread(xs).mean;
      }
      return p;
    }),
  };
}

/** narrowing says whether the gap narrowed by more than its per-seed spread: with three seeds, less is not a finding. */
export function narrowing(before: number, after: number, sd: number): string {
  const change = Math.abs(before) - Math.abs(after);
  if (Math.abs(change) <= sd) return `The gap moved by ${(change * 100).toFixed(1)} points, within its spread: no measurable narrowing or widening.`;
  return change > 0 ? `The gap narrowed by ${(change * 100).toFixed(1)} points.` : `The gap widened by ${(-change * 100).toFixed(1)} points.`;
}

/** progress writes one timestamped line to stderr: an experiment's running account, kept off stdout, which carries its results. */
export function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}
