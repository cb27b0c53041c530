// kernels.ts: the compute-kernel seam under the ops. A Kernels value does batched matrix
// multiplication, the only operation whose cost grows faster than its data, and the few
// element- and row-wise loops that cost most of the rest of a step (GELU and causal softmax,
// each an exp per element, and layer norm, forward and backward); everything else in ops.ts
// is a plain loop.
// naiveKernels is the reference twin every fast kernel is tested against (llm.c keeps
// matmul_forward_naive beside matmul_forward for the same reason).

/** GemmSpec describes C_b (+)= op(A_b) @ op(B_b) for b in [0, batch): op transposes when asked. */
export interface GemmSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** transA: A_b is stored (k, m) instead of (m, k). */
  transA: boolean;
  /** transB: B_b is stored (n, k) instead of (k, n). */
  transB: boolean;
  /** accumulate: add into C instead of overwriting it. */
  accumulate: boolean;
}

/** Kernels is a matrix-multiply implementation; C is always stored (batch, m, n). */
export interface Kernels {
  readonly name: string;
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, spec: GemmSpec): void;
  /** gelu writes y = gelu(x) (tanh form) and th = tanh of its inner argument, kept for the backward pass. */
  gelu(x: Float32Array, y: Float32Array, th: Float32Array): void;
  /** geluBackward adds g · gelu'(x) into xg. */
  geluBackward(x: Float32Array, th: Float32Array, g: Float32Array, xg: Float32Array): void;
  /** causalSoftmax turns rows of t raw scores into attention weights in place: row r keeps columns 0..r mod t, scaled. */
  causalSoftmax(p: Float32Array, rows: number, t: number, scale: number): void;
  /** softmaxBackward turns dp into the raw-score gradient in place: dp ← p ⊙ (dp − Σ dp ⊙ p) · scale per row. */
  softmaxBackward(p: Float32Array, dp: Float32Array, rows: number, t: number, scale: number): void;
  /** layerNorm normalises rows of d floats of x into y (scaled by w, shifted by b), keeping each row's mean and 1/std. */
  layerNorm(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, d: number, eps: number): void;
  /** layerNormBackward adds the gradients of layerNorm into xg (unless null), wg and bg. */
  layerNormBackward(x: Float32Array, w: Float32Array, g: Float32Array, mean: Float32Array, rstd: Float32Array,
    xg: Float32Array | null, wg: Float32Array, bg: Float32Array, rows: number, d: number): void;
  /**
   * alloc returns an array for activations and their gradients, valid until the next reset:
   * zeroed, unless zero is false — for an output the op overwrites whole, where zeroing hundreds
   * of megabytes a step would be wasted.
   */
  alloc(n: number, zero?: boolean): Float32Array;
  /** reset declares every array from alloc dead, so the next pass can reuse them. */
  reset(): void;
  /** close releases threads or memory the kernels hold. */
  close(): void;
}

/** gemmFlops is the number of floating-point operations a GemmSpec performs (2 per multiply-add). */
export function gemmFlops(s: GemmSpec): number {
  return 2 * s.batch * s.m * s.n * s.k;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** jsPointwise are the plain-JS element- and row-wise kernels, the reference for fast ones. */
export const jsPointwise: Pick<Kernels, "gelu" | "geluBackward" | "causalSoftmax" | "softmaxBackward" | "layerNorm" | "layerNormBackward"> = {
  gelu(x, y, th) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      // tanh through one exp (faster than Math.tanh here); u is clamped where tanh is ±1 in fp32.
      const u = Math.max(-15, Math.min(15, GELU_C * (v + 0.044715 * v * v * v)));
      const e = Math.exp(2 * u);
      const t = (e - 1) / (e + 1);
      th[i] = t;
      y[i] = 0.5 * v * (1 + t);
    }
  },
  geluBackward(x, th, g, xg) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const t = th[i];
      const du = GELU_C * (1 + 3 * 0.044715 * v * v);
      xg[i] += g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
    }
  },
  causalSoftmax(p, rows, t, scale) {
    for (let r = 0; r < rows; r++) {
      const off = r * t;
      const row = r % t;
      let max = -Infinity;
      for (let j = 0; j <= row; j++) max = Math.max(max, p[off + j] * scale);
      let sum = 0;
      for (let j = 0; j <= row; j++) {
        const e = Math.exp(p[off + j] * scale - max);
        p[off + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= row; j++) p[off + j] *= inv;
      for (let j = row + 1; j < t; j++) p[off + j] = 0;
    }
  },
  softmaxBackward(p, dp, rows, t, scale) {
    for (let r = 0; r < rows; r++) {
      const off = r * t;
      const row = r % t;
      let dot = 0;
      for (let j = 0; j <= row; j++) dot += dp[off + j] * p[off + j];
      for (let j = 0; j <= row; j++) dp[off + j] = p[off + j] * (dp[off + j] - dot) * scale;
      for (let j = row + 1; j < t; j++) dp[off + j] = 0;
    }
  },
  layerNorm(x, w, b, y, mean, rstd, rows, d, eps) {
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      let m = 0;
      for (let j = 0; j < d; j++) m += x[o + j];
      m /= d;
      let v = 0;
      for (let j = 0; j < d; j++) v += (x[o + j] - m) ** 2;
      const r = 1 / Math.sqrt(v / d + eps);
      mean[i] = m;
      rstd[i] = r;
      for (let j = 0; j < d; j++) y[o + j] = (x[o + j] - m) * r * w[j] + b[j];
    }
  },
  layerNormBackward(x, w, g, mean, rstd, xg, wg, bg, rows, d) {
    for (let i = 0; i < rows; i++) {
      const off = i * d;
      const m = mean[i];
      const r = rstd[i];
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < d; j++) {
        const xhat = (x[off + j] - m) * r;
        const gw = g[off + j] * w[j];
        sumG += gw;
        sumGX += gw * xhat;
        wg[j] += g[off + j] * xhat;
        bg[j] += g[off + j];
      }
      if (xg === null) continue;
      sumG /= d;
      sumGX /= d;
      for (let j = 0; j < d; j++) {
        const xhat = (x[off + j] - m) * r;
        xg[off + j] += r * (g[off + j] * w[j] - sumG - xhat * sumGX);
      }
    }
  },
};

/** naiveKernels is the obviously-correct reference: three loops, float64 accumulation. */
export const naiveKernels: Kernels = {
  ...jsPointwise,
  name: "naive",
  gemm(a, b, c, s) {
    const { m, n, k } = s;
    for (let bi = 0; bi < s.batch; bi++) {
      const ao = bi * m * k;
      const bo = bi * k * n;
      const co = bi * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let kk = 0; kk < k; kk++) {
            const av = s.transA ? a[ao + kk * m + i] : a[ao + i * k + kk];
            const bv = s.transB ? b[bo + j * k + kk] : b[bo + kk * n + j];
            acc += av * bv;
          }
          c[co + i * n + j] = s.accumulate ? c[co + i * n + j] + acc : acc;
        }
      }
    }
  },
  alloc: (n) => new Float32Array(n),
  reset() {},
  close() {},
};

/** jsKernels is a cache-friendlier pure-JS gemm (i-k-j order) used when WASM is unavailable. */
export const jsKernels: Kernels = {
  ...jsPointwise,
  name: "js",
  gemm(a, b, c, s) {
    const { m, n, k } = s;
    const row = new Float32Array(n);
    for (let bi = 0; bi < s.batch; bi++) {
      const ao = bi * m * k;
      const bo = bi * k * n;
      const co = bi * m * n;
      for (let i = 0; i < m; i++) {
        row.fill(0);
        for (let kk = 0; kk < k; kk++) {
          const av = s.transA ? a[ao + kk * m + i] : a[ao + i * k + kk];
          if (av === 0) continue;
          if (s.transB) for (let j = 0; j < n; j++) row[j] += av * b[bo + j * k + kk];
          else {
            const bro = bo + kk * n;
            for (let j = 0; j < n; j++) row[j] += av * b[bro + j];
          }
        }
        if (s.accumulate) for (let j = 0; j < n; j++) c[co + i * n + j] += row[j];
        else c.set(row, co + i * n);
      }
    }
  },
  alloc: (n) => new Float32Array(n),
  reset() {},
  close() {},
};

/**
 * Arena hands out zeroed arrays and takes them all back at reset. Arrays come from blocks whose
 * sizes are powers of two (the caller gets a view of exactly the length it asked for), so passes
 * whose shapes vary — RL microbatches and decode steps of different lengths — reuse the same few
 * blocks instead of allocating a new size each time; device memory that is never freed (wasm)
 * stays bounded. A training step allocates the same sizes every time, so after the first step
 * nothing new is allocated: no page faults, no garbage-collector pressure from large buffers.
 */
export class Arena {
  private used: Float32Array[] = [];
  private free = new Map<number, Float32Array[]>();
  private make: (n: number) => Float32Array;

  /** Arena constructor takes where new arrays come from (zeroed): the heap by default, or device memory. */
  constructor(make: (n: number) => Float32Array = (n) => new Float32Array(n)) {
    this.make = make;
  }

  /** sizeClass is the block size an array of n floats is carved from. */
  static sizeClass(n: number): number {
    return n <= 64 ? 64 : 2 ** Math.ceil(Math.log2(n));
  }

  /** alloc returns an array of n floats, zeroed unless zero is false (then its contents are stale). */
  alloc(n: number, zero = true): Float32Array {
    const size = Arena.sizeClass(n);
    const list = this.free.get(size);
    const reused = list !== undefined && list.length > 0 ? list.pop() : undefined;
    const block = reused ?? this.make(size);
    this.used.push(block);
    const out = block.subarray(0, n);
    if (reused !== undefined && zero) out.fill(0);
    return out;
  }

  /** reset returns every array handed out since the last reset. */
  reset(): void {
    for (const block of this.used) {
      const list = this.free.get(block.length);
      if (list === undefined) this.free.set(block.length, [block]);
      else list.push(block);
    }
    this.used = [];
  }
}
