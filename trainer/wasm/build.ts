// build.ts: assembles gemm.wat into gemm.wasm with wabt (`npm run build:wasm`). The .wasm is
// checked in so the trainer needs no build step at run time; wasm.test.ts proves it is fresh.
import { readFile, writeFile } from "node:fs/promises";
import wabtInit from "wabt";

/** assembleGemm returns the binary assembled from gemm.wat. */
export async function assembleGemm(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const source = await readFile(new URL("./gemm.wat", import.meta.url), "utf8");
  const features = { simd: true, relaxed_simd: true, threads: true };
  const mod = wabt.parseWat("gemm.wat", source, features);
  // The typings omit validate's feature argument; without it shared memory is rejected.
  (mod as unknown as { validate(f: object): void }).validate(features);
  const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
  mod.destroy();
  return buffer;
}

if (import.meta.main) {
  await writeFile(new URL("./gemm.wasm", import.meta.url), await assembleGemm());
}
