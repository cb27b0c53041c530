// kernels.ts: the compute-kernel seam under the ops. A Kernels value does batched matrix
// multiplication, the only operation whose cost grows faster than its data; everything else in
// ops.ts is a plain loop. naiveKernels is the reference twin every fast kernel is tested
// against (llm.c keeps matmul_forward_naive beside matmul_forward for the same reason).

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
  /** alloc returns a zeroed array for activations and their gradients, valid until the next reset. */
  alloc(n: number): Float32Array;
  /** reset declares every array from alloc dead, so the next pass can reuse them. */
  reset(): void;
  /** close releases threads or memory the kernels hold. */
  close(): void;
}

/** gemmFlops is the number of floating-point operations a GemmSpec performs (2 per multiply-add). */
export function gemmFlops(s: GemmSpec): number {
  return 2 * s.batch * s.m * s.n * s.k;
}

/** naiveKernels is the obviously-correct reference: three loops, float64 accumulation. */
export const naiveKernels: Kernels = {
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

  /** alloc returns a zeroed array of n floats. */
  alloc(n: number): Float32Array {
    const size = Arena.sizeClass(n);
    const list = this.free.get(size);
    const reused = list !== undefined && list.length > 0 ? list.pop() : undefined;
    const block = reused ?? this.make(size);
    this.used.push(block);
    const out = block.subarray(0, n);
    if (reused !== undefined) out.fill(0);
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
