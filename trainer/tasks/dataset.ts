// dataset: training and held-out sets of generated problems with teacher traces. The split is
// a property of the prompt itself (a hash of its text), not of the seed or the draw order, so no
// seed, size or level mix can ever put an evaluation prompt into training.
import { codeProblem, teacherCodes, type CodeProblem } from "./code.ts";
import { mathProblem, type MathProblem } from "./math.ts";
import { mulberry32, type Rand } from "./random.ts";
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
  domain: "math" | "code";
  level: number | number[];
  prompts: number;
  responsesPerPrompt: number;
  seed: number;
  split: Split;
}

/** Example is one prompt with its teacher traces (none for evaluation sets unless asked). */
export type Example =
  | { domain: "math"; problem: MathProblem; responses: string[] }
  | { domain: "code"; problem: CodeProblem; responses: string[] };

function draw(domain: "math" | "code", rng: Rand, level: number, n: number): Example {
  if (domain === "math") {
    const problem = mathProblem(rng, level);
    return { domain, problem, responses: n > 0 ? teacherSolutions(problem, rng, n) : [] };
  }
  const problem = codeProblem(rng, level);
  return { domain, problem, responses: n > 0 ? teacherCodes(problem, rng, n) : [] };
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
    const e = draw(o.domain, rng, levels[i % levels.length], o.responsesPerPrompt);
    if (seen.has(e.problem.prompt) || splitOf(e.problem.prompt) !== o.split) {
      misses++;
      continue;
    }
    seen.add(e.problem.prompt);
    out.push(e);
  }
  return out;
}
