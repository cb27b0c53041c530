// fake-trainer: a stand-in for the trainer image in the operator's pod tests. It speaks the same
// seams as the real trainer — the TrainerConfig file (report URL and token file, attempt), the rank
// from JOB_COMPLETION_INDEX, checkpoints under
// /checkpoints, resume from resumeFrom, an RLJob's initCheckpoint and the temperature replies —
// and trains nothing: each "epoch" sleeps, writes a checkpoint file saying which attempt wrote
// it, and (rank 0) reports. FAKE_FAIL=1 exits 1 at once.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
    // An entropy far below any sensible target, so an EntropyTarget job moves its temperature.
    const rl = cfg.kind === "RLJob" ? { temperature, entropy: 0.02 } : {};
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
