// checkpoint.ts: checkpoints on disk. One directory per checkpoint (step-000123/) holding
// model.safetensors (weights, with the model config in its metadata), optimizer.safetensors
// (AdamW moments), tokenizer.json and state.json (step, RNG state, data cursor, loop state).
// Each is written into a temporary directory that is then renamed into place, and the
// `latest` pointer file is replaced by rename too, so a crash never leaves a half checkpoint
// that a restart would pick up.
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackendState } from "./backend.ts";
import { GPTConfigSchema, type GPTConfig } from "./model.ts";
import type { RngState } from "./rng.ts";
import { decodeSafetensors, encodeSafetensors, type NamedArray } from "./safetensors.ts";

/** TrainState is the loop's resumable state beside the weights. */
export interface TrainState {
  /** step is the number of optimizer steps taken. */
  step: number;
  rng: RngState;
  /** cursor is the loop's position in its data (JSON-serialisable, loop-defined). */
  cursor: Record<string, unknown>;
}

/** Checkpoint is everything a checkpoint directory holds. */
export interface Checkpoint {
  config: GPTConfig;
  backend: BackendState;
  tokenizer: unknown;
  state: TrainState;
}

/** stepDirName is the directory name of the checkpoint after `step` steps. */
export function stepDirName(step: number): string {
  return `step-${String(step).padStart(6, "0")}`;
}

/**
 * saveCheckpoint writes a checkpoint atomically under root, points `latest` at it, then keeps
 * only the newest `keep` step directories (all when keep is absent); returns its path.
 */
export async function saveCheckpoint(root: string, ck: Checkpoint, keep?: number): Promise<string> {
  await mkdir(root, { recursive: true });
  const name = stepDirName(ck.state.step);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const moments = new Map<string, NamedArray>();
  for (const [k, t] of ck.backend.m) moments.set(`m.${k}`, t);
  for (const [k, t] of ck.backend.v) moments.set(`v.${k}`, t);
  await writeFile(join(tmp, "model.safetensors"), encodeSafetensors(ck.backend.params, { config: JSON.stringify(ck.config), format: "pt" }));
  await writeFile(join(tmp, "optimizer.safetensors"), encodeSafetensors(moments, { adamStep: String(ck.backend.adamStep) }));
  await writeFile(join(tmp, "tokenizer.json"), JSON.stringify(ck.tokenizer));
  await writeFile(join(tmp, "state.json"), JSON.stringify({ ...ck.state, optimizer: "optimizer.safetensors" }, null, 2));
  const final = join(root, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const ptr = join(root, `.tmp-latest-${process.pid}`);
  await writeFile(ptr, `${name}\n`);
  await rename(ptr, join(root, "latest"));
  if (keep !== undefined) {
    const steps = (await readdir(root)).filter((n) => /^step-\d+$/.test(n)).sort();
    for (const old of steps.slice(0, Math.max(0, steps.length - keep))) await rm(join(root, old), { recursive: true, force: true });
  }
  return final;
}

/** resolveCheckpoint turns a checkpoint root (with `latest`), a step directory or a file:// URI into a step directory. */
export async function resolveCheckpoint(pathOrUri: string): Promise<string> {
  const path = pathOrUri.startsWith("file://") ? new URL(pathOrUri).pathname : pathOrUri;
  try {
    const name = (await readFile(join(path, "latest"), "utf8")).trim();
    return join(path, name);
  } catch {
    return path;
  }
}

/** loadCheckpoint reads a checkpoint directory (or a root with `latest`). */
export async function loadCheckpoint(pathOrUri: string): Promise<Checkpoint & { path: string }> {
  const dir = await resolveCheckpoint(pathOrUri);
  const model = decodeSafetensors(await readFile(join(dir, "model.safetensors")));
  const opt = decodeSafetensors(await readFile(join(dir, "optimizer.safetensors")));
  const config = GPTConfigSchema.parse(JSON.parse(model.metadata.config ?? "{}"));
  const m = new Map<string, NamedArray>();
  const v = new Map<string, NamedArray>();
  for (const [k, t] of opt.tensors) {
    if (k.startsWith("m.")) m.set(k.slice(2), t);
    else if (k.startsWith("v.")) v.set(k.slice(2), t);
  }
  const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as TrainState;
  const tokenizer: unknown = JSON.parse(await readFile(join(dir, "tokenizer.json"), "utf8"));
  return { path: dir, config, tokenizer, state, backend: { params: model.tensors, adamStep: Number(opt.metadata.adamStep ?? 0), m, v } };
}
