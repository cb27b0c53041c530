// fake-trainer: a stand-in for the trainer image in the operator's pod tests. It speaks the same
// seams as the real trainer — the TrainerConfig file (report URL and token file, attempt), the rank
// from JOB_COMPLETION_INDEX, checkpoints under
// /checkpoints, resume from resumeFrom, an RLJob's initCheckpoint and the temperature replies —
// and trains nothing: each "epoch" sleeps, writes a checkpoint file saying which attempt wrote
// it, and (rank 0) reports. FAKE_FAIL=1 exits 1 at once. An RL epoch reports entropy 0.02 and no
// curve, unless FAKE_ENTROPY="logistic A K C" gives it a model: H(T) = A / (1 + e^(−K (T − C))),
// times FAKE_ENTROPY_DECAY (default 1) per epoch already run, reported at the temperature it was
// told to use and, as the real trainer does, re-measured at the trainer's offsets.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { trainerDefaults } from "../../trainer/defaults.ts";

interface Cfg {
  kind: "SFTJob" | "RLJob";
  attempt: number;
  resumeFrom?: string;
  initCheckpoint?: string;
  temperature?: number;
  report?: { url: string; tokenFile: string };
  spec: { epochs?: number; stages?: { name: string; epochs: number }[] };
}
const configPath = process.argv[process.argv.indexOf("--config") + 1];
const cfg = JSON.parse(readFileSync(configPath, "utf8")) as Cfg;
if (process.env.FAKE_FAIL === "1") process.exit(1);
const mounts = JSON.parse(process.env.TEMPER_MOUNTS ?? "{}") as Record<string, string>;
/** local maps a file:// URI under a mount path to where this process sees it. */
const local = (uri: string): string => {
  const path = uri.replace(/^file:\/\//, "");
  const mount = Object.keys(mounts).sort((a, b) => b.length - a.length).find((m) => path === m || path.startsWith(`${m}/`));
  return mount === undefined ? path : mounts[mount] + path.slice(mount.length);
};
const dir = local("file:///checkpoints");
mkdirSync(dir, { recursive: true });
const token = cfg.report === undefined ? "" : readFileSync(cfg.report.tokenFile, "utf8").trim();
// As the real trainer does, the rank is the one thing taken from the environment (the Indexed Job injects it).
const rank = Number(process.env.JOB_COMPLETION_INDEX ?? "0");
const epochMs = Number(process.env.FAKE_EPOCH_MS ?? "300");
// Tests kill a worker by this pid, as a crash or an OOM kill would end it.
writeFileSync(join(dir, `pid-a${cfg.attempt}-rank${rank}`), String(process.pid));
if (cfg.initCheckpoint !== undefined && !existsSync(local(cfg.initCheckpoint))) {
  process.stderr.write(`init checkpoint ${cfg.initCheckpoint} is not readable\n`);
  process.exit(2);
}

/** rlFigures is an RL epoch's temperature loop inputs: a synthetic entropy model's, or an entropy far below any sensible target. */
function rlFigures(T: number, epochsRun: number): { temperature: number; entropy: number; entropyCurve?: { temperature: number; entropy: number }[] } {
  const model = /^logistic ([\d.]+) ([\d.]+) ([\d.]+)$/.exec(process.env.FAKE_ENTROPY ?? "");
  if (model === null) return { temperature: T, entropy: 0.02 };
  const [a, k, c] = model.slice(1).map(Number);
  const decay = Number(process.env.FAKE_ENTROPY_DECAY ?? "1") ** epochsRun;
  const H = (t: number) => Number(((a / (1 + Math.exp(-k * (t - c)))) * decay).toPrecision(5));
  const temps = [T, ...trainerDefaults.entropyOffsets.map((d) => T + d)].filter((t) => t > 0.05).sort((x, y) => x - y);
  return { temperature: T, entropy: H(T), entropyCurve: temps.map((t) => ({ temperature: Number(t.toPrecision(5)), entropy: H(t) })) };
}

const stages = cfg.kind === "SFTJob" ? [{ name: "sft", epochs: cfg.spec.epochs ?? 1 }] : (cfg.spec.stages ?? []);
const done = cfg.resumeFrom === undefined ? -1 : Number(/epoch-(\d+)$/.exec(cfg.resumeFrom)?.[1] ?? "-1");
let temperature = cfg.temperature ?? 0.6;
let global = 0;
for (const [stageIndex, stage] of stages.entries()) {
  for (let e = 1; e <= stage.epochs; e++, global++) {
    if (global <= done) continue;
    await new Promise((r) => setTimeout(r, epochMs));
    if (rank !== 0) continue;
    writeFileSync(join(dir, `epoch-${global}`), `attempt=${cfg.attempt}\n`);
    const last = stageIndex === stages.length - 1 && e === stage.epochs;
    const rl = cfg.kind === "RLJob" ? rlFigures(temperature, global) : {};
    const res = await fetch(cfg.report?.url ?? "", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ attempt: cfg.attempt, stage: stage.name, stageIndex, epoch: e, epochs: stage.epochs, checkpoint: `file:///checkpoints/epoch-${global}`, loss: 1 / (global + 1), final: last, ...rl }),
    });
    const reply = (await res.json()) as { temperature?: number };
    if (!res.ok) process.stderr.write(`report ${global} answered ${res.status}\n`);
    if (reply.temperature !== undefined) temperature = reply.temperature;
  }
}
