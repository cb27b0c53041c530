// backend.ts: the seam between the training loops and the compute. A Backend owns the model's
// weights and optimizer state and offers the handful of operations the loops need: forward +
// backward on a token batch, an optimizer step, log-probabilities and entropies, sampling, and
// state export for checkpoints. CpuBackend implements it with the autodiff engine on typed
// arrays and a Kernels value; a GPU backend would implement the same interface.
import { adamwStep, newAdamState, zeroGrad, type AdamState, type OptimConfig } from "./adamw.ts";
import type { Kernels } from "./kernels.ts";
import { forward, type GPTConfig, type Params } from "./model.ts";
import { crossEntropy } from "./ops.ts";
import { sampleBatch, tokenStats, type Rollout, type SampleOptions, type TokenStats } from "./sample.ts";
import type { Rng } from "./rng.ts";
import type { NamedArray } from "./safetensors.ts";
import { backward } from "./tensor.ts";

/** TokenBatch is rows × t tokens with next-token targets, per-token loss weights and a response mask. */
export interface TokenBatch {
  ids: Int32Array;
  targets: Int32Array;
  /** weights scale each token's −log p (0 = not in the loss); already normalised by the caller. */
  weights: Float32Array;
  /** mask marks the tokens whose entropy is measured (response tokens). */
  mask: Float32Array;
  rows: number;
  t: number;
  /** temperature divides the logits before the softmax of the loss. */
  temperature: number;
}

/** ForwardBackwardResult is the batch's loss and, when asked, Σ entropy over masked tokens per temperature. */
export interface ForwardBackwardResult {
  loss: number;
  entropySum: number[];
  maskedTokens: number;
}

/** BackendState is what a checkpoint stores of a backend. */
export interface BackendState {
  params: Map<string, NamedArray>;
  adamStep: number;
  m: Map<string, NamedArray>;
  v: Map<string, NamedArray>;
}

/** Backend is the compute interface the SFT and GRPO loops are written against. */
export interface Backend {
  readonly name: string;
  readonly config: GPTConfig;
  /** forwardBackward adds this batch's gradients to the accumulated ones and returns its loss. */
  forwardBackward(b: TokenBatch, entropyTemperatures?: number[]): ForwardBackwardResult;
  zeroGrad(): void;
  /** gradients returns the live gradient buffers in a fixed order (for all-reduce, in place). */
  gradients(): Float32Array[];
  /** optimizerStep applies AdamW at lr and returns the global gradient norm before clipping. */
  optimizerStep(lr: number): number;
  /** stats returns per-token log-probabilities and entropies at each temperature, without gradients. */
  stats(b: TokenBatch, temperatures: number[]): TokenStats;
  /** sample draws one rollout per prompt; with an array, prompt i draws from rng[i]. */
  sample(prompts: number[][], o: SampleOptions, rng: Rng | Rng[]): Rollout[];
  exportState(): BackendState;
  importState(s: BackendState): void;
  close(): void;
}

/** CpuBackend runs everything on this machine's CPU through the given kernels. */
export class CpuBackend implements Backend {
  readonly name: string;
  readonly config: GPTConfig;
  private params: Params;
  private adam: AdamState;
  private optim: OptimConfig;
  private kernels: Kernels;

  /** CpuBackend constructor takes ownership of params and kernels (close() releases the kernels). */
  constructor(config: GPTConfig, params: Params, optim: OptimConfig, kernels: Kernels) {
    this.config = config;
    this.params = params;
    this.optim = optim;
    this.kernels = kernels;
    this.adam = newAdamState(params);
    this.name = `cpu/${kernels.name}`;
  }

  forwardBackward(b: TokenBatch, entropyTemperatures: number[] = []): ForwardBackwardResult {
    // The previous pass's activations and their gradients are dead (parameter gradients live on the heap).
    this.kernels.reset();
    const logits = forward(this.kernels, this.config, this.params, b.ids, b.rows, b.t); // (rows*t, vocab)
    let entropySum: number[] = [];
    let maskedTokens = 0;
    for (let i = 0; i < b.mask.length; i++) maskedTokens += b.mask[i];
    if (entropyTemperatures.length > 0) {
      const s = tokenStats(logits.data, this.config.vocab, b.targets, b.mask, entropyTemperatures);
      entropySum = s.entropy.map((e) => e.reduce((a, x) => a + x, 0));
    }
    const loss = crossEntropy(logits, b.targets, b.weights, b.temperature);
    backward(loss);
    return { loss: loss.item(), entropySum, maskedTokens };
  }

  zeroGrad(): void {
    zeroGrad(this.params);
  }

  gradients(): Float32Array[] {
    return [...this.params.values()].map((t) => t.g());
  }

  optimizerStep(lr: number): number {
    return adamwStep(this.params, this.adam, this.optim, lr);
  }

  stats(b: TokenBatch, temperatures: number[]): TokenStats {
    this.kernels.reset();
    const logits = forward(this.kernels, this.config, this.params, b.ids, b.rows, b.t);
    return tokenStats(logits.data, this.config.vocab, b.targets, b.mask, temperatures);
  }

  sample(prompts: number[][], o: SampleOptions, rng: Rng | Rng[]): Rollout[] {
    return sampleBatch(this.kernels, this.config, this.params, prompts, o, rng);
  }

  exportState(): BackendState {
    const named = (get: (name: string) => Float32Array, shape: (name: string) => number[]) =>
      new Map([...this.params.keys()].map((k) => [k, { shape: shape(k), data: get(k).slice() }]));
    const shapeOf = (k: string) => this.params.get(k)?.shape ?? [];
    return {
      params: named((k) => this.params.get(k)?.data ?? new Float32Array(0), shapeOf),
      adamStep: this.adam.step,
      m: named((k) => this.adam.m.get(k) ?? new Float32Array(0), shapeOf),
      v: named((k) => this.adam.v.get(k) ?? new Float32Array(0), shapeOf),
    };
  }

  importState(s: BackendState): void {
    for (const [k, t] of this.params) {
      const p = s.params.get(k);
      const m = s.m.get(k);
      const v = s.v.get(k);
      if (p === undefined || m === undefined || v === undefined || p.data.length !== t.size) {
        throw new Error(`backend: checkpoint lacks or mis-sizes parameter ${k}`);
      }
      t.data.set(p.data);
      this.adam.m.get(k)?.set(m.data);
      this.adam.v.get(k)?.set(v.data);
    }
    this.adam.step = s.adamStep;
  }

  close(): void {
    this.kernels.close();
  }
}
