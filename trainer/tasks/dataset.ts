// dataset: training and held-out sets of generated problems with teacher traces. The split is
// a property of the prompt itself (a hash of its text), not of the seed or the draw order, so no
// seed, size or level mix can ever put an evaluation prompt into training.
import { mathProblem, type MathProblem } from "./math.ts";
import { mulberry32 } from "./random.ts";
import { teacherSolutions } from "./teacher.ts";

/** Split is which side of the held-out boundary a prompt is on. */
export type Split = "train" | "eval";

/** evalShare is the fraction of all prompts reserved for evaluation. */
export const evalShare = 0.1;

/** fnv1a hashes a string to 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** splitOf says which split a prompt belongs to, forever. */
export function splitOf(prompt: string): Split {
  return fnv1a(prompt) / 4294967296 < evalShare ? "eval" : "train";
}

/** DatasetOptions chooses the problems. */
export interface DatasetOptions {
  domain: "math";
  level: number | number[];
  prompts: number;
  responsesPerPrompt: number;
  seed: number;
  split: Split;
}

/** Example is one prompt with its teacher traces (none for evaluation sets unless asked). */
export interface Example {
  problem: MathProblem;
  responses: string[];
}

/**
 * buildDataset draws distinct prompts of the split, cycling through the levels, each with
 * responsesPerPrompt teacher traces. A level with fewer distinct prompts than asked for gives
 * all it has: the result can be shorter than `prompts`, never padded with repeats.
 */
export function buildDataset(o: DatasetOptions): Example[] {
  const levels = Array.isArray(o.level) ? o.level : [o.level];
  // Separate streams for the split, so train and eval sets of one seed are independent draws.
  const rng = mulberry32((o.seed * 2654435761 + (o.split === "eval" ? 97 : 13)) >>> 0);
  const seen = new Set<string>();
  const out: Example[] = [];
  let misses = 0;
  for (let i = 0; out.length < o.prompts && misses < 50 * o.prompts + 1000; i++) {
    const p = mathProblem(rng, levels[i % levels.length]);
    if (seen.has(p.prompt) || splitOf(p.prompt) !== o.split) {
      misses++;
      continue;
    }
    seen.add(p.prompt);
    out.push({ problem: p, responses: o.responsesPerPrompt > 0 ? teacherSolutions(p, rng, o.responsesPerPrompt) : [] });
  }
  return out;
}
