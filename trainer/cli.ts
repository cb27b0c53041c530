// cli.ts: `temper-trainer sft|rl|eval --config FILE [--pretty]`. Reads the TrainerConfig the
// operator mounts (validated by the api/ schema before any work), joins the data-parallel gang
// it describes (world size spec.workers, rank 0 at config.rendezvous, this process's rank from
// JOB_COMPLETION_INDEX — the one thing taken from the environment, because the Indexed Job
// injects it), builds the task suite, and runs the SFT loop, the GRPO loop or an evaluation,
// printing progress as JSON lines (or readable lines with --pretty). A run's per-epoch accuracy
// is on the validation split; the test split is evaluated once, when the run ends, and sent on
// its final report (tasks/dataset.ts says what each split is for). With config.report, rank 0
// reports every epoch to the operator and samples at the temperature it replies; without one,
// the temperature follows the job's policy in-process, through the same api/ module.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { initialTemperature, nextTemperature } from "../api/temperature-policy.ts";
import type { HistoryEntry } from "../api/rljob.ts";
import { TrainerConfig } from "../api/trainer-config.ts";
import { unrunnableExitCode } from "../api/report.ts";
import { OptimConfigSchema } from "./adamw.ts";
import { CpuBackend, type Backend } from "./backend.ts";
import { loadCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { singleProcess, type Collective } from "./collective.ts";
import { connectTcp } from "./ddp.ts";
import { trainerDefaults as defaults } from "./defaults.ts";
import { avgAtK, type EvalSpec } from "./eval.ts";
import { runGrpo, type RlEpochReport, type RlStage } from "./grpo.ts";
import { GPTConfigSchema, initParams, type GPTConfig, type Params } from "./model.ts";
import { Rng } from "./rng.ts";
import { runSft, type SftEpochReport } from "./sft.ts";
import { trainBpe } from "./bpe.ts";
import { loadSuite, promptIds, sftExamples, tokenizerCorpus, type SuiteProblem, type TaskSuite } from "./suite.ts";
import { epochReportOfRl, reportHooks, type ReportOptions } from "./report-client.ts";
import { checkSandbox, type SandboxReport } from "./sandbox/isolation.ts";
import { param } from "./tensor.ts";
import { createWasmKernels } from "./wasm/kernels.ts";

type SftConfig = Extract<TrainerConfig, { kind: "SFTJob" }>;
type RlConfig = Extract<TrainerConfig, { kind: "RLJob" }>;

/** Log receives one progress event. */
export type Log = (event: Record<string, unknown>) => void;

/** WithTest is an epoch report with what a job measures once, on its final report: the test split's accuracy. */
export type WithTest<R> = R & { testAccuracy?: number };

/** Hooks are what an operator client plugs into a run (epoch reports, temperature replies). */
export interface Hooks {
  onSftEpoch?: (r: WithTest<SftEpochReport>) => Promise<void>;
  onRlEpoch?: (r: WithTest<RlEpochReport>) => Promise<{ temperature?: number } | void>;
}

/** Gang is this process's place in the data-parallel world. */
export interface Gang {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  timeoutMs: number;
}

/**
 * gangOf places this process in the gang cfg describes: the world size is spec.workers, rank 0
 * listens at cfg.rendezvous, and the rank is JOB_COMPLETION_INDEX (0 when unset). A rank
 * outside [0, workers) throws, naming the variable and the field it must fit.
 */
export function gangOf(cfg: TrainerConfig, env: NodeJS.ProcessEnv): Gang {
  const raw = env.JOB_COMPLETION_INDEX ?? "0";
  const rank = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const worldSize = cfg.spec.workers;
  if (!(rank < worldSize)) throw new Error(`JOB_COMPLETION_INDEX: Invalid value: ${JSON.stringify(raw)}: must be an integer in [0, spec.workers) = [0, ${worldSize})`);
  const r = cfg.rendezvous;
  return { rank, worldSize, masterAddr: r.host, masterPort: r.port, timeoutMs: r.timeoutSeconds * 1000 };
}

/** kernelsFor builds the compute kernels with the pod's thread limit; the CPU kernels split work over at most two threads. */
function kernelsFor(cfg: TrainerConfig) {
  return createWasmKernels({ threads: Math.min(2, cfg.limits.threads ?? defaults.threads) === 1 ? 1 : 2 });
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
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    write(`${String(time).slice(11, 19)} ${(typeof kind === "string" ? kind : "").padEnd(8)} ${fields.join(" ")}\n`);
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
  return { k: e.k, temperature: e.temperature, topP: e.topP, maxNewTokens, eos: s.tokenizer.eos, batch: defaults.evalBatch, seed };
}

function evalProblems(s: TaskSuite, ps: SuiteProblem[]) {
  return ps.map((p) => ({ prompt: promptIds(s, p), problem: p }));
}

/** Data is a job's data block as the trainer reads it. */
type Data = { levels: number[]; seed: number; prompts: number; validationPrompts: number; testPrompts: number };

/** splits draws a data block's three disjoint sets. */
function splits(s: TaskSuite, d: Data) {
  const req = { levels: d.levels, seed: d.seed };
  return {
    train: s.problems({ ...req, prompts: d.prompts, split: "train" }),
    validation: s.problems({ ...req, prompts: d.validationPrompts, split: "validation" }),
    test: s.problems({ ...req, prompts: d.testPrompts, split: "test" }),
  };
}

/** finalTest evaluates the test split once, at the end of a run, on every rank, and logs it; undefined when the set is empty. */
async function finalTest(backend: Backend, s: TaskSuite, test: SuiteProblem[], ev: EvalSpec, coll: Collective, log: Log): Promise<number | undefined> {
  if (test.length === 0) return undefined;
  const accuracy = (await avgAtK(backend, evalProblems(s, test), s.scoreBatch, ev, coll)).accuracy;
  log({ event: "test", split: "test", prompts: test.length, accuracy });
  return accuracy;
}

/**
 * sftSuite restores the checkpoint's tokenizer, or makes the one spec.model.tokenizer asks for:
 * characters, or BPE learned from this job's training prompts and traces (deterministic, so
 * every rank learns the same one without exchanging it).
 */
async function sftSuite(spec: SftConfig["spec"], init: Checkpoint | undefined): Promise<TaskSuite> {
  const t = spec.model.tokenizer;
  if (init !== undefined || t === undefined || t.type === "Character") return loadSuite(spec.data.task, init?.tokenizer);
  const chars = await loadSuite(spec.data.task);
  const corpus = tokenizerCorpus(chars, splits(chars, spec.data).train, spec.data.responsesPerPrompt, spec.seed);
  return loadSuite(spec.data.task, trainBpe(corpus, { vocabSize: t.vocabSize }).toJSON());
}

/** runSftJob runs an SFTJob's training on this rank. */
export async function runSftJob(cfg: SftConfig, log: Log, coll: Collective, hooks: Hooks = {}): Promise<void> {
  const spec = cfg.spec;
  const resume = await resumePoint(cfg);
  const init = resume ?? (spec.model.from !== undefined ? await loadCheckpoint(spec.model.from) : undefined);
  const suite = await sftSuite(spec, init);
  const arch = spec.model.architecture;
  const config = init?.config ?? GPTConfigSchema.parse({
    vocab: suite.tokenizer.vocabSize, d: arch?.dModel, layers: arch?.layers, heads: arch?.heads, ctx: arch?.contextLength, mlpRatio: arch?.mlpRatio,
  });
  const optim = OptimConfigSchema.parse({
    lr: spec.learningRate, weightDecay: spec.weightDecay, clip: spec.gradientClipNorm,
    warmup: spec.schedule.warmupSteps, minLrRatio: spec.schedule.minLearningRateRatio,
  });
  const params = init !== undefined ? paramsFrom(config, init) : initParams(config, new Rng(spec.seed));
  const backend: Backend = new CpuBackend(config, params, optim, kernelsFor(cfg));
  const d = spec.data;
  const { train, validation, test } = splits(suite, d);
  const seqLen = Math.min(spec.maxSequenceLength, config.ctx);
  log({ event: "started", kind: "sft", rank: coll.rank, worldSize: coll.worldSize, model: config, trainPrompts: train.length, validationPrompts: validation.length, testPrompts: test.length });
  const ev = evalSpec(suite, spec.evaluation, seqLen, spec.seed);
  let testAccuracy: number | undefined;
  await runSft({
    backend, log, collective: coll, tokenizer: suite.tokenizer.toJSON(),
    resume: resume,
    options: { epochs: spec.epochs, batchSize: spec.batchSize, seqLen, microBatch: defaults.sftMicroBatch, optim, decay: spec.schedule.decay, seed: spec.seed, pad: suite.tokenizer.pad, checkpointDir: cfg.checkpointDir,
      checkpointEveryEpochs: spec.checkpoint.everyEpochs, keepCheckpoints: spec.checkpoint.keep },
    train: sftExamples(suite, train, d.responsesPerPrompt, spec.seed),
    heldOut: sftExamples(suite, validation, 1, spec.seed + 1),
    evaluate: validation.length === 0 && test.length === 0 ? undefined : async (epoch) => {
      if (epoch === spec.epochs) testAccuracy = await finalTest(backend, suite, test, ev, coll, log);
      if (epoch % spec.evaluation.everyEpochs !== 0 || validation.length === 0) return NaN;
      return (await avgAtK(backend, evalProblems(suite, validation), suite.scoreBatch, ev, coll)).accuracy;
    },
    onEpochEnd: async (r) => {
      if (hooks.onSftEpoch !== undefined) await hooks.onSftEpoch(r.final ? { ...r, testAccuracy } : r);
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
  const backend: Backend = new CpuBackend(init.config, paramsFrom(init.config, init), optim, kernelsFor(cfg));
  // From an SFT checkpoint, RL keeps the optimizer's moments too: a fresh Adam's first updates
  // move every weight by about the learning rate whatever its gradient, and a handful of such
  // steps on noisy policy gradients undoes much of what SFT taught (measured on the demo model:
  // level-1 accuracy 0.72 -> 0.22). With the moments, each weight's step is scaled by the
  // gradient sizes SFT saw.
  if (resume === undefined) backend.importState(init.backend);
  const data = spec.stages.map((s) => splits(suite, s.data));
  const stages: RlStage<SuiteProblem>[] = spec.stages.map((s, si) => ({
    name: s.name, maxResponseLength: s.maxResponseLength, epochs: s.epochs, promptsPerBatch: s.promptsPerBatch,
    rolloutsPerPrompt: s.rolloutsPerPrompt, learningRate: s.learningRate, overlongFiltering: s.overlongFiltering, dropSolvedPrompts: s.dropSolvedPrompts,
    prompts: data[si].train.map((p) => ({ id: p.id, prompt: promptIds(suite, p), problem: p })),
  }));
  const evalOf = (si: number) => evalSpec(suite, spec.evaluation, spec.stages[si].maxResponseLength, spec.seed);
  // The final test is the last stage's test split: the curriculum's hardest data, at its longest responses.
  const last = spec.stages.length - 1;
  let testAccuracy: number | undefined;
  const withTest = (r: RlEpochReport): WithTest<RlEpochReport> => (r.final ? { ...r, testAccuracy } : r);
  const toOperator = hooks.onRlEpoch;
  log({ event: "started", kind: "rl", rank: coll.rank, worldSize: coll.worldSize, model: init.config, stages: stages.map((s) => s.name) });
  // Without an operator the job's policy decides in-process; the history lives as long as the process.
  const history: HistoryEntry[] = [];
  const decideLocally = (r: RlEpochReport): number => {
    const report = epochReportOfRl(r, cfg.attempt);
    const d = nextTemperature(spec, history, report);
    history.push({ stage: r.stage, epoch: r.epoch, attempt: cfg.attempt, temperature: r.temperature, entropy: r.entropy, nextTemperature: d.temperature, reason: d.reason });
    log({ event: "temperature", stage: r.stage, epoch: r.epoch, next: d.temperature, reason: d.reason });
    return d.temperature;
  };
  await runGrpo({
    backend, log, collective: coll, tokenizer: suite.tokenizer.toJSON(), stages,
    resume: resume,
    score: suite.scoreBatch,
    options: {
      temperature: initialTemperature(spec), resumeTemperature: cfg.temperature, topP: spec.topP, seed: spec.seed,
      eos: suite.tokenizer.eos, pad: suite.tokenizer.pad, microBatch: defaults.rlMicroBatch, truncatedReward: spec.reward.truncatedReward,
      entropyOffsets: defaults.entropyOffsets, checkpointDir: cfg.checkpointDir,
      checkpointEveryEpochs: spec.checkpoint.everyEpochs, keepCheckpoints: spec.checkpoint.keep,
    },
    evaluate: async (si, epoch) => {
      if (si === last && epoch === spec.stages[last].epochs) testAccuracy = await finalTest(backend, suite, data[last].test, evalOf(last), coll, log);
      const validation = data[si].validation;
      if (epoch % spec.evaluation.everyEpochs !== 0 || validation.length === 0) return NaN;
      return (await avgAtK(backend, evalProblems(suite, validation), suite.scoreBatch, evalOf(si), coll)).accuracy;
    },
    ...(toOperator === undefined ? { decideTemperature: decideLocally } : { onEpochEnd: (r: RlEpochReport) => toOperator(withTest(r)) }),
  });
  backend.close();
}

/** runEval evaluates a checkpoint on the validation and the test split of the job's data and logs avg@k for each, labelled by split. */
export async function runEval(cfg: TrainerConfig, log: Log, coll: Collective): Promise<void> {
  const path = cfg.resumeFrom ?? (cfg.kind === "RLJob" ? cfg.initCheckpoint ?? cfg.spec.initFrom.checkpoint : undefined) ?? cfg.checkpointDir;
  const ck = await loadCheckpoint(path);
  const datas = cfg.kind === "SFTJob" ? [cfg.spec.data] : cfg.spec.stages.map((s) => s.data);
  const suite = await loadSuite(datas[0].task, ck.tokenizer, cfg.kind === "RLJob" ? { codeLimits: cfg.spec.reward.code } : {});
  const ev = cfg.spec.evaluation;
  const backend = new CpuBackend(ck.config, paramsFrom(ck.config, ck), OptimConfigSchema.parse({}), kernelsFor(cfg));
  for (const d of datas) {
    const { validation, test } = splits(suite, { ...d, prompts: 0 });
    for (const [split, held] of [["validation", validation], ["test", test]] as const) {
      if (held.length === 0) continue;
      const t0 = performance.now();
      const r = await avgAtK(backend, evalProblems(suite, held), suite.scoreBatch, evalSpec(suite, ev, ck.config.ctx, 0), coll);
      log({ event: "eval", split, checkpoint: ck.path, levels: d.levels, prompts: held.length, ...ev, ...r, seconds: Math.round((performance.now() - t0) / 1000) });
    }
  }
  backend.close();
}

const USAGE = "Usage: temper-trainer sft|rl|eval --config FILE [--pretty]\n";

/** CommandOptions are the process's surroundings, injected so tests can set them. */
export interface CommandOptions {
  /** env supplies JOB_COMPLETION_INDEX, the rank an Indexed Job injects. */
  env?: NodeJS.ProcessEnv;
  /** report tunes the report client (retries, and where its own events are logged). */
  report?: ReportOptions;
}

/** readConfig loads and validates a TrainerConfig file; a problem comes back as one message per line, each naming the field. */
export async function readConfig(file: string): Promise<{ ok: true; config: TrainerConfig } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return { ok: false, error: `cannot read config ${file}: ${(e as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    return { ok: false, error: `config ${file} is not YAML or JSON: ${(e as Error).message}` };
  }
  const checked = TrainerConfig.safeParse(raw);
  if (checked.success) return { ok: true, config: checked.data };
  return { ok: false, error: `invalid config ${file}:\n${checked.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n")}` };
}

/** hooksFor connects rank 0 to the operator when the config names a report endpoint; other ranks and standalone runs get none. */
function hooksFor(cfg: TrainerConfig, rank: number, o: ReportOptions, sandbox?: SandboxReport): Hooks {
  if (rank !== 0 || cfg.report === undefined) return {};
  return reportHooks({ url: cfg.report.url, tokenFile: cfg.report.tokenFile, attempt: cfg.attempt }, o, sandbox);
}

/**
 * trainerCommand is the CLI: it returns the process exit code (2 for bad usage or config, 3 when
 * the job cannot run on this node as specified, both before any work starts; 1 when a run fails).
 */
export async function trainerCommand(argv: string[], o: CommandOptions = {}): Promise<number> {
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
  const read = await readConfig(file);
  if (!read.ok) {
    process.stderr.write(`temper-trainer: ${read.error}\n`);
    return 2;
  }
  const cfg = read.config;
  if ((cmd === "sft" && cfg.kind !== "SFTJob") || (cmd === "rl" && cfg.kind !== "RLJob")) {
    process.stderr.write(`temper-trainer: ${cmd} needs a config of kind ${cmd === "sft" ? "SFTJob" : "RLJob"}, got ${cfg.kind}\n`);
    return 2;
  }
  let gang: Gang;
  try {
    gang = gangOf(cfg, o.env ?? process.env);
  } catch (e) {
    process.stderr.write(`temper-trainer: ${(e as Error).message}\n`);
    return 2;
  }
  const log = makeLog(parsed.values.pretty ?? false, (s) => process.stdout.write(s));
  const sandbox = checkSandbox(cfg, log);
  if (!sandbox.ok) {
    log({ event: "failed", error: sandbox.error });
    process.stderr.write(`temper-trainer: ${sandbox.error}\n`);
    return unrunnableExitCode;
  }
  return await run(cmd, cfg, gang, log, hooksFor(cfg, gang.rank, o.report ?? {}, sandbox.report));
}

/** run joins the gang and runs one command; a failure is logged and exits 1. */
async function run(cmd: "sft" | "rl" | "eval", cfg: TrainerConfig, gang: Gang, log: Log, hooks: Hooks): Promise<number> {
  const coll = gang.worldSize > 1
    ? await connectTcp({ rank: gang.rank, worldSize: gang.worldSize, host: gang.masterAddr, port: gang.masterPort, timeoutMs: gang.timeoutMs })
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
