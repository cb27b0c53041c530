// grpo.ts: the RL loop — GRPO as AceReason-Nemotron runs it. Per prompt a group of rollouts at
// temperature T (top-p optional); 0/1 rewards; advantages normalised within each group; a
// token-level policy-gradient loss (Σ A·(−log π) over response tokens ÷ response tokens in the
// batch) with no KL term and no entropy bonus; strictly on-policy, one optimizer step per
// batch; truncated responses masked out of the loss (overlong filtering); optionally prompts
// the model always solves are dropped; stages run in order with growing maxResponseLength.
// Each epoch measures the token-mean entropy of softmax(logits/T) over response tokens and the
// same on the same rollouts at nearby temperatures (H(T′)), then calls the epoch-end hook,
// whose reply may set the next epoch's temperature.
import { globalEpochAfter } from "../api/temperature-policy.ts";
import type { Backend, TokenBatch } from "./backend.ts";
import { saveCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { shardRange, singleProcess, type Collective } from "./collective.ts";
import type { Scorer } from "./eval.ts";
import { Rng, shuffled } from "./rng.ts";
import type { Rollout } from "./sample.ts";

/** RlPrompt is one training prompt with what its reward needs. */
export interface RlPrompt<P> {
  id: string;
  prompt: number[];
  problem: P;
}

/** RlStage is one stage of the curriculum. */
export interface RlStage<P> {
  name: string;
  prompts: RlPrompt<P>[];
  maxResponseLength: number;
  epochs: number;
  promptsPerBatch: number;
  rolloutsPerPrompt: number;
  learningRate: number;
  overlongFiltering: boolean;
  dropSolvedPrompts: boolean;
}

/** GrpoOptions are the run-wide settings. */
export interface GrpoOptions {
  temperature: number;
  topP: number;
  seed: number;
  eos: number;
  pad: number;
  microBatch: number;
  /** truncatedReward is the reward of a response cut at the length limit. */
  truncatedReward: number;
  /** entropyOffsets are the T′ − T at which the entropy curve is re-measured. */
  entropyOffsets: readonly number[];
  checkpointDir?: string;
  /** checkpointEveryEpochs checkpoints at every Nth epoch end and always at the last (default 1). */
  checkpointEveryEpochs?: number;
  /** keepCheckpoints retains only the newest N checkpoints (all when absent). */
  keepCheckpoints?: number;
  /** resumeTemperature overrides the checkpoint's temperature on resume (the operator's status is authoritative). */
  resumeTemperature?: number;
}

/** EntropyPoint is H at one temperature. */
export interface EntropyPoint {
  temperature: number;
  entropy: number;
}

/** RlEpochReport is what the epoch-end hook receives. */
export interface RlEpochReport {
  stage: string;
  stageIndex: number;
  epoch: number;
  epochs: number;
  step: number;
  temperature: number;
  entropy: number;
  entropyCurve: EntropyPoint[];
  reward: number;
  accuracy?: number;
  responseLength: number;
  truncationRate: number;
  activePrompts: number;
  checkpoint?: string;
  final: boolean;
}

/** GrpoContext is everything the loop uses. */
export interface GrpoContext<P> {
  backend: Backend;
  options: GrpoOptions;
  stages: RlStage<P>[];
  /** score rewards the finished rollouts of one batch, in order. */
  score: Scorer<P>;
  /** evaluate returns held-out accuracy for a stage (avg@k); called at each epoch end when given. */
  evaluate?: (stageIndex: number, epoch: number) => Promise<number>;
  tokenizer: unknown;
  collective?: Collective;
  log: (event: Record<string, unknown>) => void;
  /**
   * decideTemperature, when given, chooses the next epoch's temperature in this process (a run
   * without an operator). It is asked before the epoch's checkpoint is written, so the
   * checkpoint holds the temperature a resumed run must start at.
   */
  decideTemperature?: (r: RlEpochReport) => number;
  /** onEpochEnd is told of every finished epoch after its checkpoint; a reply's temperature wins (the operator's decision). */
  onEpochEnd?: (r: RlEpochReport) => Promise<{ temperature?: number } | void>;
  resume?: Checkpoint;
}

/** GrpoCursor is where a resumed run continues: the start of (stage, epoch). */
interface GrpoCursor {
  kind: "grpo";
  stage: number;
  epoch: number;
  /** temperature is what the epoch at the cursor samples at, as far as known when the checkpoint was written. */
  temperature: number;
  /** dropped lists prompt ids removed by dropSolvedPrompts in the current stage. */
  dropped: string[];
}

/** groupAdvantages normalises rewards within each group of g: (r − mean) / std, 0 when all are equal. */
export function groupAdvantages(rewards: number[], g: number): number[] {
  const out = new Array<number>(rewards.length).fill(0);
  for (let s = 0; s < rewards.length; s += g) {
    const grp = rewards.slice(s, s + g);
    const mean = grp.reduce((a, b) => a + b, 0) / grp.length;
    const std = Math.sqrt(grp.reduce((a, b) => a + (b - mean) ** 2, 0) / grp.length);
    if (std < 1e-6) continue;
    for (let i = 0; i < grp.length; i++) out[s + i] = (grp[i] - mean) / std;
  }
  return out;
}

/** rolloutBatch lays rollouts out as rows (prompt + response, padded) with per-token weights. */
export function rolloutBatch(rollouts: Rollout[], weights: number[], ctx: number, pad: number, temperature: number): TokenBatch {
  const t = Math.min(ctx, Math.max(...rollouts.map((r) => r.prompt.length + r.response.length)) - 1);
  const rows = rollouts.length;
  const b: TokenBatch = {
    ids: new Int32Array(rows * t).fill(pad), targets: new Int32Array(rows * t).fill(pad),
    weights: new Float32Array(rows * t), mask: new Float32Array(rows * t), rows, t, temperature,
  };
  rollouts.forEach((r, row) => {
    const seq = [...r.prompt, ...r.response].slice(0, t + 1);
    for (let i = 0; i + 1 < seq.length; i++) {
      const at = row * t + i;
      b.ids[at] = seq[i];
      b.targets[at] = seq[i + 1];
      if (i + 1 >= r.prompt.length) {
        b.mask[at] = 1;
        b.weights[at] = weights[row];
      }
    }
  });
  return b;
}

function mix(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
  return h;
}

/** runGrpo runs every stage's epochs (or resumes at a checkpoint's stage and epoch). */
export async function runGrpo<P>(ctx: GrpoContext<P>): Promise<{ steps: number; reports: RlEpochReport[]; checkpoint?: string }> {
  const { backend, options: o, log } = ctx;
  const coll = ctx.collective ?? singleProcess;
  let step = 0;
  let cursor: GrpoCursor = { kind: "grpo", stage: 0, epoch: 0, temperature: o.temperature, dropped: [] };
  if (ctx.resume !== undefined) {
    backend.importState(ctx.resume.backend);
    step = ctx.resume.state.step;
    cursor = ctx.resume.state.cursor as unknown as GrpoCursor;
    log({ event: "resumed", step, stage: cursor.stage, epoch: cursor.epoch });
  }
  let temperature = o.resumeTemperature ?? cursor.temperature;
  const reports: RlEpochReport[] = [];
  let lastCheckpoint: string | undefined;

  for (let si = cursor.stage; si < ctx.stages.length; si++) {
    const stage = ctx.stages[si];
    const dropped = new Set(si === cursor.stage ? cursor.dropped : []);
    const g = stage.rolloutsPerPrompt;
    const temps = () => [temperature, ...o.entropyOffsets.map((d) => temperature + d).filter((x) => x > 0.05)];
    for (let epoch = si === cursor.stage ? cursor.epoch : 0; epoch < stage.epochs; epoch++) {
      // 1. this epoch's prompt order, from a generator derived from (seed, stage, epoch)
      const active = stage.prompts.filter((p) => !dropped.has(p.id));
      const order = shuffled(active, new Rng(mix(o.seed, si, epoch)));
      const tEpoch = temperature;
      const T = temps();
      const sums = new Float64Array(5 + T.length); // reward, rollouts, response tokens, truncated, masked tokens, entropy per T
      const solvedNow: string[] = [];
      const t0 = performance.now();
      for (let bi = 0; bi * stage.promptsPerBatch < order.length; bi++) {
        const batch = order.slice(bi * stage.promptsPerBatch, (bi + 1) * stage.promptsPerBatch);
        // 2. rollouts for this rank's prompts; each rollout draws from its own generator, so the
        //    result does not depend on how prompts are split across ranks
        const [p0, p1] = shardRange(batch.length, coll.rank, coll.worldSize);
        const mine = batch.slice(p0, p1);
        const prompts: number[][] = [];
        const rngs: Rng[] = [];
        mine.forEach((p, k) => {
          for (let j = 0; j < g; j++) {
            prompts.push(p.prompt);
            rngs.push(new Rng(mix(o.seed, si, epoch, bi, p0 + k, j)));
          }
        });
        const rollouts = prompts.length === 0 ? [] : backend.sample(prompts,
          { temperature: tEpoch, topP: o.topP, maxNewTokens: stage.maxResponseLength, eos: o.eos }, rngs);
        // 3. rewards and group-normalised advantages
        //    (the batch's finished rollouts are scored in one call; truncated ones get truncatedReward unscored)
        const finished = rollouts.flatMap((r, i) => (r.truncated ? [] : [{ response: r.response, problem: mine[Math.floor(i / g)].problem }]));
        const scored = await ctx.score(finished);
        let next = 0;
        const rewards = rollouts.map((r) => (r.truncated ? o.truncatedReward : scored[next++]));
        const adv = groupAdvantages(rewards, g);
        mine.forEach((p, k) => {
          if (rewards.slice(k * g, (k + 1) * g).every((x) => x >= 1)) solvedNow.push(p.id);
        });
        // 4. token-level normalisation over the response tokens in the loss, across all ranks
        const inLoss = rollouts.map((r) => !(stage.overlongFiltering && r.truncated));
        const count = new Float32Array([rollouts.reduce((a, r, i) => a + (inLoss[i] ? r.response.length : 0), 0)]);
        await coll.allReduceSum([count]);
        const norm = Math.max(1, count[0]);
        const weights = adv.map((a, i) => (inLoss[i] ? a / norm : 0));
        // 5. one forward/backward over this rank's rollouts at temperature T, then one AdamW step
        backend.zeroGrad();
        for (let r = 0; r < rollouts.length; r += o.microBatch) {
          const part = rollouts.slice(r, r + o.microBatch);
          const tb = rolloutBatch(part, weights.slice(r, r + o.microBatch), backend.config.ctx, o.pad, tEpoch);
          const res = backend.forwardBackward(tb, T);
          sums[4] += res.maskedTokens;
          res.entropySum.forEach((e, i) => (sums[5 + i] += e));
        }
        await coll.allReduceSum(backend.gradients());
        const gradNorm = backend.optimizerStep(stage.learningRate);
        step++;
        for (let i = 0; i < rollouts.length; i++) {
          sums[0] += rewards[i];
          sums[1] += 1;
          sums[2] += rollouts[i].response.length;
          sums[3] += rollouts[i].truncated ? 1 : 0;
        }
        log({ event: "step", stage: stage.name, epoch: epoch + 1, step, batch: bi + 1, reward: round(mean(rewards)), temperature: tEpoch, gradNorm: round(gradNorm),
          rolloutsPerSecond: round(sums[1] / ((performance.now() - t0) / 1000)) });
      }
      // 6. epoch statistics over all ranks; drop always-solved prompts if asked
      const agg = Float32Array.from(sums);
      await coll.allReduceSum([agg]);
      if (stage.dropSolvedPrompts) {
        const flags = Float32Array.from(active, (p) => (solvedNow.includes(p.id) ? 1 : 0));
        await coll.allReduceSum([flags]);
        active.forEach((p, i) => {
          if (flags[i] > 0) dropped.add(p.id);
        });
      }
      const curve = T.map((temp, i) => ({ temperature: round(temp), entropy: round(agg[5 + i] / Math.max(1, agg[4])) }));
      const report: RlEpochReport = {
        stage: stage.name, stageIndex: si, epoch: epoch + 1, epochs: stage.epochs, step, temperature: tEpoch,
        entropy: curve[0].entropy, entropyCurve: [...curve].sort((a, b) => a.temperature - b.temperature),
        reward: round(agg[0] / Math.max(1, agg[1])), responseLength: round(agg[2] / Math.max(1, agg[1])),
        truncationRate: round(agg[3] / Math.max(1, agg[1])), activePrompts: stage.prompts.length - dropped.size,
        final: si === ctx.stages.length - 1 && epoch + 1 === stage.epochs,
      };
      // 7. held-out accuracy, local temperature decision, checkpoint (cursor = the next epoch), hook → next temperature
      if (ctx.evaluate !== undefined) report.accuracy = round(await ctx.evaluate(si, epoch + 1));
      const nextStage = epoch + 1 === stage.epochs ? si + 1 : si;
      const nextEpoch = epoch + 1 === stage.epochs ? 0 : epoch + 1;
      if (ctx.decideTemperature !== undefined) temperature = ctx.decideTemperature(report);
      const done = globalEpochAfter(ctx, { stageIndex: si, epoch: epoch + 1 });
      const due = done % (o.checkpointEveryEpochs ?? 1) === 0 || report.final;
      if (o.checkpointDir !== undefined && coll.rank === 0 && due) {
        lastCheckpoint = await saveCheckpoint(o.checkpointDir, {
          config: backend.config, backend: backend.exportState(), tokenizer: ctx.tokenizer,
          // Rollout generators derive from (seed, stage, epoch, batch, prompt, sample); no running RNG to save.
          state: { step, rng: new Rng(o.seed).state(), cursor: { kind: "grpo", stage: nextStage, epoch: nextEpoch, temperature, dropped: nextStage === si ? [...dropped] : [] } },
        }, o.keepCheckpoints);
        report.checkpoint = lastCheckpoint;
      }
      if (ctx.onEpochEnd !== undefined) {
        const reply = await ctx.onEpochEnd(report);
        if (reply !== undefined && reply.temperature !== undefined) temperature = reply.temperature;
      }
      // Rank 0's decision holds for the whole gang (only rank 0 hears the operator), so every
      // rank samples, weighs its loss and measures H(T′) at the same temperatures.
      const decided = Float64Array.of(temperature);
      await coll.broadcast(decided);
      temperature = decided[0];
      log({ event: "epoch", ...report, nextTemperature: temperature });
      reports.push(report);
    }
  }
  return { steps: step, reports, checkpoint: lastCheckpoint };
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(x: number): number {
  return Number(x.toPrecision(5));
}
