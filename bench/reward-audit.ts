// bench/reward-audit.ts: did a checkpoint's accuracy come from the hole in the old math reward
// (`npm run bench:reward-audit -- --checkpoint DIR [--checkpoint DIR ...]`)? For each checkpoint
// it samples held-out level-1 and level-2 prompts exactly as evaluation does (avgAtK: k samples
// per prompt at T 0.6, top-p 0.95 by default) and reports, per level: the share of boxed answers
// with an arithmetic operator between operands, avg@k under the reward as it was at 029650a
// (which evaluated any arithmetic in the box) and under today's reward (a number only). Flags:
// --prompts (per level) --seed (data) --eval-seed --k --temperature --top-p --levels
// --max-new (per level) --split (the held-out split to draw from, as the suite names it)
// --dump FILE (every sample as JSON lines). Prints one JSON object.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { OptimConfigSchema } from "../trainer/adamw.ts";
import { CpuBackend } from "../trainer/backend.ts";
import { loadCheckpoint } from "../trainer/checkpoint.ts";
import { trainerDefaults as defaults } from "../trainer/defaults.ts";
import { avgAtK, type ScoreItem } from "../trainer/eval.ts";
import { initParams } from "../trainer/model.ts";
import { extractBoxed, mathReward } from "../trainer/rewards/math.ts";
import { Rng } from "../trainer/rng.ts";
import { loadSuite, promptIds, type DataRequest, type SuiteProblem } from "../trainer/suite.ts";
import { param } from "../trainer/tensor.ts";
import type { MathProblem } from "../trainer/tasks/math.ts";
import { createWasmKernels } from "../trainer/wasm/kernels.ts";
import { oldMathReward } from "./math-reward-029650a.ts";

const { values: f } = parseArgs({ options: {
  checkpoint: { type: "string", multiple: true, default: [] },
  prompts: { type: "string", default: "200" }, seed: { type: "string", default: "0" },
  "eval-seed": { type: "string", default: "0" }, k: { type: "string", default: "4" },
  temperature: { type: "string", default: "0.6" }, "top-p": { type: "string", default: "0.95" },
  levels: { type: "string", default: "1,2" },
  // The demo's RL stages evaluate level 1 at maxResponseLength 80 and level 2 at 112.
  "max-new": { type: "string", default: "80,112" },
  dump: { type: "string" },
  // "eval" is the held-out split main's 029650a checkpoint was trained beside.
  split: { type: "string", default: "eval" },
} });

// An operator between operands: after a digit, a closing bracket or a decimal point, and before
// a digit, an opening bracket, a point or a LaTeX command. A leading sign has no operand before it.
const operator = /[0-9)}.]\s*(?:[-+*/^\u00d7\u00f7\u2212]|\\times|\\cdot|\\div)\s*[0-9({.\\]/;

/** hasOperator says whether a boxed answer is arithmetic rather than a number: "17+8", "5\times5", "x=19-4". */
function hasOperator(boxed: string): boolean {
  return operator.test(boxed);
}

// ---- sampling ----------------------------------------------------------------------------------

interface Sample { checkpoint: string; level: number; prompt: string; answer: string; text: string; boxed: string | null; operator: boolean; old: 0 | 1; fixed: 0 | 1 }

/** openCheckpoint loads a checkpoint's weights into a backend for sampling, with its tokenizer's suite. */
async function openCheckpoint(path: string) {
  const ck = await loadCheckpoint(path);
  const suite = await loadSuite("math", ck.tokenizer);
  const params = initParams(ck.config, new Rng(0));
  for (const [name, t] of params) {
    const src = ck.backend.params.get(name);
    if (src === undefined) throw new Error(`checkpoint lacks parameter ${name}`);
    params.set(name, param(src.data.slice(), t.shape));
  }
  const backend = new CpuBackend(ck.config, params, OptimConfigSchema.parse({}), createWasmKernels({ threads: 2 }));
  return { path: ck.path, suite, backend };
}

/** auditLevel samples one level's held-out prompts as avgAtK does and records every scored response. */
async function auditLevel(c: Awaited<ReturnType<typeof openCheckpoint>>, level: number, maxNew: number, samples: Sample[]) {
  const n = Number(f.prompts);
  // A variable, not a literal: evalPrompts (the held-out size training avoids) is read where the split rule needs it.
  const request = { levels: [level], seed: Number(f.seed), prompts: n, evalPrompts: n, split: f.split as DataRequest["split"] };
  const held = c.suite.problems(request);
  if (held.length === 0) throw new Error(`reward-audit: the suite has no level-${level} prompts in split ${f.split}`);
  const t = c.suite.tokenizer;
  // Scores with today's reward, so avgAtK's accuracy is the fixed figure; records each response.
  const score = async (items: ScoreItem<SuiteProblem>[]) => items.map((it) => {
    const p = it.problem as MathProblem;
    const text = t.decode(it.response.filter((id) => id !== t.eos));
    const boxed = extractBoxed(text);
    const s: Sample = { checkpoint: c.path, level, prompt: p.prompt, answer: p.answer, text, boxed, operator: boxed !== null && hasOperator(boxed), old: oldMathReward(text, p.answer), fixed: mathReward(text, p.answer) };
    samples.push(s);
    return s.fixed;
  });
  const spec = { k: Number(f.k), temperature: Number(f.temperature), topP: Number(f["top-p"]), maxNewTokens: maxNew, eos: t.eos, batch: defaults.evalBatch, seed: Number(f["eval-seed"]) };
  const r = await avgAtK(c.backend, held.map((p) => ({ prompt: promptIds(c.suite, p), problem: p })), score, spec);
  return { prompts: held.length, result: r };
}

const share = (a: number, b: number) => (b === 0 ? 0 : Number((a / b).toFixed(4)));

/** summarise turns one level's samples into the audit's figures. */
function summarise(all: number, ss: Sample[]) {
  const boxed = ss.filter((s) => s.boxed !== null);
  const withOp = boxed.filter((s) => s.operator);
  const oldOnly = ss.filter((s) => s.old === 1 && s.fixed === 0);
  return {
    samples: all, scored: ss.length, boxed: boxed.length, boxedWithOperator: withOp.length,
    operatorShare: share(withOp.length, boxed.length),
    oldAccuracy: share(ss.reduce((a, s) => a + s.old, 0), all),
    fixedAccuracy: share(ss.reduce((a, s) => a + s.fixed, 0), all),
    paidOnlyByOldReward: oldOnly.length,
    examples: [...new Set(withOp.map((s) => `${s.prompt} -> \\boxed{${s.boxed ?? ""}} (old ${s.old}, fixed ${s.fixed})`))].slice(0, 5),
  };
}

const levels = f.levels.split(",").map(Number);
const maxNews = f["max-new"].split(",").map(Number);
const out: Record<string, unknown>[] = [];
const dump: Sample[] = [];
for (const path of f.checkpoint) {
  const c = await openCheckpoint(path);
  const perLevel: Record<string, unknown> = {};
  for (const [li, level] of levels.entries()) {
    const samples: Sample[] = [];
    const t0 = performance.now();
    const r = await auditLevel(c, level, maxNews[Math.min(li, maxNews.length - 1)], samples);
    const { examples, ...figures } = summarise(r.result.samples, samples);
    perLevel[`level${level}`] = { prompts: r.prompts, ...figures, avgAtK: r.result.accuracy, truncationRate: r.result.truncationRate, seconds: Math.round((performance.now() - t0) / 1000), examples };
    process.stderr.write(`${JSON.stringify({ checkpoint: c.path, level, prompts: r.prompts, ...figures })}\n`);
    dump.push(...samples);
  }
  c.backend.close();
  out.push({ checkpoint: c.path, ...perLevel });
}
if (f.dump !== undefined) await writeFile(f.dump, dump.map((s) => JSON.stringify(s)).join("\n") + "\n");
console.log(JSON.stringify({ settings: { prompts: Number(f.prompts), seed: Number(f.seed), evalSeed: Number(f["eval-seed"]), k: Number(f.k), temperature: Number(f.temperature), topP: Number(f["top-p"]), maxNew: maxNews, split: f.split }, checkpoints: out }, null, 2));
