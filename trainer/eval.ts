// eval.ts: held-out accuracy as the paper measures it — avg@k: k samples per prompt at
// temperature 0.6 and top-p 0.95 (by default), each scored 0/1 by the task's reward, averaged
// over samples and prompts. With several ranks each scores its share of prompts and the sums
// are all-reduced, so every rank returns the same figure.
import type { Backend } from "./backend.ts";
import { shardRange, singleProcess, type Collective } from "./collective.ts";
import { Rng } from "./rng.ts";

/** EvalProblem is one held-out prompt (token ids) with whatever its reward needs. */
export interface EvalProblem<P = unknown> {
  prompt: number[];
  problem: P;
}

/** EvalSpec controls sampling for evaluation. */
export interface EvalSpec {
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  eos: number;
  /** batch is the number of sequences decoded together. */
  batch: number;
  seed: number;
}

/** ScoreItem is one response (token ids) with the problem it answers. */
export interface ScoreItem<P> {
  response: number[];
  problem: P;
}

/**
 * Scorer turns a batch of responses into 0/1 rewards, one per item and in order. The loops hand
 * it every rollout of a sampled batch at once, so a reward that runs a process per response
 * (the code sandbox) can run several side by side.
 */
export type Scorer<P> = (items: ScoreItem<P>[]) => Promise<number[]>;

/** scoreEach makes a Scorer of a one-response reward, scoring the items one after another in order. */
export function scoreEach<P>(score: (response: number[], problem: P) => Promise<number>): Scorer<P> {
  return async (items) => {
    const out: number[] = [];
    for (const it of items) out.push(await score(it.response, it.problem));
    return out;
  };
}

/** EvalResult is avg@k accuracy with response-length figures. */
export interface EvalResult {
  accuracy: number;
  meanResponseLength: number;
  truncationRate: number;
  samples: number;
}

/** avgAtK samples k responses per problem and returns the mean reward (avg@k). */
export async function avgAtK<P>(backend: Backend, problems: EvalProblem<P>[], score: Scorer<P>, spec: EvalSpec,
  collective: Collective = singleProcess): Promise<EvalResult> {
  const [lo, hi] = shardRange(problems.length, collective.rank, collective.worldSize);
  const jobs: Array<{ p: EvalProblem<P>; rng: Rng }> = [];
  for (let i = lo; i < hi; i++) {
    for (let j = 0; j < spec.k; j++) jobs.push({ p: problems[i], rng: new Rng((spec.seed * 7919 + i * 131 + j) >>> 0) });
  }
  const sums = new Float32Array(4); // correct, response tokens, truncated, samples
  for (let s = 0; s < jobs.length; s += spec.batch) {
    const chunk = jobs.slice(s, s + spec.batch);
    const rollouts = backend.sample(chunk.map((j) => j.p.prompt), spec, chunk.map((j) => j.rng));
    // A truncated response scores 0 without being run.
    const done = rollouts.flatMap((r, i) => (r.truncated ? [] : [{ response: r.response, problem: chunk[i].p.problem }]));
    sums[0] += (await score(done)).reduce((a, b) => a + b, 0);
    for (const r of rollouts) {
      sums[1] += r.response.length;
      sums[2] += r.truncated ? 1 : 0;
      sums[3] += 1;
    }
  }
  await collective.allReduceSum([sums]);
  const n = Math.max(1, sums[3]);
  return { accuracy: sums[0] / n, meanResponseLength: sums[1] / n, truncationRate: sums[2] / n, samples: sums[3] };
}
