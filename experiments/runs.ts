// runs: an experiment's jobs, run the way a user runs them standalone. Every arm is an SFTJob
// or RLJob spec validated by the api/ schemas and executed in-process by the trainer's own job
// runners (trainer/cli.ts, no operator), so the temperature policy, the data splits and the
// evaluation are exactly those of `temper-trainer` and of a job on the cluster. Each epoch's
// checkpoint is kept; the run is "stopped" at the epoch with the best validation accuracy
// (the earliest of equals) and that checkpoint alone is evaluated on the test split. A run's
// folder keeps its result with the spec that produced it: rerunning an experiment reuses every
// run whose spec is unchanged (a shared SFT checkpoint, a finished arm), so delete the folder
// to run it again.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TrainerConfig } from "../api/trainer-config.ts";
import { singleProcess } from "../trainer/collective.ts";
import { runEval, runRlJob, runSftJob, type Log } from "../trainer/cli.ts";

/** EpochRow is one epoch as the trainer logged it (an RL epoch also has its temperature decision). */
export interface EpochRow {
  stage?: string;
  epoch: number;
  accuracy?: number;
  loss?: number;
  temperature?: number;
  entropy?: number;
  reward?: number;
  responseLength?: number;
  nextTemperature?: number;
  reason?: string;
  checkpoint?: string;
}

/** RunResult is one job run: its epochs, where validation stopped it, and the test accuracy there. */
export interface RunResult {
  epochs: EpochRow[];
  /** stoppedAt is the 1-based global epoch with the best validation accuracy. */
  stoppedAt: number;
  validation: number;
  test: number;
  minutes: number;
}

/** RunOptions name the job and the results folder it runs under; progress is an optional one-line logger. */
export interface RunOptions {
  name: string;
  root: string;
  progress?: (line: string) => void;
}

/** runDir is a run's own folder, named for a hash of what it runs (kind and spec), so experiments that run the same spec share it. */
export function runDir(root: string, key: string): string {
  return join(root, "runs", createHash("sha256").update(key).digest("hex").slice(0, 16));
}

/**
 * runJob runs one SFTJob or RLJob spec (the user's YAML as an object) to its end in this process
 * and tests the checkpoint validation chose. The spec is validated first: a bad arm fails
 * before any training with the schema's message. The job must hold validation and test prompts.
 */
export async function runJob(kind: "SFTJob" | "RLJob", spec: Record<string, unknown>, o: RunOptions): Promise<RunResult> {
  const key = JSON.stringify({ kind, spec });
  const dir = runDir(o.root, key);
  const parsed = TrainerConfig.safeParse({ kind, name: o.name, checkpointDir: join(dir, "checkpoints"), spec: { ...spec, checkpoint: { keep: 100, everyEpochs: everyEpochs(spec) } } });
  if (!parsed.success) throw new Error(specError(o.name, parsed.error.issues));
  const cfg = parsed.data;
  const done = await readFile(join(dir, "result.json"), "utf8").then((t) => JSON.parse(t) as RunResult & { key: string }, () => undefined);
  if (done !== undefined && done.key === key) {
    o.progress?.(`${o.name}: reusing the finished run in ${dir}`);
    const { key: _key, ...result } = done;
    return result;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const epochs: EpochRow[] = [];
  const reasons = new Map<string, string>();
  const start = performance.now();
  const log: Log = (e) => {
    if (e.event === "temperature") reasons.set(`${String(e.stage)}/${String(e.epoch)}`, String(e.reason));
    if (e.event !== "epoch") return;
    const row = e as unknown as EpochRow;
    const reason = reasons.get(`${String(row.stage)}/${row.epoch}`);
    epochs.push(reason === undefined ? pick(row) : { ...pick(row), reason });
    o.progress?.(`${o.name} epoch ${epochs.length}: ${describe(epochs[epochs.length - 1])}`);
  };
  if (cfg.kind === "SFTJob") await runSftJob(cfg, log, singleProcess);
  else await runRlJob({ ...cfg, initCheckpoint: String((spec.initFrom as { checkpoint?: string }).checkpoint) }, log, singleProcess);
  const best = stopByValidation(epochs);
  const test = await testAccuracy(cfg, epochs[best].checkpoint, join(dir, "eval.json"));
  await pruneCheckpoints(join(dir, "checkpoints"), String(epochs[best].checkpoint));
  const result = { epochs, stoppedAt: best + 1, validation: epochs[best].accuracy ?? NaN, test, minutes: Number(((performance.now() - start) / 60000).toFixed(2)) };
  await writeFile(join(dir, "result.json"), `${JSON.stringify({ ...result, key }, null, 2)}\n`);
  return result;
}

/** specError names each field the schema refused, as spec.<path>, with the schema's message. */
function specError(name: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return `${name}: ${issues.map((i) => `spec.${i.path.slice(1).map(String).join(".")}: ${i.message}`).join("; ")}`;
}

const fields = ["stage", "epoch", "accuracy", "loss", "temperature", "entropy", "reward", "responseLength", "nextTemperature", "checkpoint"] as const;
function pick(r: EpochRow): EpochRow {
  const out: Record<string, unknown> = {};
  for (const k of fields) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as EpochRow;
}

function describe(r: EpochRow): string {
  const parts = [r.stage, r.loss === undefined ? undefined : `loss ${r.loss}`, r.temperature === undefined ? undefined : `T ${r.temperature}`,
    r.entropy === undefined ? undefined : `H ${r.entropy}`, r.reward === undefined ? undefined : `reward ${r.reward}`, `val ${r.accuracy}`];
  return parts.filter((p) => p !== undefined).join(", ");
}

/** everyEpochs checkpoints the epochs that are validated, the only ones validation can stop at. */
function everyEpochs(spec: Record<string, unknown>): number {
  return (spec.evaluation as { everyEpochs?: number } | undefined)?.everyEpochs ?? 1;
}

/** pruneCheckpoints keeps only the chosen checkpoint of a finished run: the others were for choosing, and a grid of runs would fill the disk. */
async function pruneCheckpoints(root: string, keep: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (name.startsWith("step-") && join(root, name) !== keep) await rm(join(root, name), { recursive: true, force: true });
  }
}

/**
 * stopByValidation is the index of the epoch a validation-stopped run ends at: the best
 * validation accuracy, the earliest of equals. Epochs without a figure (not evaluated) are
 * skipped; throws when none was evaluated, since then nothing chose the checkpoint.
 */
export function stopByValidation(epochs: readonly Pick<EpochRow, "accuracy">[]): number {
  let best = -1;
  epochs.forEach((e, i) => {
    if (e.accuracy === undefined || !Number.isFinite(e.accuracy)) return;
    if (best < 0 || e.accuracy > (epochs[best].accuracy as number)) best = i;
  });
  if (best < 0) throw new Error("stopByValidation: no epoch has a validation accuracy; give the job validationPrompts");
  return best;
}

/**
 * testCheckpoint is the test accuracy of a checkpoint the job did not train, measured exactly
 * as runJob measures its own (the trainer's eval command on the job's test split): an RL arm's
 * starting point on the arm's own test prompts, so a gain compares like with like. Cached.
 */
export async function testCheckpoint(kind: "SFTJob" | "RLJob", spec: Record<string, unknown>, checkpoint: string, o: RunOptions): Promise<number> {
  const key = JSON.stringify({ kind, spec, testOf: checkpoint });
  const dir = runDir(o.root, key);
  const file = join(dir, "test.json");
  const done = await readFile(file, "utf8").then((t) => JSON.parse(t) as { key: string; test: number }, () => undefined);
  if (done !== undefined && done.key === key) return done.test;
  const parsed = TrainerConfig.safeParse({ kind, name: o.name, checkpointDir: join(dir, "checkpoints"), spec });
  if (!parsed.success) throw new Error(specError(o.name, parsed.error.issues));
  await mkdir(dir, { recursive: true });
  const test = await testAccuracy(parsed.data, checkpoint, join(dir, "eval.json"));
  o.progress?.(`${o.name}: test ${test}`);
  await writeFile(file, `${JSON.stringify({ key, test }, null, 2)}\n`);
  return test;
}

/** testAccuracy evaluates one checkpoint on the job's test split (the last stage's for an RLJob) with the trainer's own eval command. */
async function testAccuracy(cfg: TrainerConfig, checkpoint: string | undefined, file: string): Promise<number> {
  if (checkpoint === undefined) throw new Error(`${cfg.name}: the epoch validation chose wrote no checkpoint`);
  const events: Record<string, unknown>[] = [];
  await runEval({ ...cfg, resumeFrom: checkpoint }, (e) => events.push(e), singleProcess);
  await writeFile(file, `${JSON.stringify(events, null, 2)}\n`);
  const tests = events.filter((e) => e.event === "eval" && e.split === "test");
  if (tests.length === 0) throw new Error(`${cfg.name}: the job has no test prompts to report on`);
  return tests[tests.length - 1].accuracy as number;
}
