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
  close() {},
};
