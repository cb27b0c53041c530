// worker.ts: the second thread of the WASM kernels. It instantiates gemm.wasm and pointwise.wasm
// on the shared memory and, each time the control word's sequence number moves, runs its share
// of the job written in the control block, then publishes completion. It holds no other state.
import { workerData } from "node:worker_threads";
import { CTRL, runShare, wasmApi, type GemmExports, type PointwiseExports, type WasmMemory } from "./share.ts";

const { modules, memory, control } = workerData as {
  modules: { gemm: object; pointwise: object };
  memory: WasmMemory;
  control: SharedArrayBuffer;
};
const ctrl = new Int32Array(control);
const instance = (m: object) => new (wasmApi().Instance)(m, { env: { memory } }).exports;
const gemm = instance(modules.gemm) as unknown as GemmExports;
const pw = instance(modules.pointwise) as unknown as PointwiseExports;
// Start from 0, not from the current word: the first job may already be posted before this line runs.
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.seq, seen);
  seen = Atomics.load(ctrl, CTRL.seq);
  if (seen < 0) break;
  runShare(gemm, pw, ctrl, 1);
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
