// cli.ts: `temper-trainer sft|rl|eval --config FILE [--pretty]`. Reads the TrainerConfig the
// operator mounts (validated by the api/ schema), joins the data-parallel gang named by the
// environment (WORLD_SIZE, RANK or JOB_COMPLETION_INDEX, MASTER_ADDR, MASTER_PORT), builds the
// task suite, and runs the SFT loop, the GRPO loop or an evaluation, printing progress as JSON
// lines (or readable lines with --pretty). Reporting to the operator plugs in through the
// loops' onEpochEnd hook (the `hooks` argument of runSftJob / runRlJob).
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { TrainerConfig } from "../api/trainer-config.ts";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend, type Backend } from "./backend.ts";
import { loadCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { singleProcess, type Collective } from "./collective.ts";
import { connectTcp } from "./ddp.ts";
import { avgAtK, type EvalSpec } from "./eval.ts";
import { runGrpo, type RlEpochReport, type RlStage } from "./grpo.ts";
import { GPTConfigSchema, initParams, type GPTConfig, type Params } from "./model.ts";
import { Rng } from "./rng.ts";
import { runSft, type SftEpochReport } from "./sft.ts";
import { loadSuite, promptIds, sftExamples, type SuiteProblem, type TaskSuite } from "./suite.ts";
import { param } from "./tensor.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

type SftConfig = Extract<TrainerConfig, { kind: "SFTJob" }>;
type RlConfig = Extract<TrainerConfig, { kind: "RLJob" }>;

/** Log receives one progress event. */
export type Log = (event: Record<string, unknown>) => void;

/** Hooks are what an operator client plugs into a run (epoch reports, temperature replies). */
export interface Hooks {
  onSftEpoch?: (r: SftEpochReport) => Promise<void>;
  onRlEpoch?: (r: RlEpochReport) => Promise<{ temperature?: number } | void>;
}

/** Gang is this process's place in the data-parallel world, read from the environment. */
export interface Gang {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
}

/** gangFromEnv reads WORLD_SIZE, RANK (or JOB_COMPLETION_INDEX), MASTER_ADDR and MASTER_PORT. */
export function gangFromEnv(env: NodeJS.ProcessEnv): Gang {
  return {
    worldSize: Number(env.WORLD_SIZE ?? 1),
    rank: Number(env.RANK ?? env.JOB_COMPLETION_INDEX ?? 0),
    masterAddr: env.MASTER_ADDR ?? "127.0.0.1",
    masterPort: Number(env.MASTER_PORT ?? 29500),
  };
}

/** makeLog returns a Log writing each event as a JSON line, or as a short readable line when pretty. */
export function makeLog(pretty: boolean, write: (s: string) => void): Log {
  return (e) => {
    const event = { time: new Date().toISOString(), ...e };
    if (!pretty) {
      write(`${JSON.stringify(event)}\n`);
      return;
    }
    const { time, event: kind, ...rest } = event as Record<string, unknown>;
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    write(`${String(time).slice(11, 19)} ${String(kind ?? "").padEnd(8)} ${fields.join(" ")}\n`);
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** resumePoint is the checkpoint a run continues from: resumeFrom, else the latest in checkpointDir. */
async function resumePoint(cfg: TrainerConfig): Promise<Checkpoint | undefined> {
  if (cfg.resumeFrom !== undefined) return await loadCheckpoint(cfg.resumeFrom);
  if (await exists(join(cfg.checkpointDir, "latest"))) return await loadCheckpoint(cfg.checkpointDir);
  return undefined;
}

function paramsFrom(c: GPTConfig, ck: Checkpoint): Params {
  const p = initParams(c, new Rng(0));
  for (const [name, t] of p) {
    const src = ck.backend.params.get(name);
    if (src === undefined) throw new Error(`checkpoint lacks parameter ${name}`);
    p.set(name, param(src.data.slice(), t.shape));
  }
  return p;
}

function evalSpec(s: TaskSuite, e: { temperature: number; topP: number; k: number }, maxNewTokens: number, seed: number): EvalSpec {
  return { k: e.k, temperature: e.temperature, topP: e.topP, maxNewTokens, eos: s.tokenizer.eos, batch: 64, seed };
}

function evalProblems(s: TaskSuite, ps: SuiteProblem[]) {
  return ps.map((p) => ({ prompt: promptIds(s, p), problem: p }));
}

/** runSftJob runs an SFTJob's training on this rank. */
export async function runSftJob(cfg: SftConfig, log: Log, coll: Collective, hooks: Hooks = {}): Promise<void> {
  const spec = cfg.spec;
  const resume = await resumePoint(cfg);
  const init = resume ?? (spec.model.from !== undefined ? await loadCheckpoint(spec.model.from) : undefined);
  const suite = await loadSuite(spec.data.task, init?.tokenizer);
  const arch = spec.model.architecture;
  const config = init?.config ?? GPTConfigSchema.parse({
    vocab: suite.tokenizer.vocabSize, d: arch?.dModel, layers: arch?.layers, heads: arch?.heads, ctx: arch?.contextLength, mlpRatio: arch?.mlpRatio,
  });
  const optim = OptimConfigSchema.parse({
    lr: spec.learningRate, weightDecay: spec.weightDecay, clip: spec.gradientClipNorm,
    warmup: spec.schedule.warmupSteps, minLrRatio: spec.schedule.minLearningRateRatio,
  });
  const params = init !== undefined ? paramsFrom(config, init) : initParams(config, new Rng(spec.seed));
  const backend: Backend = new CpuBackend(config, params, optim, createWasmKernels({ threads: 2 }));
  const d = spec.data;
  const req = { levels: d.levels, seed: d.seed, evalPrompts: d.evalPrompts };
  const train = suite.problems({ ...req, prompts: d.prompts, split: "train" });
  const held = suite.problems({ ...req, prompts: d.evalPrompts, split: "eval" });
  const seqLen = Math.min(spec.maxSequenceLength, config.ctx);
  log({ event: "started", kind: "sft", rank: coll.rank, worldSize: coll.worldSize, model: config, trainPrompts: train.length, evalPrompts: held.length });
  const spec06 = evalSpec(suite, { temperature: 0.6, topP: 0.95, k: 4 }, seqLen, spec.seed);
  await runSft({
    backend, log, collective: coll, tokenizer: suite.tokenizer.toJSON(),
    resume: resume,
    options: { epochs: spec.epochs, batchSize: spec.batchSize, seqLen, microBatch: 16, optim, decay: spec.schedule.decay, seed: spec.seed, pad: suite.tokenizer.pad, checkpointDir: cfg.checkpointDir,
      checkpointEveryEpochs: spec.checkpoint.everyEpochs, keepCheckpoints: spec.checkpoint.keep },
    train: sftExamples(suite, train, d.responsesPerPrompt, spec.seed),
    heldOut: sftExamples(suite, held, 1, spec.seed + 1),
    evaluate: held.length === 0 ? undefined : async () => (await avgAtK(backend, evalProblems(suite, held), suite.scoreBatch, spec06, coll)).accuracy,
    onEpochEnd: async (r) => {
      if (hooks.onSftEpoch !== undefined) await hooks.onSftEpoch(r);
    },
  });
  backend.close();
}

/** runRlJob runs an RLJob's stages on this rank. */
export async function runRlJob(cfg: RlConfig, log: Log, coll: Collective, hooks: Hooks = {}): Promise<void> {
  const spec = cfg.spec;
  const resume = await resumePoint(cfg);
  const initPath = cfg.initCheckpoint ?? spec.initFrom.checkpoint;
  const init = resume ?? (initPath !== undefined ? await loadCheckpoint(initPath) : undefined);
  if (init === undefined) throw new Error("rl: no checkpoint to start from (initCheckpoint or initFrom.checkpoint)");
  const tasks = new Set(spec.stages.map((s) => s.data.task));
  if (tasks.size > 1) throw new Error("rl: stages mixing math and code are not supported yet");
  const suite = await loadSuite([...tasks][0] ?? "math", init.tokenizer, { codeLimits: spec.reward.code });
  const optim = OptimConfigSchema.parse({ lr: spec.stages[0].learningRate, weightDecay: 0, warmup: 0, minLrRatio: 1 });
  const backend: Backend = new CpuBackend(init.config, paramsFrom(init.config, init), optim, createWasmKernels({ threads: 2 }));
  // From an SFT checkpoint, RL keeps the optimizer's moments too: a fresh Adam's first updates
  // move every weight by about the learning rate whatever its gradient, and a handful of such
  // steps on noisy policy gradients undoes much of what SFT taught (measured on the demo model:
  // level-1 accuracy 0.72 -> 0.22). With the moments, each weight's step is scaled by the
  // gradient sizes SFT saw.
  if (resume === undefined) backend.importState(init.backend);
  const held = spec.stages.map((s) => suite.problems({ levels: s.data.levels, seed: s.data.seed, evalPrompts: s.data.evalPrompts, prompts: s.data.evalPrompts, split: "eval" }));
  const stages: RlStage<SuiteProblem>[] = spec.stages.map((s) => ({
    name: s.name, maxResponseLength: s.maxResponseLength, epochs: s.epochs, promptsPerBatch: s.promptsPerBatch,
    rolloutsPerPrompt: s.rolloutsPerPrompt, learningRate: s.learningRate, overlongFiltering: s.overlongFiltering, dropSolvedPrompts: s.dropSolvedPrompts,
    prompts: suite.problems({ levels: s.data.levels, seed: s.data.seed, evalPrompts: s.data.evalPrompts, prompts: s.data.prompts, split: "train" })
      .map((p) => ({ id: p.id, prompt: promptIds(suite, p), problem: p })),
  }));
  log({ event: "started", kind: "rl", rank: coll.rank, worldSize: coll.worldSize, model: init.config, stages: stages.map((s) => s.name) });
  let globalEpoch = 0;
  await runGrpo({
    backend, log, collective: coll, tokenizer: suite.tokenizer.toJSON(), stages,
    resume: resume,
    score: suite.scoreBatch,
    options: {
      temperature: spec.temperature.initial, resumeTemperature: cfg.temperature, topP: spec.topP, seed: spec.seed,
      eos: suite.tokenizer.eos, pad: suite.tokenizer.pad, microBatch: 32, truncatedReward: spec.reward.truncatedReward,
      entropyOffsets: [-0.2, -0.1, 0.1, 0.2], checkpointDir: cfg.checkpointDir,
      checkpointEveryEpochs: spec.checkpoint.everyEpochs, keepCheckpoints: spec.checkpoint.keep,
    },
    evaluate: async (si, epoch) => {
      const e = spec.evaluation;
      if (epoch % e.everyEpochs !== 0 || held[si].length === 0) return NaN;
      return (await avgAtK(backend, evalProblems(suite, held[si]), suite.scoreBatch, evalSpec(suite, e, spec.stages[si].maxResponseLength, spec.seed), coll)).accuracy;
    },
    onEpochEnd: async (r) => {
      globalEpoch++;
      if (hooks.onRlEpoch !== undefined) return await hooks.onRlEpoch(r);
      // Standalone: follow a Schedule policy locally; the other policies need the operator.
      const t = spec.temperature;
      if (t.policy === "Schedule" && t.schedule !== undefined) {
        const due = t.schedule.filter((x) => x.epoch <= globalEpoch).sort((a, b) => b.epoch - a.epoch)[0];
        if (due !== undefined) return { temperature: due.temperature };
      }
    },
  });
  backend.close();
}

/** runEval evaluates a checkpoint on the held-out split of the job's data and logs avg@k. */
export async function runEval(cfg: TrainerConfig, log: Log, coll: Collective): Promise<void> {
  const path = cfg.resumeFrom ?? (cfg.kind === "RLJob" ? cfg.initCheckpoint ?? cfg.spec.initFrom.checkpoint : undefined) ?? cfg.checkpointDir;
  const ck = await loadCheckpoint(path);
  const datas = cfg.kind === "SFTJob" ? [cfg.spec.data] : cfg.spec.stages.map((s) => s.data);
  const suite = await loadSuite(datas[0].task, ck.tokenizer, cfg.kind === "RLJob" ? { codeLimits: cfg.spec.reward.code } : {});
  const ev = cfg.kind === "RLJob" ? cfg.spec.evaluation : { temperature: 0.6, topP: 0.95, k: 4 };
  const backend = new CpuBackend(ck.config, paramsFrom(ck.config, ck), OptimConfigSchema.parse({}), createWasmKernels({ threads: 2 }));
  for (const d of datas) {
    const held = suite.problems({ levels: d.levels, seed: d.seed, evalPrompts: d.evalPrompts, prompts: d.evalPrompts, split: "eval" });
    const t0 = performance.now();
    const r = await avgAtK(backend, evalProblems(suite, held), suite.scoreBatch, evalSpec(suite, ev, ck.config.ctx, 0), coll);
    log({ event: "eval", checkpoint: ck.path, levels: d.levels, prompts: held.length, ...ev, ...r, seconds: Math.round((performance.now() - t0) / 1000) });
  }
  backend.close();
}

const USAGE = "Usage: temper-trainer sft|rl|eval --config FILE [--pretty]\n";

/** trainerCommand is the CLI: it returns the process exit code. */
export async function trainerCommand(argv: string[], hooks: Hooks = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: "string" }, pretty: { type: "boolean", default: false } } });
  } catch (e) {
    process.stderr.write(`temper-trainer: ${String(e)}\n${USAGE}`);
    return 2;
  }
  const [cmd] = parsed.positionals;
  const file = parsed.values.config;
  if ((cmd !== "sft" && cmd !== "rl" && cmd !== "eval") || file === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const log = makeLog(parsed.values.pretty ?? false, (s) => process.stdout.write(s));
  const checked = TrainerConfig.safeParse(parseYaml(await readFile(file, "utf8")));
  if (!checked.success) {
    process.stderr.write(`temper-trainer: invalid config ${file}:\n${checked.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}\n`);
    return 2;
  }
  const cfg = checked.data;
  if ((cmd === "sft" && cfg.kind !== "SFTJob") || (cmd === "rl" && cfg.kind !== "RLJob")) {
    process.stderr.write(`temper-trainer: ${cmd} needs a config of kind ${cmd === "sft" ? "SFTJob" : "RLJob"}, got ${cfg.kind}\n`);
    return 2;
  }
  const gang = gangFromEnv(process.env);
  const coll = gang.worldSize > 1
    ? await connectTcp({ rank: gang.rank, worldSize: gang.worldSize, host: gang.masterAddr, port: gang.masterPort, timeoutMs: 300_000 })
    : singleProcess;
  try {
    if (cmd === "eval") await runEval(cfg, log, coll);
    else if (cfg.kind === "SFTJob") await runSftJob(cfg, log, coll, hooks);
    else await runRlJob(cfg, log, coll, hooks);
    log({ event: "finished", kind: cmd });
    return 0;
  } catch (e) {
    log({ event: "failed", error: e instanceof Error ? e.message : String(e) });
    return 1;
  } finally {
    await coll.close();
  }
}
