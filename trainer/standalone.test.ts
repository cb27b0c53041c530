// standalone.test.ts: `temper-trainer rl` without an operator — the temperature comes from the
// same policy module the operator uses, and a run resumed from a checkpoint continues the
// global epoch count where it stopped (tiny model, a few prompts: the loop, not the learning).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nextTemperature } from "../api/temperature-policy.ts";
import { TrainerConfig } from "../api/trainer-config.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { runRlJob, runSftJob, type WithTest } from "./cli.ts";
import { singleProcess } from "./collective.ts";
import type { RlEpochReport } from "./grpo.ts";
import { epochReportOfRl } from "./report-client.ts";
import type { SftEpochReport } from "./sft.ts";

type Event = Record<string, unknown>;

/** sftCheckpoint trains a one-layer model for one epoch and returns its checkpoint directory. */
async function sftCheckpoint(dir: string, tokenizer?: { type: "BPE"; vocabSize: number }): Promise<string> {
  const cfg = TrainerConfig.parse({
    kind: "SFTJob", name: "sft", checkpointDir: join(dir, "sft"),
    spec: { model: { architecture: { layers: 1, dModel: 16, heads: 2, contextLength: 64 }, ...(tokenizer !== undefined ? { tokenizer } : {}) }, maxSequenceLength: 64, epochs: 1, batchSize: 4, data: { prompts: 8, validationPrompts: 0, testPrompts: 0, responsesPerPrompt: 1 } },
  });
  if (cfg.kind !== "SFTJob") throw new Error("unreachable");
  await runSftJob(cfg, () => {}, singleProcess);
  return join(dir, "sft");
}

function rlConfig(dir: string, init: string, resumeFrom?: string) {
  const stage = (name: string) => ({ name, maxResponseLength: 8, epochs: 2, promptsPerBatch: 2, rolloutsPerPrompt: 2, data: { prompts: 2, validationPrompts: 0, testPrompts: 0 } });
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

test("a standalone EntropyTarget run takes each next temperature from the policy module, as the operator would", async () => {
  const dir = await mkdtemp(join(tmpdir(), "standalone-rl-"));
  try {
    const init = await sftCheckpoint(dir);
    const cfg = rlConfig(dir, init);
    cfg.spec.temperature = { ...cfg.spec.temperature, policy: "EntropyTarget", initial: 0.6, targetEntropy: 0.3, maxStep: 0.1, tolerance: 0.01 };
    const events: Event[] = [];
    await runRlJob(cfg, (e) => events.push(e), singleProcess);
    const ran = epochs(events);
    assert.equal(ran.length, 4);
    for (let i = 0; i + 1 < ran.length; i++) {
      const want = nextTemperature(cfg.spec, [], epochReportOfRl(ran[i] as unknown as RlEpochReport, 1)).temperature;
      assert.equal(ran[i + 1].temperature, want, `epoch ${i + 2}`);
    }
    // A barely trained model's entropy is far above 0.3, so T falls by maxStep each epoch to min.
    assert.deepEqual(ran.map((e) => e.temperature), [0.6, 0.5, 0.4, 0.3]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an SFT job measures validation accuracy every epoch and the test split once, sent on its final report only", async () => {
  const dir = await mkdtemp(join(tmpdir(), "standalone-sft-"));
  try {
    const cfg = TrainerConfig.parse({
      kind: "SFTJob", name: "sft", checkpointDir: join(dir, "sft"),
      spec: {
        model: { architecture: { layers: 1, dModel: 16, heads: 2, contextLength: 64 } }, maxSequenceLength: 64, epochs: 2, batchSize: 4,
        data: { prompts: 8, validationPrompts: 3, testPrompts: 4, responsesPerPrompt: 1 }, evaluation: { k: 1 },
      },
    });
    if (cfg.kind !== "SFTJob") throw new Error("unreachable");
    const events: Event[] = [];
    const reports: WithTest<SftEpochReport>[] = [];
    await runSftJob(cfg, (e) => events.push(e), singleProcess, { onSftEpoch: async (r) => void reports.push(r) });
    assert.deepEqual(events.filter((e) => e.event === "test").map((e) => [e.split, e.prompts]), [["test", 4]]);
    assert.deepEqual(reports.map((r) => [r.final, typeof r.accuracy, typeof r.testAccuracy]), [[false, "number", "undefined"], [true, "number", "number"]]);
    assert.equal(reports[1].testAccuracy, events.find((e) => e.event === "test")?.accuracy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an RL job evaluates its last stage's test split once, when it ends, and sends it on the final report only", async () => {
  const dir = await mkdtemp(join(tmpdir(), "standalone-rl-"));
  try {
    const init = await sftCheckpoint(dir);
    const cfg = rlConfig(dir, init);
    cfg.spec.stages = cfg.spec.stages.map((s) => ({ ...s, data: { ...s.data, testPrompts: 3 } }));
    cfg.spec.evaluation = { ...cfg.spec.evaluation, k: 1 };
    const events: Event[] = [];
    const reports: WithTest<RlEpochReport>[] = [];
    await runRlJob(cfg, (e) => events.push(e), singleProcess, { onRlEpoch: async (r) => void reports.push(r) });
    assert.deepEqual(events.filter((e) => e.event === "test").map((e) => [e.split, e.prompts]), [["test", 3]]);
    assert.deepEqual(reports.map((r) => typeof r.testAccuracy), ["undefined", "undefined", "undefined", "number"]);
    assert.ok(reports[3].final);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an SFT job asked for BPE learns it from its training data and saves it, and an RL job from that checkpoint samples with it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "standalone-bpe-"));
  try {
    const init = await sftCheckpoint(dir, { type: "BPE", vocabSize: 200 });
    const saved = (await loadCheckpoint(init)).tokenizer as { type: string; merges: unknown[] };
    assert.equal(saved.type, "bpe");
    assert.ok(saved.merges.length > 10, `${saved.merges.length} merges learned`);
    const events: Event[] = [];
    await runRlJob(rlConfig(dir, init), (e) => events.push(e), singleProcess);
    const started = events.find((e) => e.event === "started") as { model: { vocab: number } } | undefined;
    assert.equal(started?.model.vocab, 101 + saved.merges.length);
    assert.equal(epochs(events).length, 4);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an SFTJob continuing from a checkpoint may not name a tokenizer: the checkpoint brings its own", () => {
  const r = TrainerConfig.safeParse({ kind: "SFTJob", name: "sft", checkpointDir: "/tmp/x", spec: { model: { from: "file:///ck", tokenizer: { type: "BPE" } } } });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), /set tokenizer only with architecture/);
});
