// share.ts: the control-block layout both threads of the WASM kernels read, and the function
// that runs one thread's share of a gemm job. It is shared so the main thread and the worker
// split work by exactly the same rule.

/** GemmExports are the functions gemm.wasm exports. */
export interface GemmExports {
  pack(src: number, dst: number, k: number, n: number, rs: number, cs: number): void;
  gemm(a: number, sai: number, sak: number, bp: number, c: number, ldc: number, m0: number, m1: number,
    np: number, k: number, g: number, acc: number): void;
}

/** WasmMemory is the part of WebAssembly.Memory the kernels use. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** WasmApi is the part of the WebAssembly global the kernels use (the TS lib here omits it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: object, imports: object) => { exports: object };
}

/** wasmApi returns the runtime's WebAssembly global. */
export function wasmApi(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}

/** CTRL names the Int32 slots of the control block. */
export const CTRL = {
  seq: 0, done: 1, a: 2, sai: 3, sak: 4, bp: 5, c: 6, ldc: 7, m: 8, np: 9, k: 10, g: 11,
  batch: 12, strideA: 13, strideBp: 14, strideC: 15, acc: 16, size: 17,
} as const;

/**
 * runShare runs thread `part` (0 main, 1 worker) of the job in the control block: with one
 * batch the rows are split at a multiple of 4, otherwise the batches are split in halves.
 */
export function runShare(gemm: GemmExports, ctrl: Int32Array, part: 0 | 1): void {
  const m = ctrl[CTRL.m];
  const batch = ctrl[CTRL.batch];
  const args = (b: number, m0: number, m1: number) =>
    gemm.gemm(ctrl[CTRL.a] + b * ctrl[CTRL.strideA], ctrl[CTRL.sai], ctrl[CTRL.sak],
      ctrl[CTRL.bp] + b * ctrl[CTRL.strideBp], ctrl[CTRL.c] + b * ctrl[CTRL.strideC], ctrl[CTRL.ldc],
      m0, m1, ctrl[CTRL.np], ctrl[CTRL.k], ctrl[CTRL.g], ctrl[CTRL.acc]);
  if (batch === 1) {
    const mid = Math.min(m, ((m >> 1) + 3) & ~3);
    if (part === 0) args(0, 0, mid);
    else args(0, mid, m);
    return;
  }
  const half = batch >> 1;
  const [b0, b1] = part === 0 ? [0, half] : [half, batch];
  for (let b = b0; b < b1; b++) args(b, 0, m);
}
