// share.ts: the control-block layout both threads of the WASM kernels read, and the function
// that runs one thread's share of a job (a gemm or a pointwise kernel). It is shared so the main
// thread and the worker split work by exactly the same rule.

/** GemmExports are the functions gemm.wasm exports. */
export interface GemmExports {
  pack(src: number, dst: number, k: number, n: number, rs: number, cs: number): void;
  gemm(a: number, sai: number, sak: number, bp: number, c: number, ldc: number, m0: number, m1: number,
    np: number, k: number, g: number, acc: number): void;
}

/** PointwiseExports are the functions pointwise.wasm exports. */
export interface PointwiseExports {
  gelu(x: number, y: number, th: number, i0: number, i1: number): void;
  geluBackward(x: number, th: number, g: number, xg: number, i0: number, i1: number): void;
  causalSoftmax(p: number, r0: number, r1: number, t: number, scale: number): void;
  softmaxBackward(p: number, dp: number, r0: number, r1: number, t: number, scale: number): void;
  layerNorm(x: number, w: number, b: number, y: number, mean: number, rstd: number, r0: number, r1: number, d: number, eps: number): void;
  layerNormBackward(x: number, w: number, g: number, mean: number, rstd: number, xg: number, wg: number, bg: number,
    r0: number, r1: number, d: number, withXg: number): void;
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
  batch: 12, strideA: 13, strideBp: 14, strideC: 15, acc: 16,
  // A pointwise job: which kernel, its array addresses, its length (elements or rows), the row
  // length t, a float parameter (as its bits) and a flag.
  op: 17, x0: 18, len: 28, t: 29, scale: 30, flag: 31, size: 32,
} as const;

/** OP numbers the jobs the control block can carry. */
export const OP = { gemm: 0, gelu: 1, geluBackward: 2, causalSoftmax: 3, softmaxBackward: 4, layerNorm: 5, layerNormBackward: 6 } as const;
/** POINTWISE_ARRAYS is how many array addresses a pointwise job can carry (slots x0 onwards). */
export const POINTWISE_ARRAYS = 10;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** floatBits is a float32's bits as an int32, so a float rides in the Int32 control block. */
export function floatBits(x: number): number {
  f32[0] = x;
  return i32[0];
}
function bitsFloat(b: number): number {
  i32[0] = b;
  return f32[0];
}

/**
 * runShare runs thread `part` (0 main, 1 worker) of the job in the control block: with one
 * batch the rows are split at a multiple of 4, otherwise the batches are split in halves.
 */
export function runShare(gemm: GemmExports, pw: PointwiseExports, ctrl: Int32Array, part: 0 | 1): void {
  if (ctrl[CTRL.op] !== OP.gemm) {
    runPointwise(pw, ctrl, part);
    return;
  }
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

/**
 * runPointwise runs thread `part`'s half of a pointwise job: elements split at a multiple of 4,
 * rows in halves. Layer norm's backward gives each thread its own weight- and bias-gradient pair.
 */
function runPointwise(pw: PointwiseExports, ctrl: Int32Array, part: 0 | 1): void {
  const len = ctrl[CTRL.len];
  const op = ctrl[CTRL.op];
  const byElements = op === OP.gelu || op === OP.geluBackward;
  const mid = byElements ? ((len >> 1) + 3) & ~3 : len >> 1;
  const [i0, i1] = part === 0 ? [0, mid] : [mid, len];
  const x = (i: number) => ctrl[CTRL.x0 + i];
  const scale = bitsFloat(ctrl[CTRL.scale]);
  const t = ctrl[CTRL.t];
  if (op === OP.gelu) pw.gelu(x(0), x(1), x(2), i0, i1);
  else if (op === OP.geluBackward) pw.geluBackward(x(0), x(1), x(2), x(3), i0, i1);
  else if (op === OP.causalSoftmax) pw.causalSoftmax(x(0), i0, i1, t, scale);
  else if (op === OP.softmaxBackward) pw.softmaxBackward(x(0), x(1), i0, i1, t, scale);
  else if (op === OP.layerNorm) pw.layerNorm(x(0), x(1), x(2), x(3), x(4), x(5), i0, i1, t, scale);
  else pw.layerNormBackward(x(0), x(1), x(2), x(3), x(4), x(5), x(6 + 2 * part), x(7 + 2 * part), i0, i1, t, ctrl[CTRL.flag]);
}
