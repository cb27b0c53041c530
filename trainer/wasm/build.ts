// build.ts: assembles the kernels' .wat sources into .wasm with wabt (`npm run build:wasm`). The
// .wasm files are checked in so the trainer needs no build step at run time; kernels.test.ts
// proves they are fresh.
import { readFile, writeFile } from "node:fs/promises";
import wabtInit from "wabt";

/** wasmModules are the kernel modules, each built from <name>.wat to <name>.wasm. */
export const wasmModules = ["gemm", "pointwise"] as const;
export type WasmModuleName = (typeof wasmModules)[number];

/** assemble returns the binary assembled from <name>.wat. */
export async function assemble(name: WasmModuleName): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const source = await readFile(new URL(`./${name}.wat`, import.meta.url), "utf8");
  const features = { simd: true, relaxed_simd: true, threads: true };
  const mod = wabt.parseWat(`${name}.wat`, source, features);
  // The typings omit validate's feature argument; without it shared memory is rejected.
  (mod as unknown as { validate(f: object): void }).validate(features);
  const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
  mod.destroy();
  return buffer;
}

if (import.meta.main) {
  for (const name of wasmModules) await writeFile(new URL(`./${name}.wasm`, import.meta.url), await assemble(name));
}
