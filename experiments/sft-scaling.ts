// experiments/sft-scaling.ts (`npm run experiment:sft-scaling`): the paper's SFT scaling
// finding in miniature. The demo's SFTJob over a grid of training prompts × teacher responses
// per prompt, every cell at a comparable budget: the same number of training examples seen
// (--budget, as epochs = budget / (prompts × responses), at least 1), so a larger dataset is
// repeated less, not trained longer. Each cell over --seeds (the seed sets initialisation, data
// order and which traces are drawn), validation-stopped, tested on the same test prompts. Fits
// accuracy ≈ a·log2(prompts) + b·log2(responses) + c on the seed means (experiments/fit.ts).
// Writes results/sft-scaling/sft-scaling.{json,md,svg,png}.
import { xyChartSvg } from "../bin/plot.ts";
import { pipelineSpecs, type Spec } from "./base.ts";
import { fitScaling } from "./fit.ts";
import { experimentFlags, markdownTable, pct, progress, spread, writeResults, type Spread } from "./results.ts";
import { runJob, type RunResult } from "./runs.ts";

const f = experimentFlags(process.argv.slice(2), { prompts: "", responses: "", budget: "" });
const started = performance.now();
const base = await pipelineSpecs(f.manifest);
const list = (s: string, d: string) => (s === "" ? d : s).split(",").map(Number);
const promptsGrid = list(f.own.prompts, f.quick ? "150,600" : "150,300,600");
const responsesGrid = list(f.own.responses, f.quick ? "1,4" : "1,2,4");
// The budget is what the largest cell sees in 2 epochs (quick) or 3.
const budget = f.own.budget === "" ? Math.max(...promptsGrid) * Math.max(...responsesGrid) * (f.quick ? 2 : 3) : Number(f.own.budget);
const data = base.sft.data as Spec;

interface Cell {
  prompts: number;
  responses: number;
  epochs: number;
  examplesSeen: number;
  test: Spread;
  validation: Spread;
  runs: RunResult[];
}
const cells: Cell[] = [];
for (const prompts of promptsGrid) {
  for (const responses of responsesGrid) {
    // About four validation points per run, the last at the last epoch, however many epochs the budget makes.
    const every = Math.max(1, Math.round(budget / (prompts * responses) / 4));
    const epochs = Math.max(1, Math.round(budget / (prompts * responses) / every)) * every;
    const runs = [];
    for (const seed of f.seeds) {
      const spec = { ...base.sft, seed, epochs, evaluation: { ...(base.sft.evaluation as Spec | undefined), everyEpochs: every }, data: { ...data, prompts, responsesPerPrompt: responses } };
      runs.push(await runJob("SFTJob", spec, { name: `sft ${prompts}x${responses} seed ${seed}`, root: f.out, progress }));
    }
    cells.push({ prompts, responses, epochs, examplesSeen: epochs * prompts * responses, test: spread(runs.map((r) => r.test)), validation: spread(runs.map((r) => r.validation)), runs });
  }
}
const fit = fitScaling(cells.map((c) => ({ prompts: c.prompts, responses: c.responses, accuracy: c.test.mean * 100 })));
const round3 = (x: number) => Number(x.toFixed(3));
const markdown = [
  `# SFT scaling: prompts × responses per prompt (seeds ${f.seeds.join(", ")}${f.quick ? ", --quick" : ""})`, "",
  `The demo's SFTJob (levels ${String(data.levels)}), each cell seeing about ${budget} training examples; test avg@k on ${String(data.testPrompts)} prompts at each run's best validation epoch.`, "",
  markdownTable(["prompts", "responses per prompt", "epochs", "test accuracy", "validation at stop"], cells.map((c) => [c.prompts, c.responses, c.epochs, pct(c.test), pct(c.validation)])), "",
  `Fit on the seed means, accuracy (points) ≈ a·log2(prompts) + b·log2(responses) + c: a = ${round3(fit.a)}, b = ${round3(fit.b)}, c = ${round3(fit.c)}, R² = ${round3(fit.r2)} (adjusted ${fit.adjustedR2 === undefined ? "–" : round3(fit.adjustedR2)}) over ${fit.points} cells, ${fit.residualDof} residual degree(s) of freedom${fit.residualDof < 3 ? ", too few for R² to mean much" : ""} (the paper: a = 4.831, b = 2.635, R² 0.989).`,
  "", "Each cell learns its own BPE tokenizer from its own training text, as an SFTJob does; the budget is the examples a cell may see, and validation may stop it earlier.",
].join("\n");
const svg = xyChartSvg({
  title: "SFT test accuracy (seed means) against training prompts", xName: "log2(training prompts)", yName: "test accuracy",
  series: responsesGrid.map((r) => ({ label: `${r} responses per prompt`, points: cells.filter((c) => c.responses === r).map((c): [number, number] => [Math.log2(c.prompts), c.test.mean]) })),
});
const written = await writeResults(f.out, "sft-scaling", {
  json: { experiment: "sft-scaling", quick: f.quick, seeds: f.seeds, budget, fit: { ...fit, accuracyUnit: "points" }, cells, minutes: (performance.now() - started) / 60000 },
  markdown, svg,
});
process.stdout.write(`${markdown}\n\n${JSON.stringify(written)}\n`);
