// sample.ts: autoregressive sampling with the KV cache — temperature, optional top-p, stop at
// end-of-sequence or at a length limit (then the response is marked truncated) — and the
// per-token distribution measures the RL loop needs: log-probabilities and the entropy of
// softmax(logits / T) at several temperatures. No gradients are taken here.
import type { Kernels } from "./kernels.ts";
import { decodeStep, newKVCache, type GPTConfig, type Params } from "./model.ts";
import type { Rng } from "./rng.ts";

/** SampleOptions controls one sampling call. temperature 0 means greedy. */
export interface SampleOptions {
  temperature: number;
  /** topP keeps the smallest set of tokens whose probability reaches topP (1 = off). */
  topP: number;
  maxNewTokens: number;
  eos: number;
}

/** Rollout is one sampled response to one prompt. */
export interface Rollout {
  prompt: number[];
  response: number[];
  /** truncated is true when the response hit maxNewTokens or the context without emitting eos. */
  truncated: boolean;
}

/**
 * sampleBatch decodes all prompts in lockstep (one position per step for every sequence, so the
 * cache is one rectangle); a sequence starts sampling once its own prompt is consumed.
 */
export function sampleBatch(k: Kernels, c: GPTConfig, p: Params, prompts: number[][], o: SampleOptions, rng: Rng | Rng[]): Rollout[] {
  // One generator per sequence makes a rollout independent of which batch (or rank) it is drawn in.
  const rngOf = (s: number): Rng => (Array.isArray(rng) ? rng[s] : rng);
  const b = prompts.length;
  const cache = newKVCache(c, b);
  const out: Rollout[] = prompts.map((pr) => ({ prompt: pr, response: [], truncated: false }));
  const done = new Array<boolean>(b).fill(false);
  const tokens = new Int32Array(b);
  const probs = new Float64Array(c.vocab);
  const maxLen = Math.max(...prompts.map((x) => x.length));
  const last = Math.min(c.ctx, maxLen + o.maxNewTokens);
  for (let pos = 0; pos < last; pos++) {
    for (let s = 0; s < b; s++) {
      const pr = prompts[s];
      tokens[s] = pos < pr.length ? pr[pos] : (out[s].response[pos - pr.length] ?? o.eos);
    }
    k.reset(); // the previous step's activations are dead: reuse their buffers
    const logits = decodeStep(k, c, p, cache, tokens, pos); // (B, vocab)
    let active = 0;
    for (let s = 0; s < b; s++) {
      if (done[s] || pos < prompts[s].length - 1) {
        if (!done[s]) active++;
        continue;
      }
      const next = drawToken(logits.subarray(s * c.vocab, (s + 1) * c.vocab), o, rngOf(s), probs);
      const r = out[s];
      r.response.push(next);
      if (next === o.eos) done[s] = true;
      else if (r.response.length >= o.maxNewTokens || prompts[s].length + r.response.length >= c.ctx) {
        r.truncated = true;
        done[s] = true;
      } else active++;
    }
    if (active === 0) break;
  }
  return out;
}

/** drawToken samples one token id from logits at o.temperature with nucleus o.topP. */
export function drawToken(logits: Float32Array, o: Pick<SampleOptions, "temperature" | "topP">, rng: Rng, scratch?: Float64Array): number {
  const v = logits.length;
  if (o.temperature === 0) {
    let arg = 0;
    for (let j = 1; j < v; j++) if (logits[j] > logits[arg]) arg = j;
    return arg;
  }
  const probs = scratch ?? new Float64Array(v);
  let max = -Infinity;
  for (let j = 0; j < v; j++) max = Math.max(max, logits[j] / o.temperature);
  let sum = 0;
  for (let j = 0; j < v; j++) {
    probs[j] = Math.exp(logits[j] / o.temperature - max);
    sum += probs[j];
  }
  if (o.topP >= 1) {
    let u = rng.next() * sum;
    for (let j = 0; j < v; j++) {
      u -= probs[j];
      if (u < 0) return j;
    }
    return v - 1;
  }
  const order = Array.from({ length: v }, (_, j) => j).sort((a, b) => probs[b] - probs[a] || a - b);
  let kept = 0;
  let cum = 0;
  while (kept < v && cum < o.topP * sum) cum += probs[order[kept++]];
  let u = rng.next() * cum;
  for (let i = 0; i < kept; i++) {
    u -= probs[order[i]];
    if (u < 0) return order[i];
  }
  return order[kept - 1];
}

/** TokenStats are per-row log-probabilities of the targets and entropies, one array per temperature. */
export interface TokenStats {
  logprobs: Float32Array[];
  entropy: Float32Array[];
}

/**
 * tokenStats computes, for each row of logits (N, V) with weight ≠ 0, log softmax(logits/T)[target]
 * and the entropy of softmax(logits/T) for every T in temperatures (rows with weight 0 stay 0).
 */
export function tokenStats(logits: Float32Array, v: number, targets: Int32Array, mask: Float32Array, temperatures: number[]): TokenStats {
  const n = targets.length;
  const logprobs = temperatures.map(() => new Float32Array(n));
  const entropy = temperatures.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    const off = i * v;
    for (let ti = 0; ti < temperatures.length; ti++) {
      const t = temperatures[ti];
      let max = -Infinity;
      for (let j = 0; j < v; j++) max = Math.max(max, logits[off + j] / t);
      let sum = 0;
      let sx = 0;
      for (let j = 0; j < v; j++) {
        const z = logits[off + j] / t - max;
        const e = Math.exp(z);
        sum += e;
        sx += e * z;
      }
      const lse = Math.log(sum);
      // H = −Σ p log p with p = e^z / Σe^z: H = lse − Σ e^z z / Σ e^z
      entropy[ti][i] = lse - sx / sum;
      logprobs[ti][i] = logits[off + targets[i]] / t - max - lse;
    }
  }
  return { logprobs, entropy };
}
