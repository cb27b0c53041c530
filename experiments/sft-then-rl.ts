// experiments/sft-then-rl.ts (`npm run experiment:sft-then-rl`): does a stronger SFT start end
// higher after the same RL, and does the gap narrow? Two SFT checkpoints of the demo's SFTJob,
// the weaker trained for --weak-epochs instead of the demo's epochs (each validation-stopped),
// then the same GRPO budget from each (the demo's last RL stage, EntropyTarget --target, the
// same runs as experiment:temperature's arm, which they share when both ran), over --seeds.
// Writes results/sft-then-rl/sft-then-rl.{json,md,svg,png}.
import { loopChartSvg } from "../bin/plot.ts";
import { pipelineSpecs, rlArmSpec, rlSize, steeredTemperature, type Spec } from "./base.ts";
import { experimentFlags, markdownTable, narrowing, pct, progress, seedMeans, spread, writeResults } from "./results.ts";
import { runJob, testCheckpoint } from "./runs.ts";

const f = experimentFlags(process.argv.slice(2), { "weak-epochs": "2", target: "0.3" });
const started = performance.now();
const base = await pipelineSpecs(f.manifest);
const size = rlSize(f.quick);
const target = Number(f.own.target);
const weakEpochs = Number(f.own["weak-epochs"]);
if (!(weakEpochs >= 1 && weakEpochs < Number(base.sft.epochs))) throw new Error(`--weak-epochs: want 1 to ${Number(base.sft.epochs) - 1} (fewer than the demo SFTJob's epochs), got ${f.own["weak-epochs"]}`);

const starts = [
  { label: `weaker SFT (${weakEpochs} epochs)`, spec: { ...base.sft, epochs: weakEpochs } },
  { label: `stronger SFT (${String(base.sft.epochs)} epochs)`, spec: base.sft },
];
const arms = [];
for (const s of starts) {
  const sft = await runJob("SFTJob", s.spec, { name: `sft ${String(s.spec.epochs)} epochs`, root: f.out, progress });
  const checkpoint = String(sft.epochs[sft.stoppedAt - 1].checkpoint);
  const arm = (seed: number) => rlArmSpec(base.rl, size, checkpoint, steeredTemperature(base.rl, target), seed);
  const runs = [];
  for (const seed of f.seeds) runs.push(await runJob("RLJob", arm(seed), { name: `RL from ${s.label} seed ${seed}`, root: f.out, progress }));
  // The start on the RL arms' own test prompts, measured as they are: what each gain is over.
  const before = await testCheckpoint("RLJob", arm(0), checkpoint, { name: `${s.label} start`, root: f.out, progress });
  const after = spread(runs.map((r) => r.test));
  arms.push({ label: s.label, sft: { validation: sft.validation, stoppedAt: sft.stoppedAt, test: before }, after, gain: spread(runs.map((r) => r.test - before)), runs });
}
const [weak, strong] = arms;
const gapBefore = strong.sft.test - weak.sft.test;
const gapAfter = strong.after.mean - weak.after.mean;
// Per seed, the two arms share the rollout seed: the gap after RL has a spread of its own.
const gapsAfter = spread(strong.runs.map((r, i) => r.test - weak.runs[i].test));
const signed = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;
const markdown = [
  `# SFT then RL: a weaker and a stronger start, the same RL (seeds ${f.seeds.join(", ")}${f.quick ? ", --quick" : ""})`, "",
  `GRPO from each SFT checkpoint: ${size.prompts} prompts of the demo's last RL stage, ${size.epochs} epochs, EntropyTarget ${target}. Test avg@k on the same ${size.test} prompts for the starts and for each RL run at its best validation epoch.`, "",
  markdownTable(["start", "SFT test", "after RL (test)", "RL gain (points)"], arms.map((a) => [a.label, `${(a.sft.test * 100).toFixed(1)}%`, pct(a.after), `${signed(a.gain.mean)} ± ${(a.gain.sd * 100).toFixed(1)}`])),
  "", gapBefore <= 0
    ? `The "stronger" start is not stronger on these test prompts (gap ${signed(gapBefore)} points after SFT), so this run cannot say whether a stronger start ends higher.`
    : `Gap between the starts: ${signed(gapBefore)} points after SFT, ${signed(gapAfter)} ± ${(gapsAfter.sd * 100).toFixed(1)} after RL (per-seed sd). ${narrowing(gapBefore, gapAfter, gapsAfter.sd)} ${gapAfter > gapsAfter.sd ? "The stronger start still ends higher." : "The stronger start does not end measurably higher."}`,
].join("\n");
const written = await writeResults(f.out, "sft-then-rl", {
  json: { experiment: "sft-then-rl", quick: f.quick, seeds: f.seeds, size, target, gapBefore, gapAfter, gapsAfter, arms, minutes: (performance.now() - started) / 60000 },
  markdown,
  svg: loopChartSvg({ title: "GRPO from a weaker and a stronger SFT start (seed means)", series: arms.map((a) => seedMeans(a.label, a.runs)), targetEntropy: target, tolerance: Number((base.rl.temperature as Spec).tolerance ?? 0.05) }),
});
process.stdout.write(`${markdown}\n\n${JSON.stringify(written)}\n`);
