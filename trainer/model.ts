// model.ts: the GPT. Config, parameters (token + position embeddings, pre-norm blocks of
// causal multi-head attention and a GELU MLP, final norm, tied or untied head), the training
// forward pass over a (B, T) batch, and a one-token decode step against a KV cache for
// sampling. It holds no optimizer and no loop: those are adamw.ts, sft.ts and grpo.ts.
import { z } from "zod";
import type { Kernels } from "./kernels.ts";
import { add, attention, embedding, gelu, layerNorm, linear, positionRows, rmsNorm, rope } from "./ops.ts";
import type { Rng } from "./rng.ts";
import { constant, param, type Tensor } from "./tensor.ts";

/** GPTConfigSchema validates a model's shape; the defaults are the demo model. */
export const GPTConfigSchema = z.object({
  vocab: z.number().int().min(2).max(1 << 20),
  d: z.number().int().min(2).max(8192).default(128),
  layers: z.number().int().min(1).max(128).default(4),
  heads: z.number().int().min(1).max(128).default(4),
  ctx: z.number().int().min(2).max(1 << 16).default(128),
  mlpRatio: z.number().int().min(1).max(16).default(4),
  tied: z.boolean().default(true),
  norm: z.enum(["layernorm", "rmsnorm"]).default("layernorm"),
  /** positions: rotary embeddings on queries and keys (relative, learns offsets fast) or a learned table. */
  positions: z.enum(["rope", "learned"]).default("rope"),
});

/** GPTConfig is a validated model shape. */
export type GPTConfig = z.infer<typeof GPTConfigSchema>;

/** Params maps parameter names (safetensors keys) to tensors, in a fixed order. */
export type Params = Map<string, Tensor>;

/** paramShapes lists every parameter's name and shape in checkpoint order. */
export function paramShapes(c: GPTConfig): Array<[string, number[]]> {
  const s: Array<[string, number[]]> = [["wte", [c.vocab, c.d]]];
  if (c.positions === "learned") s.push(["wpe", [c.ctx, c.d]]);
  const ln = (name: string) => {
    s.push([`${name}.weight`, [c.d]]);
    if (c.norm === "layernorm") s.push([`${name}.bias`, [c.d]]);
  };
  for (let l = 0; l < c.layers; l++) {
    const p = `h.${l}`;
    ln(`${p}.ln1`);
    s.push([`${p}.attn.qkv.weight`, [c.d, 3 * c.d]], [`${p}.attn.qkv.bias`, [3 * c.d]]);
    s.push([`${p}.attn.proj.weight`, [c.d, c.d]], [`${p}.attn.proj.bias`, [c.d]]);
    ln(`${p}.ln2`);
    s.push([`${p}.mlp.fc.weight`, [c.d, c.mlpRatio * c.d]], [`${p}.mlp.fc.bias`, [c.mlpRatio * c.d]]);
    s.push([`${p}.mlp.proj.weight`, [c.mlpRatio * c.d, c.d]], [`${p}.mlp.proj.bias`, [c.d]]);
  }
  ln("lnf");
  if (!c.tied) s.push(["head.weight", [c.d, c.vocab]]);
  return s;
}

/** initParams draws GPT-2 style weights: N(0, 0.02), residual projections scaled by 1/√(2L). */
export function initParams(c: GPTConfig, rng: Rng): Params {
  if (c.d % c.heads !== 0) throw new Error(`model: d ${c.d} is not divisible by heads ${c.heads}`);
  const params: Params = new Map();
  for (const [name, shape] of paramShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.endsWith(".bias")) data.fill(0);
    else if (shape.length === 1) data.fill(1);
    else {
      const std = name.endsWith("proj.weight") ? 0.02 / Math.sqrt(2 * c.layers) : 0.02;
      for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    }
    params.set(name, param(data, shape));
  }
  return params;
}

/** countParams is the number of scalar parameters. */
export function countParams(p: Params): number {
  let n = 0;
  for (const t of p.values()) n += t.size;
  return n;
}

function get(p: Params, name: string): Tensor {
  const t = p.get(name);
  if (t === undefined) throw new Error(`model: missing parameter ${name}`);
  return t;
}

function norm(k: Kernels, c: GPTConfig, p: Params, name: string, x: Tensor): Tensor {
  return c.norm === "layernorm"
    ? layerNorm(k, x, get(p, `${name}.weight`), get(p, `${name}.bias`))
    : rmsNorm(x, get(p, `${name}.weight`));
}

function head(k: Kernels, c: GPTConfig, p: Params, x: Tensor): Tensor {
  return c.tied ? linear(k, x, get(p, "wte"), null, true) : linear(k, x, get(p, "head.weight"), null);
}

function mlp(k: Kernels, p: Params, pre: string, h: Tensor): Tensor {
  const u = gelu(k, linear(k, h, get(p, `${pre}.mlp.fc.weight`), get(p, `${pre}.mlp.fc.bias`))); // (N, mlpRatio*d)
  return linear(k, u, get(p, `${pre}.mlp.proj.weight`), get(p, `${pre}.mlp.proj.bias`)); // (N, d)
}

/** forward runs the model on ids (B*T) laid out as B rows of T tokens → logits (B*T, vocab). */
export function forward(k: Kernels, c: GPTConfig, p: Params, ids: Int32Array, batch: number, t: number): Tensor {
  if (t > c.ctx) throw new Error(`model: sequence length ${t} exceeds ctx ${c.ctx}`);
  let x = embedding(k, get(p, "wte"), ids); // (B*T, d)
  if (c.positions === "learned") x = add(x, positionRows(k, get(p, "wpe"), batch, t));
  const pos = Int32Array.from({ length: batch * t }, (_, i) => i % t);
  for (let l = 0; l < c.layers; l++) {
    const pre = `h.${l}`;
    let qkv = linear(k, norm(k, c, p, `${pre}.ln1`, x), get(p, `${pre}.attn.qkv.weight`), get(p, `${pre}.attn.qkv.bias`)); // (B*T, 3d)
    if (c.positions === "rope") qkv = rope(qkv, pos, c.heads);
    const a = attention(k, qkv, { batch, t, heads: c.heads }); // (B*T, d)
    x = add(x, linear(k, a, get(p, `${pre}.attn.proj.weight`), get(p, `${pre}.attn.proj.bias`)));
    x = add(x, mlp(k, p, pre, norm(k, c, p, `${pre}.ln2`, x)));
  }
  return head(k, c, p, norm(k, c, p, "lnf", x)); // (B*T, vocab)
}

/** KVCache holds each layer's keys and values for B sequences decoded in lockstep. */
export interface KVCache {
  batch: number;
  /** keys[l] and values[l] are (B, ctx, d). */
  keys: Float32Array[];
  values: Float32Array[];
}

/** newKVCache allocates an empty cache for B sequences. */
export function newKVCache(c: GPTConfig, batch: number): KVCache {
  const mk = () => Array.from({ length: c.layers }, () => new Float32Array(batch * c.ctx * c.d));
  return { batch, keys: mk(), values: mk() };
}

/**
 * decodeStep feeds one token per sequence at position pos (the same for all B), appends its
 * keys and values to the cache and returns next-token logits (B, vocab). No graph is kept.
 */
export function decodeStep(k: Kernels, c: GPTConfig, p: Params, cache: KVCache, tokens: Int32Array, pos: number): Float32Array {
  const b = cache.batch;
  const d = c.d;
  const hs = d / c.heads;
  const scale = 1 / Math.sqrt(hs);
  if (pos >= c.ctx) throw new Error(`model: position ${pos} exceeds ctx ${c.ctx}`);
  const posIds = new Int32Array(b).fill(pos);
  let x = embedding(k, get(p, "wte"), tokens); // (B, d)
  if (c.positions === "learned") x = add(x, embedding(k, get(p, "wpe"), posIds));
  const scores = new Float32Array(pos + 1);
  for (let l = 0; l < c.layers; l++) {
    const pre = `h.${l}`;
    let qkvT = linear(k, norm(k, c, p, `${pre}.ln1`, x), get(p, `${pre}.attn.qkv.weight`), get(p, `${pre}.attn.qkv.bias`)); // (B, 3d)
    if (c.positions === "rope") qkvT = rope(qkvT, posIds, c.heads);
    const qkv = qkvT.data;
    const kc = cache.keys[l];
    const vc = cache.values[l];
    const att = k.alloc(b * d); // (B, d)
    for (let s = 0; s < b; s++) {
      const row = (s * c.ctx + pos) * d;
      kc.set(qkv.subarray(s * 3 * d + d, s * 3 * d + 2 * d), row);
      vc.set(qkv.subarray(s * 3 * d + 2 * d, s * 3 * d + 3 * d), row);
      for (let h = 0; h < c.heads; h++) {
        const qo = s * 3 * d + h * hs;
        let max = -Infinity;
        for (let j = 0; j <= pos; j++) {
          const ko = (s * c.ctx + j) * d + h * hs;
          let dot = 0;
          for (let e = 0; e < hs; e++) dot += qkv[qo + e] * kc[ko + e];
          scores[j] = dot * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j <= pos; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const ao = s * d + h * hs;
        for (let j = 0; j <= pos; j++) {
          const w = scores[j] / sum;
          const vo = (s * c.ctx + j) * d + h * hs;
          for (let e = 0; e < hs; e++) att[ao + e] += w * vc[vo + e];
        }
      }
    }
    const a = constant(att, [b, d]);
    a.alloc = k.alloc;
    x = add(x, linear(k, a, get(p, `${pre}.attn.proj.weight`), get(p, `${pre}.attn.proj.bias`)));
    x = add(x, mlp(k, p, pre, norm(k, c, p, `${pre}.ln2`, x)));
  }
  return head(k, c, p, norm(k, c, p, "lnf", x)).data; // (B, vocab)
}

/** flopsPerToken is the matmul FLOPs of one training token (forward + backward, 3× forward). */
export function flopsPerToken(c: GPTConfig, t: number): number {
  const perLayer = 2 * (3 * c.d * c.d + c.d * c.d + 2 * c.mlpRatio * c.d * c.d) + 2 * 2 * t * c.d;
  return 3 * (c.layers * perLayer + 2 * c.d * c.vocab);
}
