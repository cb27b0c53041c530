// sft.ts: the supervised fine-tuning loop. Teacher examples (prompt + response token ids) are
// shuffled each epoch, packed end to end into rows of seqLen+1 tokens, and trained with the
// loss on response tokens only; each global batch is split across data-parallel ranks and the
// gradients all-reduced. Per epoch: held-out loss and avg@k accuracy, a checkpoint, and the
// epoch-end hook. Resuming from a checkpoint continues at the exact next step.
import { lrAt, type OptimConfig } from "./adamw.ts";
import type { Backend, TokenBatch } from "./backend.ts";
import { saveCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { shardRange, singleProcess, type Collective } from "./collective.ts";
import { Rng, shuffled } from "./rng.ts";

/** SftExample is one teacher trace: prompt ids and response ids (the response ends with eos). */
export interface SftExample {
  prompt: number[];
  response: number[];
}

/** SftOptions configures the loop. */
export interface SftOptions {
  epochs: number;
  /** batchSize is the global number of packed rows per optimizer step. */
  batchSize: number;
  seqLen: number;
  /** microBatch bounds the rows in one forward pass (memory), per rank. */
  microBatch: number;
  optim: OptimConfig;
  decay: "cosine" | "constant";
  seed: number;
  pad: number;
  /** checkpointDir receives a checkpoint at every epoch end (none when absent). */
  checkpointDir?: string;
  /** checkpointEveryEpochs checkpoints at every Nth epoch end and always at the last (default 1). */
  checkpointEveryEpochs?: number;
  /** keepCheckpoints retains only the newest N checkpoints (all when absent). */
  keepCheckpoints?: number;
  /** checkpointEverySteps also checkpoints mid-epoch every N steps (0 or absent: epoch ends only). */
  checkpointEverySteps?: number;
  /** stopAfterSteps ends the run early after this many total steps (tests, time limits). */
  stopAfterSteps?: number;
}

/** SftEpochReport is what the epoch-end hook receives. */
export interface SftEpochReport {
  epoch: number;
  epochs: number;
  step: number;
  loss: number;
  evalLoss?: number;
  accuracy?: number;
  tokensPerSecond: number;
  checkpoint?: string;
  final: boolean;
}

/** SftContext is everything the loop uses; nothing else is reached for. */
export interface SftContext {
  backend: Backend;
  options: SftOptions;
  train: SftExample[];
  heldOut?: SftExample[];
  /** evaluate returns held-out accuracy (avg@k); called at each epoch end when given. */
  evaluate?: (epoch: number) => Promise<number>;
  tokenizer: unknown;
  collective?: Collective;
  log: (event: Record<string, unknown>) => void;
  onEpochEnd?: (r: SftEpochReport) => Promise<{ temperature?: number } | void>;
  resume?: Checkpoint;
}

/** SftResult summarises a finished run. */
export interface SftResult {
  steps: number;
  lastLoss: number;
  reports: SftEpochReport[];
  checkpoint?: string;
}

/**
 * packRows fills rows of t+1 tokens with whole examples (an example never straddles two rows,
 * so every response sees its prompt; one longer than a row is cut), pads the rest, and returns
 * inputs, next-token targets and the loss mask (1 where the target is a response token). Each
 * example goes into the first of the last few open rows with room for it: taking examples
 * strictly in order would leave a row a third empty whenever a long one follows a short one,
 * and padding costs as much compute as real tokens.
 */
export function packRows(examples: SftExample[], t: number, pad: number): { ids: Int32Array; targets: Int32Array; mask: Float32Array; rows: number } {
  const rowsTok: number[][] = [];
  const rowsResp: number[][] = [];
  const open: number[] = []; // indices of rows that may still take an example, oldest first
  const lookBack = 8;
  for (const e of examples) {
    const len = Math.min(t + 1, e.prompt.length + e.response.length);
    let r = open.find((i) => rowsTok[i].length + len <= t + 1);
    if (r === undefined) {
      r = rowsTok.length;
      rowsTok.push([]);
      rowsResp.push([]);
      open.push(r);
      if (open.length > lookBack) open.shift();
    }
    const tok = rowsTok[r];
    const resp = rowsResp[r];
    for (let i = 0; i < len; i++) {
      tok.push(i < e.prompt.length ? e.prompt[i] : e.response[i - e.prompt.length]);
      resp.push(i < e.prompt.length ? 0 : 1);
    }
  }
  const rows = rowsTok.length;
  const ids = new Int32Array(rows * t).fill(pad);
  const targets = new Int32Array(rows * t).fill(pad);
  const mask = new Float32Array(rows * t);
  for (let r = 0; r < rows; r++) {
    const rt = rowsTok[r];
    for (let i = 0; i + 1 < rt.length; i++) {
      ids[r * t + i] = rt[i];
      targets[r * t + i] = rt[i + 1];
      mask[r * t + i] = rowsResp[r][i + 1];
    }
  }
  return { ids, targets, mask, rows };
}

/**
 * rowsBatch takes packed rows r0..r1 as a TokenBatch whose loss weights are the mask divided by
 * norm (the loop passes the global batch's response-token count, so the loss is their mean).
 */
export function rowsBatch(p: ReturnType<typeof packRows>, r0: number, r1: number, t: number, norm: number): TokenBatch {
  const mask = p.mask.slice(r0 * t, r1 * t);
  const weights = Float32Array.from(mask, (m) => m / norm);
  return { ids: p.ids.slice(r0 * t, r1 * t), targets: p.targets.slice(r0 * t, r1 * t), weights, mask, rows: r1 - r0, t, temperature: 1 };
}

/** heldOutLoss is the mean response-token loss on held-out examples (no update). */
export function heldOutLoss(backend: Backend, examples: SftExample[], o: SftOptions): number {
  const p = packRows(examples, o.seqLen, o.pad);
  let sum = 0;
  let n = 0;
  for (let r = 0; r < p.rows; r += o.microBatch) {
    const b = rowsBatch(p, r, Math.min(p.rows, r + o.microBatch), o.seqLen, 1);
    const s = backend.stats(b, [1]);
    for (let i = 0; i < b.mask.length; i++) {
      if (b.mask[i] === 0) continue;
      sum -= s.logprobs[0][i];
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** runSft trains for options.epochs epochs (or resumes a run) and returns a summary. */
export async function runSft(ctx: SftContext): Promise<SftResult> {
  const { backend, options: o, log } = ctx;
  const coll = ctx.collective ?? singleProcess;
  const t = o.seqLen;

  // 1. plan the epochs: each shuffles with a generator derived from (seed, epoch), so a resumed
  //    run packs identically; the step count of every epoch is known before the first step
  const packEpoch = (epoch: number) => packRows(shuffled(ctx.train, new Rng(o.seed * 1000003 + epoch)), t, o.pad);
  const stepsIn: number[] = [];
  for (let e = 0; e < o.epochs; e++) stepsIn.push(Math.floor(packEpoch(e).rows / o.batchSize));
  if (stepsIn.some((n) => n === 0)) throw new Error(`sft: fewer packed rows than one batch of ${o.batchSize}`);
  const firstStep = (epoch: number) => stepsIn.slice(0, epoch).reduce((a, b) => a + b, 0);
  const totalSteps = firstStep(o.epochs);
  const optim = o.decay === "constant" ? { ...o.optim, minLrRatio: 1 } : o.optim;

  // 2. resume: weights, moments, RNG and the data cursor
  let step = 0;
  let rng = new Rng(o.seed);
  if (ctx.resume !== undefined) {
    backend.importState(ctx.resume.backend);
    step = ctx.resume.state.step;
    rng = Rng.fromState(ctx.resume.state.rng);
    log({ event: "resumed", step, checkpoint: ctx.resume.state.cursor });
  }
  const reports: SftEpochReport[] = [];
  let lastLoss = NaN;
  let lastCheckpoint: string | undefined;

  let startEpoch = 0;
  while (startEpoch < o.epochs && firstStep(startEpoch + 1) <= step) startEpoch++;
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    // 3. this epoch's packed rows
    const packed = packEpoch(epoch);
    const stepsPerEpoch = stepsIn[epoch];
    const t0 = performance.now();
    let tokens = 0;
    let lossSum = 0;
    let lossSteps = 0;
    for (let s = step - firstStep(epoch); s < stepsPerEpoch; s++) {
      // 4. this rank's rows of the global batch; weights normalised by the global response-token count
      const g0 = s * o.batchSize;
      let norm = 0;
      for (let i = g0 * t; i < (g0 + o.batchSize) * t; i++) norm += packed.mask[i];
      norm = Math.max(1, norm);
      const [r0, r1] = shardRange(o.batchSize, coll.rank, coll.worldSize);
      backend.zeroGrad();
      const lossAcc = new Float32Array(1);
      for (let r = r0; r < r1; r += o.microBatch) {
        const res = backend.forwardBackward(rowsBatch(packed, g0 + r, g0 + Math.min(r1, r + o.microBatch), t, norm));
        lossAcc[0] += res.loss;
      }
      // 5. sum gradients (and the loss) over ranks, then one AdamW step
      await coll.allReduceSum([...backend.gradients(), lossAcc]);
      const lr = lrAt(optim, step, totalSteps);
      const gnorm = backend.optimizerStep(lr);
      step++;
      tokens += o.batchSize * t;
      lastLoss = lossAcc[0];
      lossSum += lastLoss;
      lossSteps++;
      const secs = (performance.now() - t0) / 1000;
      log({ event: "step", epoch: epoch + 1, step, loss: round(lastLoss), lr: round(lr), gradNorm: round(gnorm), tokensPerSecond: Math.round(tokens / secs) });
      const every = o.checkpointEverySteps ?? 0;
      if (every > 0 && step % every === 0 && s + 1 < stepsPerEpoch && o.checkpointDir !== undefined && coll.rank === 0) {
        lastCheckpoint = await saveCheckpoint(o.checkpointDir, {
          config: backend.config,
          backend: backend.exportState(),
          tokenizer: ctx.tokenizer,
          state: { step, rng: rng.state(), cursor: { kind: "sft", epoch, stepInEpoch: s + 1 } },
        }, o.keepCheckpoints);
        log({ event: "checkpoint", step, path: lastCheckpoint });
      }
      if (o.stopAfterSteps !== undefined && step >= o.stopAfterSteps) break;
    }
    const stopped = o.stopAfterSteps !== undefined && step >= o.stopAfterSteps && step < totalSteps;
    // 6. epoch end: held-out loss and accuracy, checkpoint, hook
    const report: SftEpochReport = {
      epoch: epoch + 1,
      epochs: o.epochs,
      step,
      loss: round(lossSum / Math.max(1, lossSteps)),
      tokensPerSecond: Math.round(tokens / ((performance.now() - t0) / 1000)),
      final: epoch + 1 === o.epochs,
    };
    if (stopped) return { steps: step, lastLoss, reports, checkpoint: lastCheckpoint };
    if (ctx.heldOut !== undefined && ctx.heldOut.length > 0) report.evalLoss = round(heldOutLoss(backend, ctx.heldOut, o));
    if (ctx.evaluate !== undefined) report.accuracy = round(await ctx.evaluate(epoch + 1));
    const due = (epoch + 1) % (o.checkpointEveryEpochs ?? 1) === 0 || epoch + 1 === o.epochs;
    if (o.checkpointDir !== undefined && coll.rank === 0 && due) {
      lastCheckpoint = await saveCheckpoint(o.checkpointDir, {
        config: backend.config,
        backend: backend.exportState(),
        tokenizer: ctx.tokenizer,
        state: { step, rng: rng.state(), cursor: { kind: "sft", epoch: epoch + 1, stepInEpoch: 0 } },
      }, o.keepCheckpoints);
      report.checkpoint = lastCheckpoint;
    }
    log({ event: "epoch", ...report });
    reports.push(report);
    if (ctx.onEpochEnd !== undefined) await ctx.onEpochEnd(report);
  }
  return { steps: step, lastLoss, reports, checkpoint: lastCheckpoint };
}

function round(x: number): number {
  return Number(x.toPrecision(5));
}
