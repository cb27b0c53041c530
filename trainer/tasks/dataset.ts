// dataset: which side of the held-out boundary a generated prompt is on. The split is a property
// of the prompt itself (a hash of its text), not of the seed or the draw order, so no seed, size
// or level mix can ever put an evaluation prompt into training. loadSuite (trainer/suite.ts) draws
// both sets through it.

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
