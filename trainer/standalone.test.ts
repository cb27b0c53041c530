// standalone.test.ts: `temper-trainer rl` without an operator — the temperature comes from the
// same policy module the operator uses, and a run resumed from a checkpoint continues the
// global epoch count where it stopped (tiny model, a few prompts: the loop, not the learning).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TrainerConfig } from "../api/trainer-config.ts";
import { runRlJob, runSftJob } from "./cli.ts";
import { singleProcess } from "./collective.ts";

type Event = Record<string, unknown>;

/** sftCheckpoint trains a one-layer model for one epoch and returns its checkpoint directory. */
async function sftCheckpoint(dir: string): Promise<string> {
  const cfg = TrainerConfig.parse({
    kind: "SFTJob", name: "sft", checkpointDir: join(dir, "sft"),
    spec: { model: { architecture: { layers: 1, dModel: 16, heads: 2, contextLength: 64 } }, maxSequenceLength: 64, epochs: 1, batchSize: 4, data: { prompts: 8, evalPrompts: 0, responsesPerPrompt: 1 } },
  });
  if (cfg.kind !== "SFTJob") throw new Error("unreachable");
  await runSftJob(cfg, () => {}, singleProcess);
  return join(dir, "sft");
}

function rlConfig(dir: string, init: string, resumeFrom?: string) {
  const stage = (name: string) => ({ name, maxResponseLength: 8, epochs: 2, promptsPerBatch: 2, rolloutsPerPrompt: 2, data: { prompts: 2, evalPrompts: 0 } });
  const cfg = TrainerConfig.parse({
    kind: "RLJob", name: "rl", checkpointDir: join(dir, "rl"), ...(resumeFrom !== undefined ? { resumeFrom } : {}),
    spec: {
      initFrom: { checkpoint: init },
      stages: [stage("short"), stage("long")],
      temperature: { policy: "Schedule", initial: 0.6, schedule: [{ epoch: 1, temperature: 0.7 }, { epoch: 2, temperature: 0.8 }, { epoch: 3, temperature: 0.9 }] },
    },
  });
  if (cfg.kind !== "RLJob") throw new Error("unreachable");
  return cfg;
}

const epochs = (events: Event[]) => events.filter((e) => e.event === "epoch");

test("a standalone Schedule run resumed from a checkpoint samples each global epoch at its scheduled temperature", async () => {
  const dir = await mkdtemp(join(tmpdir(), "standalone-rl-"));
  try {
    const init = await sftCheckpoint(dir);
    const full: Event[] = [];
    await runRlJob(rlConfig(dir, init), (e) => full.push(e), singleProcess);
    assert.deepEqual(epochs(full).map((e) => e.temperature), [0.6, 0.7, 0.8, 0.9]);
    // Resume after the first stage, as a restarted pod would from the checkpoint it last wrote.
    const afterStage = epochs(full)[1].checkpoint;
    assert.equal(typeof afterStage, "string");
    const resumed: Event[] = [];
    await runRlJob(rlConfig(dir, init, String(afterStage)), (e) => resumed.push(e), singleProcess);
    assert.deepEqual(epochs(resumed).map((e) => [e.stage, e.epoch, e.temperature]), [["long", 1, 0.8], ["long", 2, 0.9]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
