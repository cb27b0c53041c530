// ops.ts: the differentiable operations of a decoder-only transformer, each computing its
// output and setting, right there, the closure that pushes the output's gradient to its
// inputs. Matrix products, GELU, causal softmax and layer norm go through a Kernels value
// (naive or WASM); the rest are plain loops. Not here: the graph walk (tensor.ts) and the
// model wiring (model.ts).
import type { Kernels } from "./kernels.ts";
import { Tensor } from "./tensor.ts";

function out(data: Float32Array, shape: number[], parents: Tensor[], alloc: (n: number) => Float32Array): Tensor {
  const t = new Tensor(data, shape, parents);
  t.alloc = alloc;
  return t;
}

/** embedding looks up rows of table (V, d) for ids (N) → (N, d). */
export function embedding(k: Kernels, table: Tensor, ids: Int32Array): Tensor {
  const d = table.shape[1];
  const y = k.alloc(ids.length * d, false);
  for (let i = 0; i < ids.length; i++) y.set(table.data.subarray(ids[i] * d, ids[i] * d + d), i * d);
  const o = out(y, [ids.length, d], [table], k.alloc);
  o.backwardFn = () => {
    const g = o.g();
    const tg = table.g();
    for (let i = 0; i < ids.length; i++) {
      const to = ids[i] * d;
      for (let j = 0; j < d; j++) tg[to + j] += g[i * d + j];
    }
  };
  return o;
}

/** positionRows returns rows 0..T-1 of a (ctx, d) table repeated B times → (B*T, d). */
export function positionRows(k: Kernels, table: Tensor, batch: number, t: number): Tensor {
  const ids = new Int32Array(batch * t);
  for (let b = 0; b < batch; b++) for (let i = 0; i < t; i++) ids[b * t + i] = i;
  return embedding(k, table, ids);
}

/** add is elementwise a + b (same shape). */
export function add(a: Tensor, b: Tensor): Tensor {
  const y = a.alloc(a.size, false);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] + b.data[i];
  const o = out(y, a.shape, [a, b], a.alloc);
  o.backwardFn = () => {
    const g = o.g();
    if (a.requiresGrad) addInto(a.g(), g);
    if (b.requiresGrad) addInto(b.g(), g);
  };
  return o;
}

/**
 * linear is x (N, in) @ w + bias: w is (in, out), or (out, in) when transW (a tied embedding
 * used as the output head) → (N, out).
 */
export function linear(k: Kernels, x: Tensor, w: Tensor, bias: Tensor | null, transW = false): Tensor {
  const [n, din] = x.shape;
  const dout = transW ? w.shape[0] : w.shape[1];
  const y = k.alloc(n * dout, false);
  // The bias goes in first, row by row (a memory copy), and the product is added onto it.
  if (bias !== null) for (let i = 0; i < n; i++) y.set(bias.data, i * dout);
  k.gemm(x.data, w.data, y, { batch: 1, m: n, n: dout, k: din, transA: false, transB: transW, accumulate: bias !== null });
  const o = out(y, [n, dout], bias === null ? [x, w] : [x, w, bias], k.alloc);
  o.backwardFn = () => {
    const g = o.g();
    if (x.requiresGrad) {
      // dx = g @ w^T (or g @ w when w is stored transposed); a fresh gradient needs no add.
      const fresh = x.grad === null;
      k.gemm(g, w.data, x.g(), { batch: 1, m: n, n: din, k: dout, transA: false, transB: !transW, accumulate: !fresh });
    }
    if (w.requiresGrad) {
      if (transW) k.gemm(g, x.data, w.g(), { batch: 1, m: dout, n: din, k: n, transA: true, transB: false, accumulate: true });
      else k.gemm(x.data, g, w.g(), { batch: 1, m: din, n: dout, k: n, transA: true, transB: false, accumulate: true });
    }
    if (bias !== null && bias.requiresGrad) {
      const bg = bias.g();
      for (let i = 0; i < n; i++) for (let j = 0; j < dout; j++) bg[j] += g[i * dout + j];
    }
  };
  return o;
}

/** layerNorm normalises each row of x (N, d) to zero mean, unit variance, then scales and shifts. */
export function layerNorm(k: Kernels, x: Tensor, w: Tensor, b: Tensor, eps = 1e-5): Tensor {
  const [n, d] = x.shape;
  const y = x.alloc(n * d, false);
  const mean = k.alloc(n, false);
  const rstd = k.alloc(n, false);
  k.layerNorm(x.data, w.data, b.data, y, mean, rstd, n, d, eps);
  const o = out(y, [n, d], [x, w, b], x.alloc);
  o.backwardFn = () => k.layerNormBackward(x.data, w.data, o.g(), mean, rstd, x.requiresGrad ? x.g() : null, w.g(), b.g(), n, d);
  return o;
}

/** rmsNorm scales each row of x (N, d) by the inverse root-mean-square, then by w. */
export function rmsNorm(x: Tensor, w: Tensor, eps = 1e-5): Tensor {
  const [n, d] = x.shape;
  const y = x.alloc(n * d, false);
  const rstd = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x.data[o + j] ** 2;
    const r = 1 / Math.sqrt(s / d + eps);
    rstd[i] = r;
    for (let j = 0; j < d; j++) y[o + j] = x.data[o + j] * r * w.data[j];
  }
  const o = out(y, [n, d], [x, w], x.alloc);
  o.backwardFn = () => {
    const g = o.g();
    const xg = x.requiresGrad ? x.g() : null;
    const wg = w.g();
    for (let i = 0; i < n; i++) {
      const off = i * d;
      const r = rstd[i];
      let dot = 0;
      for (let j = 0; j < d; j++) {
        wg[j] += g[off + j] * x.data[off + j] * r;
        dot += g[off + j] * w.data[j] * x.data[off + j];
      }
      if (xg === null) continue;
      const c = (r * r * r * dot) / d;
      for (let j = 0; j < d; j++) xg[off + j] += r * g[off + j] * w.data[j] - c * x.data[off + j];
    }
  };
  return o;
}

/** gelu is the tanh approximation of GELU, elementwise (GPT-2's). */
export function gelu(k: Kernels, x: Tensor): Tensor {
  const y = x.alloc(x.size, false);
  const th = x.alloc(x.size, false); // tanh of the inner argument, kept for the backward pass
  k.gelu(x.data, y, th);
  const o = out(y, x.shape, [x], x.alloc);
  o.backwardFn = () => k.geluBackward(x.data, th, o.g(), x.g());
  return o;
}

/** AttentionShape gives the batch, sequence length and head count of a packed qkv tensor. */
export interface AttentionShape {
  batch: number;
  t: number;
  heads: number;
}

/**
 * attention is causal multi-head self-attention on qkv (B*T, 3d), laid out per token as
 * [q | k | v] with head h at columns h*hs..(h+1)*hs → (B*T, d). Scores and weighted sums are
 * batched gemms over (B * heads).
 */
export function attention(kern: Kernels, qkv: Tensor, s: AttentionShape): Tensor {
  const { batch, t, heads } = s;
  const d = qkv.shape[1] / 3;
  const hs = d / heads;
  const bh = batch * heads;
  const scale = 1 / Math.sqrt(hs);
  // Every buffer here is overwritten whole (copies and non-accumulating gemms): none needs zeroing.
  const q = kern.alloc(bh * t * hs, false); // (B*nh, T, hs)
  const k = kern.alloc(bh * t * hs, false);
  const v = kern.alloc(bh * t * hs, false);
  splitHeads(qkv.data, [q, k, v], batch, t, heads, hs);
  const p = kern.alloc(bh * t * t, false); // (B*nh, T, T)
  kern.gemm(q, k, p, { batch: bh, m: t, n: t, k: hs, transA: false, transB: true, accumulate: false });
  kern.causalSoftmax(p, bh * t, t, scale);
  const y = kern.alloc(bh * t * hs, false);
  kern.gemm(p, v, y, { batch: bh, m: t, n: hs, k: t, transA: false, transB: false, accumulate: false });
  const merged = kern.alloc(batch * t * d, false);
  mergeHead(y, merged, batch, t, heads, hs, d, 0, false);
  const o = out(merged, [batch * t, d], [qkv], kern.alloc);
  o.backwardFn = () => {
    const dy = kern.alloc(bh * t * hs, false);
    splitHead(o.g(), dy, batch, t, heads, hs, d, 0);
    const dp = kern.alloc(bh * t * t, false);
    kern.gemm(dy, v, dp, { batch: bh, m: t, n: t, k: hs, transA: false, transB: true, accumulate: false });
    const dv = kern.alloc(bh * t * hs, false);
    kern.gemm(p, dy, dv, { batch: bh, m: t, n: hs, k: t, transA: true, transB: false, accumulate: false });
    kern.softmaxBackward(p, dp, bh * t, t, scale);
    const dq = kern.alloc(bh * t * hs, false);
    kern.gemm(dp, k, dq, { batch: bh, m: t, n: hs, k: t, transA: false, transB: false, accumulate: false });
    const dk = kern.alloc(bh * t * hs, false);
    kern.gemm(dp, q, dk, { batch: bh, m: t, n: hs, k: t, transA: true, transB: false, accumulate: false });
    // A fresh qkv gradient is overwritten whole; an existing one is added to.
    const fresh = qkv.grad === null;
    const qg = qkv.g();
    [dq, dk, dv].forEach((part, i) => mergeHead(part, qg, batch, t, heads, hs, 3 * d, i * d, !fresh));
  };
  return o;
}

function splitHeads(src: Float32Array, dst: Float32Array[], batch: number, t: number, heads: number, hs: number): void {
  const d = heads * hs;
  for (let part = 0; part < 3; part++) splitHead(src, dst[part], batch, t, heads, hs, 3 * d, part * d);
}

function splitHead(src: Float32Array, dst: Float32Array, batch: number, t: number, heads: number, hs: number,
  rowStride: number, colOff: number): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < t; i++) {
      const so = (b * t + i) * rowStride + colOff;
      for (let h = 0; h < heads; h++) {
        const doff = ((b * heads + h) * t + i) * hs;
        dst.set(src.subarray(so + h * hs, so + h * hs + hs), doff);
      }
    }
  }
}

/**
 * mergeHead is splitHead's inverse: it writes (B*nh, T, hs) head rows back into token rows of
 * width rowStride at column colOff, adding to what is there when accumulate is set.
 */
function mergeHead(src: Float32Array, dst: Float32Array, batch: number, t: number, heads: number, hs: number,
  rowStride: number, colOff: number, accumulate: boolean): void {
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < t; i++) {
        const so = ((b * heads + h) * t + i) * hs;
        const go = (b * t + i) * rowStride + colOff + h * hs;
        if (!accumulate) dst.set(src.subarray(so, so + hs), go);
        else for (let j = 0; j < hs; j++) dst[go + j] += src[so + j];
      }
    }
  }
}

/** logSoftmax is log(softmax(x / temperature)) over the last axis of x (N, V). */
export function logSoftmax(x: Tensor, temperature = 1): Tensor {
  const [n, v] = x.shape;
  const y = x.alloc(n * v);
  for (let i = 0; i < n; i++) {
    const off = i * v;
    let max = -Infinity;
    for (let j = 0; j < v; j++) max = Math.max(max, x.data[off + j] / temperature);
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(x.data[off + j] / temperature - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < v; j++) y[off + j] = x.data[off + j] / temperature - lse;
  }
  const o = out(y, x.shape, [x], x.alloc);
  o.backwardFn = () => {
    const g = o.g();
    const xg = x.g();
    for (let i = 0; i < n; i++) {
      const off = i * v;
      let gs = 0;
      for (let j = 0; j < v; j++) gs += g[off + j];
      for (let j = 0; j < v; j++) xg[off + j] += (g[off + j] - Math.exp(y[off + j]) * gs) / temperature;
    }
  };
  return o;
}

/**
 * crossEntropy is Σ_i weight_i · −log softmax(logits_i / temperature)[target_i] over rows of
 * logits (N, V) → scalar. Weights carry the loss mask and normalisation (SFT) or the
 * advantage (policy gradient: −A·log π = A·CE); a zero weight skips the row entirely.
 */
export function crossEntropy(logits: Tensor, targets: Int32Array, weights: Float32Array, temperature = 1): Tensor {
  const [n, v] = logits.shape;
  const probs = logits.alloc(n * v);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (weights[i] === 0) continue;
    const off = i * v;
    let max = -Infinity;
    for (let j = 0; j < v; j++) max = Math.max(max, logits.data[off + j] / temperature);
    let sum = 0;
    for (let j = 0; j < v; j++) {
      const e = Math.exp(logits.data[off + j] / temperature - max);
      probs[off + j] = e;
      sum += e;
    }
    for (let j = 0; j < v; j++) probs[off + j] /= sum;
    loss -= weights[i] * (logits.data[off + targets[i]] / temperature - max - Math.log(sum));
  }
  const o = out(new Float32Array([loss]), [1], [logits], logits.alloc);
  o.backwardFn = () => {
    const g = o.g()[0];
    const lg = logits.g();
    for (let i = 0; i < n; i++) {
      if (weights[i] === 0) continue;
      const off = i * v;
      const c = (g * weights[i]) / temperature;
      for (let j = 0; j < v; j++) lg[off + j] += c * probs[off + j];
      lg[off + targets[i]] -= c;
    }
  };
  return o;
}

/** addInto adds src into dst elementwise. */
export function addInto(dst: Float32Array, src: Float32Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}

/**
 * rope rotates the query and key parts of qkv (N, 3d) by rotary position embeddings (per head,
 * pairs (i, i + hs/2), base 10000) at each row's position; values pass through. → (N, 3d)
 */
export function rope(qkv: Tensor, positions: Int32Array, heads: number): Tensor {
  const [n, d3] = qkv.shape;
  const d = d3 / 3;
  const hs = d / heads;
  const half = hs >> 1;
  // One table row per distinct position (a batch repeats the same few), not per row of qkv.
  let maxPos = 0;
  for (let r = 0; r < n; r++) maxPos = Math.max(maxPos, positions[r]);
  const cosP = new Float32Array((maxPos + 1) * half);
  const sinP = new Float32Array((maxPos + 1) * half);
  for (let pos = 0; pos <= maxPos; pos++) {
    for (let i = 0; i < half; i++) {
      const a = pos * Math.pow(10000, (-2 * i) / hs);
      cosP[pos * half + i] = Math.cos(a);
      sinP[pos * half + i] = Math.sin(a);
    }
  }
  const y = qkv.alloc(qkv.size, false);
  y.set(qkv.data);
  const rotate = (src: Float32Array, dst: Float32Array, sign: number) => {
    for (let r = 0; r < n; r++) {
      for (let part = 0; part < 2; part++) {
        for (let h = 0; h < heads; h++) {
          const o = r * d3 + part * d + h * hs;
          const po = positions[r] * half;
          for (let i = 0; i < half; i++) {
            const c = cosP[po + i];
            const s = sign * sinP[po + i];
            const x1 = src[o + i];
            const x2 = src[o + i + half];
            dst[o + i] = x1 * c - x2 * s;
            dst[o + i + half] = x1 * s + x2 * c;
          }
        }
      }
    }
  };
  rotate(qkv.data, y, 1);
  const o = out(y, qkv.shape, [qkv], qkv.alloc);
  o.backwardFn = () => {
    // The rotation is orthogonal: its gradient is the inverse rotation (values pass straight).
    const g = o.g();
    const back = qkv.alloc(g.length, false);
    back.set(g);
    rotate(g, back, -1);
    addInto(qkv.g(), back);
  };
  return o;
}
