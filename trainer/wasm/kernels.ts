// kernels.ts (wasm): the fast Kernels. Operands are copied into one shared WebAssembly memory,
// B is packed into 8-column panels, and the multiply runs in gemm.wasm (SIMD, fused
// multiply-add) on the calling thread and, for large jobs, on a second worker thread at the
// same time. GELU, causal softmax and layer norm run in pointwise.wasm the same way, on arrays
// the arena placed in wasm memory (anything else takes the JS path). The calls stay synchronous:
// the main thread blocks on an Atomics word until the worker's half is done, so the ops above
// never see a promise.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { Arena, jsPointwise, type GemmSpec, type Kernels } from "../kernels.ts";
import { CTRL, floatBits, OP, POINTWISE_ARRAYS, runShare, wasmApi, type GemmExports, type PointwiseExports, type WasmMemory } from "./share.ts";

const PAGE = 65536;
/** Jobs below this many multiply-adds run on one thread: waking the worker costs more. */
const PARALLEL_MIN_MACS = 1 << 18;
/** Pointwise jobs below this many elements run on one thread, for the same reason. */
const PARALLEL_MIN_ELEMENTS = 1 << 14;

/** wasmBytes returns a checked-in kernel module (gemm.wasm or pointwise.wasm). */
export function wasmBytes(name: "gemm" | "pointwise"): Uint8Array {
  return readFileSync(new URL(`./${name}.wasm`, import.meta.url));
}

/** WasmKernelOptions chooses how many threads the kernels use (1 or 2). */
export interface WasmKernelOptions {
  threads: 1 | 2;
}

/** createWasmKernels instantiates gemm.wasm on a fresh shared memory and starts the worker. */
export function createWasmKernels(opts: WasmKernelOptions = { threads: 2 }): Kernels {
  const wa = wasmApi();
  const modules = { gemm: new wa.Module(wasmBytes("gemm")), pointwise: new wa.Module(wasmBytes("pointwise")) };
  const memory = new wa.Memory({ initial: 256, maximum: 32768, shared: true });
  const gemm = new wa.Instance(modules.gemm, { env: { memory } }).exports as unknown as GemmExports;
  const pw = new wa.Instance(modules.pointwise, { env: { memory } }).exports as unknown as PointwiseExports;
  const h = newWasmHeap(memory);
  const threads = startThreads(opts.threads, { modules, memory }, gemm, pw);
  const { ctrl } = threads;
  const inWasm = h.inWasm;
  /** inMemory returns x itself when the kernels can read it in place, else a copy in wasm memory. */
  function inMemory(x: Float32Array): Float32Array {
    if (inWasm(x)) return x;
    const c = arena.alloc(x.length, false);
    c.set(x);
    return c;
  }
  /** pointwise posts an element- or row-wise job over len elements (or rows of t). */
  function pointwise(op: number, arrays: Float32Array[], len: number, t: number, scale: number, elements: number): void {
    ctrl[CTRL.op] = op;
    if (arrays.length > POINTWISE_ARRAYS) throw new Error(`kernels: a pointwise job carries at most ${POINTWISE_ARRAYS} arrays`);
    for (let i = 0; i < arrays.length; i++) ctrl[CTRL.x0 + i] = arrays[i].byteOffset;
    ctrl[CTRL.len] = len;
    ctrl[CTRL.t] = t;
    ctrl[CTRL.scale] = floatBits(scale);
    threads.run(elements >= PARALLEL_MIN_ELEMENTS);
  }
  // The arena's arrays live in wasm memory, so activations go in and out of the kernel uncopied.
  const arena = new Arena((n) => {
    const off = h.reserve(n * 4); // first: it may grow the memory, and the view must be on the grown buffer
    return new Float32Array(memory.buffer, off, n);
  });

  return {
    name: opts.threads === 2 ? "wasm-simd-2t" : "wasm-simd",
    gemm: (a, b, c, s) => wasmGemm(h, threads, gemm, { a, b, c, s }),
    gelu(x, y, th): void {
      const n = x.length & ~3;
      if (!inWasm(x, y, th) || n === 0) return jsPointwise.gelu(x, y, th);
      pointwise(OP.gelu, [x, y, th], n, 0, 0, n);
      if (n < x.length) jsPointwise.gelu(x.subarray(n), y.subarray(n), th.subarray(n));
    },
    geluBackward(x, th, g, xg): void {
      const n = x.length & ~3;
      if (!inWasm(x, th, g, xg) || n === 0) return jsPointwise.geluBackward(x, th, g, xg);
      pointwise(OP.geluBackward, [x, th, g, xg], n, 0, 0, n);
      if (n < x.length) jsPointwise.geluBackward(x.subarray(n), th.subarray(n), g.subarray(n), xg.subarray(n));
    },
    causalSoftmax(p, rows, t, scale): void {
      if (!inWasm(p) || t % 4 !== 0) return jsPointwise.causalSoftmax(p, rows, t, scale);
      pointwise(OP.causalSoftmax, [p], rows, t, scale, rows * t);
    },
    softmaxBackward(p, dp, rows, t, scale): void {
      if (!inWasm(p, dp) || t % 4 !== 0) return jsPointwise.softmaxBackward(p, dp, rows, t, scale);
      pointwise(OP.softmaxBackward, [p, dp], rows, t, scale, rows * t);
    },
    layerNorm(x, w, b, y, mean, rstd, rows, d, eps): void {
      if (!inWasm(x, y, mean, rstd) || d % 4 !== 0) return jsPointwise.layerNorm(x, w, b, y, mean, rstd, rows, d, eps);
      pointwise(OP.layerNorm, [x, inMemory(w), inMemory(b), y, mean, rstd], rows, d, eps, rows * d);
    },
    layerNormBackward(x, w, g, mean, rstd, xg, wg, bg, rows, d): void {
      if (!inWasm(x, g, mean, rstd) || (xg !== null && !inWasm(xg)) || d % 4 !== 0) {
        return jsPointwise.layerNormBackward(x, w, g, mean, rstd, xg, wg, bg, rows, d);
      }
      // Each thread sums its rows' weight and bias gradients into its own pair; both land here.
      const parts = arena.alloc(4 * d);
      const [wg0, bg0, wg1, bg1] = [0, 1, 2, 3].map((i) => parts.subarray(i * d, i * d + d));
      ctrl[CTRL.flag] = xg === null ? 0 : 1;
      pointwise(OP.layerNormBackward, [x, inMemory(w), g, mean, rstd, xg ?? g, wg0, bg0, wg1, bg1], rows, d, 0, rows * d);
      for (let j = 0; j < d; j++) {
        wg[j] += wg0[j] + wg1[j];
        bg[j] += bg0[j] + bg1[j];
      }
    },
    alloc: (n: number, zero?: boolean) => arena.alloc(n, zero),
    reset: () => arena.reset(),
    close: () => threads.close(),
  };
}

/** WasmHeap is the shared wasm memory as JS sees it: a bump allocator and a view over all of it. */
interface WasmHeap {
  /** heap views the whole memory; it is replaced (and so must be read anew) when the memory grows. */
  heap: Float32Array;
  /** reserve bump-allocates bytes, 16-byte aligned, growing the memory if needed; returns the byte offset. */
  reserve(bytes: number): number;
  /** scratchFor returns the byte offset of a scratch block of at least bytes, reused from call to call. */
  scratchFor(bytes: number): number;
  /** owns says whether x is a view on this memory. */
  owns(x: Float32Array): boolean;
  /** inWasm says whether every array is in this memory and 16-byte aligned, as pointwise.wasm reads whole vectors. */
  inWasm(...xs: Float32Array[]): boolean;
}

/** newWasmHeap wraps memory, with nothing allocated yet. */
function newWasmHeap(memory: WasmMemory): WasmHeap {
  // Every ArrayBuffer object this memory has shown us: a Float32Array on one of them lives in
  // wasm memory, so the kernel can read or write it in place instead of copying.
  const ours = new Set<ArrayBufferLike>([memory.buffer]);
  let top = 0; // bytes handed out so far (arena blocks and scratch), bump-allocated
  let scratch = { off: 0, bytes: 0 };
  const owns = (x: Float32Array): boolean => ours.has(x.buffer);
  const h: WasmHeap = {
    heap: new Float32Array(memory.buffer),
    reserve(bytes) {
      const off = (top + 15) & ~15;
      top = off + bytes;
      const have = memory.buffer.byteLength;
      if (top > have) memory.grow(Math.ceil((top - have) / PAGE));
      if (h.heap.byteLength !== memory.buffer.byteLength) {
        h.heap = new Float32Array(memory.buffer);
        ours.add(memory.buffer);
      }
      return off;
    },
    scratchFor(bytes) {
      if (scratch.bytes < bytes) scratch = { off: h.reserve(Math.ceil(bytes * 1.25)), bytes: Math.ceil(bytes * 1.25) };
      return scratch.off;
    },
    owns,
    inWasm: (...xs) => xs.every((x) => owns(x) && (x.byteOffset & 15) === 0),
  };
  return h;
}

/** Threads runs the job described in the control block on this thread and, with two threads, on the worker. */
interface Threads {
  ctrl: Int32Array;
  /** run posts the job to both threads (or runs both halves here) and returns when it is done. */
  run(parallel: boolean): void;
  /** close ends the worker. */
  close(): void;
}

/** startThreads creates the control block and, for two threads, starts the worker on the same modules and memory. */
function startThreads(n: 1 | 2, shared: { modules: Record<"gemm" | "pointwise", object>; memory: WasmMemory }, gemm: GemmExports, pw: PointwiseExports): Threads {
  const control = new SharedArrayBuffer(CTRL.size * 4);
  const ctrl = new Int32Array(control);
  let worker: Worker | null = null;
  if (n === 2) {
    worker = new Worker(new URL("./worker.ts", import.meta.url), { workerData: { ...shared, control } });
    worker.unref();
  }
  let seq = 0;
  return {
    ctrl,
    run(parallel) {
      if (parallel && worker !== null) {
        seq = (seq + 1) & 0x3fffffff;
        Atomics.store(ctrl, CTRL.seq, seq);
        Atomics.notify(ctrl, CTRL.seq);
        runShare(gemm, pw, ctrl, 0);
        while (Atomics.load(ctrl, CTRL.done) !== seq) Atomics.wait(ctrl, CTRL.done, Atomics.load(ctrl, CTRL.done), 50);
        return;
      }
      runShare(gemm, pw, ctrl, 0);
      runShare(gemm, pw, ctrl, 1);
    },
    close() {
      if (worker !== null) {
        Atomics.store(ctrl, CTRL.seq, -1);
        Atomics.notify(ctrl, CTRL.seq);
        void worker.terminate();
        worker = null;
      }
    },
  };
}

/** wasmGemm computes c (+)= op(a)·op(b) for s in gemm.wasm: operands outside wasm memory are copied in, B is packed into 8-column panels. */
function wasmGemm(h: WasmHeap, threads: Threads, gemm: GemmExports, op: { a: Float32Array; b: Float32Array; c: Float32Array; s: GemmSpec }): void {
  const { a, b, c, s } = op;
  const { ctrl } = threads;
  const { batch, m, n, k } = s;
  const np = (n + 7) >> 3;
  const ldc = np * 8;
  const aIn = h.owns(a);
  const bIn = h.owns(b);
  const cIn = h.owns(c) && ldc === n;
  // Scratch layout (floats): [A copy] [raw B copy] packed B [C], each 16-byte aligned.
  const aLen = aIn ? 0 : align4(batch * m * k);
  const bLen = bIn ? 0 : align4(batch * k * n);
  const bpLen = align4(batch * np * 8 * k);
  const cLen = cIn ? 0 : batch * m * ldc;
  const base = h.scratchFor((aLen + bLen + bpLen + cLen) * 4) / 4;
  const heap = h.heap; // after scratchFor, which may grow the memory
  const aOff = aIn ? a.byteOffset / 4 : base;
  const bOff = bIn ? b.byteOffset / 4 : base + aLen;
  const bpOff = base + aLen + bLen;
  const cOff = cIn ? c.byteOffset / 4 : bpOff + bpLen;
  if (!aIn) heap.set(a.subarray(0, batch * m * k), aOff);
  if (!bIn) heap.set(b.subarray(0, batch * k * n), bOff);
  if (!cIn && s.accumulate) copyIn(heap, cOff, c, batch * m, n, ldc);
  for (let bi = 0; bi < batch; bi++) {
    const src = (bOff + bi * k * n) * 4;
    const dst = (bpOff + bi * np * 8 * k) * 4;
    if (s.transB) gemm.pack(src, dst, k, n, 1, k);
    else gemm.pack(src, dst, k, n, n, 1);
  }
  ctrl[CTRL.a] = aOff * 4;
  ctrl[CTRL.sai] = s.transA ? 1 : k;
  ctrl[CTRL.sak] = s.transA ? m : 1;
  ctrl[CTRL.bp] = bpOff * 4;
  ctrl[CTRL.c] = cOff * 4;
  ctrl[CTRL.ldc] = ldc;
  ctrl[CTRL.m] = m;
  ctrl[CTRL.np] = np;
  ctrl[CTRL.k] = k;
  // A group of panels is about 64 KiB of packed B, so it stays in L2 while rows stream by.
  ctrl[CTRL.g] = Math.max(1, Math.floor(2048 / Math.max(1, k)));
  ctrl[CTRL.batch] = batch;
  ctrl[CTRL.strideA] = m * k * 4;
  ctrl[CTRL.strideBp] = np * 8 * k * 4;
  ctrl[CTRL.strideC] = m * ldc * 4;
  ctrl[CTRL.acc] = s.accumulate ? 1 : 0;
  ctrl[CTRL.op] = OP.gemm;
  threads.run(batch * m * n * k >= PARALLEL_MIN_MACS && (batch > 1 || m >= 8));
  if (!cIn) copyOut(heap, cOff, c, batch * m, n, ldc);
}

function align4(x: number): number {
  return (x + 3) & ~3;
}

function copyIn(heap: Float32Array, off: number, c: Float32Array, rows: number, n: number, ldc: number): void {
  if (ldc === n) heap.set(c.subarray(0, rows * n), off);
  else for (let r = 0; r < rows; r++) heap.set(c.subarray(r * n, r * n + n), off + r * ldc);
}

function copyOut(heap: Float32Array, off: number, c: Float32Array, rows: number, n: number, ldc: number): void {
  if (ldc === n) c.set(heap.subarray(off, off + rows * n));
  else for (let r = 0; r < rows; r++) c.set(heap.subarray(off + r * ldc, off + r * ldc + n), r * n);
}
