// fake-trainer: a stand-in for the trainer image in the operator's pod tests. It speaks the same
// seams as the real trainer — TrainerConfig file, report URL and token, checkpoints under
// /checkpoints, resume from resumeFrom — and trains nothing: each "epoch" sleeps, writes a
// checkpoint file saying which attempt wrote it, and (rank 0) reports. FAKE_FAIL=1 exits 1 at once.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const configPath = process.argv[process.argv.indexOf("--config") + 1];
const cfg = JSON.parse(readFileSync(configPath, "utf8")) as { attempt: number; resumeFrom?: string; spec: { epochs?: number }; report?: { url: string } };
if (process.env.FAKE_FAIL === "1") process.exit(1);
const mounts = JSON.parse(process.env.TEMPER_MOUNTS ?? "{}") as Record<string, string>;
const dir = mounts["/checkpoints"] ?? "/checkpoints";
mkdirSync(dir, { recursive: true });
const token = readFileSync(process.env.TEMPER_REPORT_TOKEN_FILE ?? "", "utf8").trim();
const rank = Number(process.env.RANK ?? "0");
const epochs = cfg.spec.epochs ?? 1;
const epochMs = Number(process.env.FAKE_EPOCH_MS ?? "500");
// Tests kill a worker by this pid, as a crash or an OOM kill would end it.
writeFileSync(join(dir, `pid-a${cfg.attempt}-rank${rank}`), String(process.pid));
const from = cfg.resumeFrom === undefined ? 0 : Number(/epoch-(\d+)$/.exec(cfg.resumeFrom)?.[1] ?? "0");

for (let e = from + 1; e <= epochs; e++) {
  await new Promise((r) => setTimeout(r, epochMs));
  if (rank !== 0) continue;
  writeFileSync(join(dir, `epoch-${e}`), `attempt=${cfg.attempt}\n`);
  const res = await fetch(process.env.TEMPER_REPORT_URL ?? "", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ attempt: cfg.attempt, stage: "sft", epoch: e, epochs, checkpoint: `file:///checkpoints/epoch-${e}`, loss: 1 / e, final: e === epochs }),
  });
  if (!res.ok) process.stderr.write(`report ${e} answered ${res.status}\n`);
}
