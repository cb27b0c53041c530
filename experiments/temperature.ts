// experiments/temperature.ts (`npm run experiment:temperature`): the paper's temperature
// finding in miniature. From one SFT checkpoint (the demo's SFTJob, validation-stopped), GRPO on
// the demo's last RL stage with the temperature held Fixed low, Fixed high, and steered by
// EntropyTarget to each --targets value; every arm over --seeds. The Fixed temperatures bracket
// the one the first target settles at (its seed-mean temperature after the first epoch, ∓
// --bracket), unless --low and --high are given. Each run stops at its best validation epoch
// and reports the test split there. Writes results/temperature/temperature.{json,md,svg,png}.
// --quick: fewer prompts and epochs, the same arms and seeds.
import { loopChartSvg } from "../bin/plot.ts";
import { pipelineSpecs, rlArmSpec, rlSize, steeredTemperature, type Spec } from "./base.ts";
import { experimentFlags, markdownTable, pct, progress, seedMeans, spread, writeResults } from "./results.ts";
import { runJob, testCheckpoint, type RunResult } from "./runs.ts";

const f = experimentFlags(process.argv.slice(2), { targets: "0.3", low: "", high: "", bracket: "0.25" });
const started = performance.now();
const base = await pipelineSpecs(f.manifest);
const size = rlSize(f.quick);

// 1. One SFT checkpoint: the demo's SFTJob as it is, stopped on validation.
const sft = await runJob("SFTJob", base.sft, { name: "sft", root: f.out, progress });
const sftCheckpoint = String(sft.epochs[sft.stoppedAt - 1].checkpoint);

interface Arm {
  label: string;
  runs: RunResult[];
}

async function runArm(label: string, temperature: Spec): Promise<Arm> {
  const runs: RunResult[] = [];
  for (const seed of f.seeds) runs.push(await runJob("RLJob", rlArmSpec(base.rl, size, sftCheckpoint, temperature, seed), { name: `${label} seed ${seed}`, root: f.out, progress }));
  return { label, runs };
}

const round2 = (x: number) => Math.round(x * 20) / 20;
const targets = f.own.targets.split(",").map(Number);
const tolerance = Number((base.rl.temperature as Spec).tolerance ?? 0.05);
const steered: Arm[] = [];
for (const target of targets) steered.push(await runArm(`EntropyTarget ${target}`, steeredTemperature(base.rl, target)));
// 2. The Fixed arms bracket where the first target's loop settled.
const settled = spread(steered[0].runs.flatMap((r) => r.epochs.slice(1).map((e) => e.temperature ?? NaN)).filter(Number.isFinite)).mean;
const bracket = Number(f.own.bracket);
const low = f.own.low === "" ? Math.max(0.3, round2(settled - bracket)) : Number(f.own.low);
const high = f.own.high === "" ? round2(settled + bracket) : Number(f.own.high);
if (!(low < settled && settled < high)) throw new Error(`the Fixed arms must bracket the steered temperature: low ${low} < ${settled.toFixed(3)} < high ${high}; set --low and --high`);
const fixed = [await runArm(`Fixed ${low}`, { policy: "Fixed", initial: low }), await runArm(`Fixed ${high}`, { policy: "Fixed", initial: high })];
const arms = [fixed[0], ...steered, fixed[1]];
// The start, on the arms' own test prompts and measured as they are: the baseline of every gain.
const startTest = await testCheckpoint("RLJob", rlArmSpec(base.rl, size, sftCheckpoint, steeredTemperature(base.rl, targets[0]), 0), sftCheckpoint, { name: "sft start", root: f.out, progress });

// 3. Per arm: the entropy trajectory (seed means per epoch) and the test accuracy at the validation stop.
const series = arms.map((a) => seedMeans(a.label, a.runs));
const summary = arms.map((a, i) => ({
  arm: a.label,
  temperature: series[i].points.map((p) => p.temperature),
  entropy: series[i].points.map((p) => p.entropy),
  stoppedAt: a.runs.map((r) => r.stoppedAt),
  validation: spread(a.runs.map((r) => r.validation)),
  test: spread(a.runs.map((r) => r.test)),
}));
const fmt = (xs: (number | undefined)[]) => xs.map((x) => (x === undefined ? "–" : x.toFixed(2))).join(" → ");
const markdown = [
  `# Temperature: Fixed low and high T against EntropyTarget (seeds ${f.seeds.join(", ")}${f.quick ? ", --quick" : ""})`, "",
  `From one SFT checkpoint (validation-stopped at epoch ${sft.stoppedAt}; ${(startTest * 100).toFixed(1)}% on the arms' ${size.test} test prompts, measured as they are), GRPO on ${size.prompts} prompts of the demo's last RL stage for ${size.epochs} epochs.`,
  `Fixed temperatures bracket where EntropyTarget ${targets[0]} settled (mean T ${settled.toFixed(2)} after epoch 1). Entropy and temperature are seed means per epoch; accuracy is avg@k on ${size.test} test prompts at each run's best validation epoch.`, "",
  markdownTable(["arm", "temperature per epoch", "entropy per epoch", "test accuracy", "gain over the start (points)", "validation at stop"],
    summary.map((s) => [s.arm, fmt(s.temperature), fmt(s.entropy), pct(s.test), ((s.test.mean - startTest) * 100).toFixed(1), pct(s.validation)])),
  "", `Best on validation (seed mean at the stop): ${summary.reduce((a, b) => (b.validation.mean > a.validation.mean ? b : a)).arm}. That choice uses validation only; the test column is for reporting.`,
  "", "Validation accuracy is measured during training (at most the stage's maxResponseLength tokens); test accuracy by the trainer's eval command on the chosen checkpoint (up to the context length), so the two columns are not on one scale.",
].join("\n");
const written = await writeResults(f.out, "temperature", {
  json: { experiment: "temperature", quick: f.quick, seeds: f.seeds, size, sft: { test: sft.test, validation: sft.validation, stoppedAt: sft.stoppedAt, testOnArmPrompts: startTest }, settled, low, high, summary, arms, minutes: (performance.now() - started) / 60000 },
  markdown,
  svg: loopChartSvg({ title: "GRPO temperature arms (seed means)", series, targetEntropy: targets[0], tolerance }),
});
process.stdout.write(`${markdown}\n\n${JSON.stringify(written)}\n`);
