// adamw.ts: AdamW with decoupled weight decay (on matrices only, not biases, norms or the
// position table), global-norm gradient clipping, and a linear warm-up + cosine learning-rate
// schedule. Its moments are plain Float32Arrays so checkpoints can save them as safetensors.
import { z } from "zod";
import type { Params } from "./model.ts";

/** OptimConfigSchema validates optimizer and schedule settings. */
export const OptimConfigSchema = z.object({
  lr: z.number().positive().max(1).default(3e-3),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.99),
  eps: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).max(1).default(0.1),
  clip: z.number().positive().default(1),
  warmup: z.number().int().min(0).default(20),
  /** minLrRatio is the floor of the cosine as a fraction of lr. */
  minLrRatio: z.number().min(0).max(1).default(0.1),
});

/** OptimConfig is a validated optimizer configuration. */
export type OptimConfig = z.infer<typeof OptimConfigSchema>;

/** AdamState holds the step count and first/second moments per parameter name. */
export interface AdamState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/** newAdamState makes zero moments for every parameter. */
export function newAdamState(p: Params): AdamState {
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, t] of p) {
    m.set(name, new Float32Array(t.size));
    v.set(name, new Float32Array(t.size));
  }
  return { step: 0, m, v };
}

/** lrAt is the learning rate at a 0-based step: linear warm-up, then cosine down to minLrRatio·lr. */
export function lrAt(c: OptimConfig, step: number, totalSteps: number): number {
  if (step < c.warmup) return (c.lr * (step + 1)) / c.warmup;
  const span = Math.max(1, totalSteps - c.warmup);
  const progress = Math.min(1, (step - c.warmup) / span);
  const min = c.lr * c.minLrRatio;
  return min + 0.5 * (c.lr - min) * (1 + Math.cos(Math.PI * progress));
}

/** gradNorm is the global L2 norm of all gradients. */
export function gradNorm(p: Params): number {
  let s = 0;
  for (const t of p.values()) {
    const g = t.grad;
    if (g === null) continue;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  }
  return Math.sqrt(s);
}

function decays(name: string, rank: number): boolean {
  return rank >= 2 && name !== "wpe";
}

/** adamwStep clips gradients to c.clip, applies one AdamW update at lr and returns the pre-clip norm. */
export function adamwStep(p: Params, st: AdamState, c: OptimConfig, lr: number): number {
  const norm = gradNorm(p);
  const clipScale = norm > c.clip ? c.clip / norm : 1;
  st.step += 1;
  const bc1 = 1 - c.beta1 ** st.step;
  const bc2 = 1 - c.beta2 ** st.step;
  for (const [name, t] of p) {
    const g = t.grad;
    if (g === null) continue;
    const m = st.m.get(name);
    const v = st.v.get(name);
    if (m === undefined || v === undefined) throw new Error(`adamw: no moments for ${name}`);
    const w = t.data;
    const wd = decays(name, t.shape.length) ? lr * c.weightDecay : 0;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] * clipScale;
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * gi;
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * gi * gi;
      w[i] -= lr * ((m[i] / bc1) / (Math.sqrt(v[i] / bc2) + c.eps)) + wd * w[i];
    }
  }
  return norm;
}

/** zeroGrad clears every parameter's gradient. */
export function zeroGrad(p: Params): void {
  for (const t of p.values()) if (t.grad !== null) t.grad.fill(0);
}
