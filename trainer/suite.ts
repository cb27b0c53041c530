// suite.ts: the seam between the trainer's loops and the task families. A TaskSuite gives a
// tokenizer, held-out and training problems, teacher traces and a 0/1 reward, all already in
// token ids where the loops need them. loadSuite builds one from the task modules
// (trainer/tokenizer.ts, trainer/tasks/, trainer/rewards/); the engine files never import it.
import type { ScoreItem } from "./eval.ts";
import { codeReward, codeRewards, defaultCodeLimits } from "./rewards/code.ts";
import { mathReward } from "./rewards/math.ts";
import { Rng } from "./rng.ts";
import type { SandboxLimits } from "./sandbox/sandbox.ts";
import { codeProblem, teacherCodes, type CodeProblem } from "./tasks/code.ts";
import { placeCode, placeMath, type Placement, type Split } from "./tasks/dataset.ts";
import { mathProblem, type MathProblem } from "./tasks/math.ts";
import { teacherSolutions } from "./tasks/teacher.ts";
import { BpeTokenizer } from "./bpe.ts";
import { Tokenizer } from "./tokenizer.ts";
import type { SftExample } from "./sft.ts";

/** SuiteTokenizer is the tokenizer contract the trainer relies on. */
export interface SuiteTokenizer {
  vocabSize: number;
  bos: number;
  eos: number;
  pad: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
  toJSON(): unknown;
}

/** SuiteProblem is one generated problem (prompt text plus whatever its reward needs). */
export interface SuiteProblem {
  id: string;
  prompt: string;
}

/** DataRequest selects problems: levels, count, seed and split (tasks/dataset.ts says what each split is for). */
export interface DataRequest {
  levels: number[];
  prompts: number;
  seed: number;
  split: Split;
}

/** TaskSuite is one task family as the loops consume it. */
export interface TaskSuite {
  name: string;
  tokenizer: SuiteTokenizer;
  problems(r: DataRequest): SuiteProblem[];
  /** teacher returns n teacher traces for a problem. */
  teacher(p: SuiteProblem, rng: Rng, n: number): string[];
  /** score rewards a response (token ids, eos excluded or not) for its problem: 0 or 1. */
  score(response: number[], p: SuiteProblem): Promise<number>;
  /** scoreBatch rewards many responses at once, one 0/1 per item and in order; the loops call it. */
  scoreBatch(items: ScoreItem<SuiteProblem>[]): Promise<number[]>;
}

/** promptIds is how every prompt is fed to the model: bos, then the prompt's tokens. */
export function promptIds(s: TaskSuite, p: SuiteProblem): number[] {
  return [s.tokenizer.bos, ...s.tokenizer.encode(p.prompt)];
}

/** teacherTraces draws perPrompt teacher traces per problem, in order, from one generator seeded with seed. */
function teacherTraces(s: TaskSuite, problems: SuiteProblem[], perPrompt: number, seed: number): { problem: SuiteProblem; traces: string[] }[] {
  const rng = new Rng(seed);
  return problems.map((problem) => ({ problem, traces: s.teacher(problem, rng, perPrompt) }));
}

/** sftExamples expands problems into teacher traces (response ids end with eos). */
export function sftExamples(s: TaskSuite, problems: SuiteProblem[], perPrompt: number, seed: number): SftExample[] {
  return teacherTraces(s, problems, perPrompt, seed).flatMap(({ problem, traces }) =>
    traces.map((text) => ({ prompt: promptIds(s, problem), response: [...s.tokenizer.encode(text), s.tokenizer.eos] })));
}

/** tokenizerCorpus is the text a BPE tokenizer learns from: the training prompts and the teacher traces sftExamples gives for them. */
export function tokenizerCorpus(s: TaskSuite, problems: SuiteProblem[], perPrompt: number, seed: number): string[] {
  return teacherTraces(s, problems, perPrompt, seed).flatMap(({ problem, traces }) => [problem.prompt, ...traces]);
}

const streams: Record<Split, number> = { train: 1, validation: 2, test: 3 };

/**
 * splitDraws draws problems until it has r.prompts in the requested split of a fixed rule
 * (place: a problem's canonical key and split), so no two splits share a problem, however it is
 * written and whatever the seeds.
 */
export function splitDraws<P extends SuiteProblem>(draw: (rng: () => number, level: number) => P, place: (p: P) => Placement, r: DataRequest): P[] {
  const rng = new Rng(r.seed * 3 + streams[r.split]);
  const out: P[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < r.prompts && tries < r.prompts * 200; tries++) {
    const p = draw(rng.fn(), r.levels[tries % r.levels.length]);
    const { key, split } = place(p);
    if (split !== r.split) continue;
    // A held-out set holds each problem once (17+8 or 8+17, not both); training problems may repeat, as draws do.
    if (r.split !== "train" && seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** responseText decodes a response's ids to the text its reward reads, eos excluded. */
function responseText(t: SuiteTokenizer, response: number[]): string {
  return t.decode(response.filter((id) => id !== t.eos));
}

/** SuiteOptions are the job's settings a suite scores with. */
export interface SuiteOptions {
  /** codeLimits bound each sandboxed run of a code response: an RLJob's spec.reward.code. Default defaultCodeLimits (2 s, 256 MB). */
  codeLimits?: SandboxLimits;
}

/** restoreTokenizer rebuilds a saved tokenizer of either kind (its JSON's type: char or bpe). */
export function restoreTokenizer(json: unknown): SuiteTokenizer {
  const type = (json as { type?: unknown } | null)?.type;
  if (type === "char") return Tokenizer.fromJSON(json);
  if (type === "bpe") return BpeTokenizer.fromJSON(json);
  throw new Error(`tokenizer: unknown saved tokenizer type ${JSON.stringify(type)} (want "char" or "bpe")`);
}

/** loadSuite builds the math or code suite from the task modules; tokenizerJson restores a saved tokenizer (the character one when absent). */
export async function loadSuite(task: "math" | "code", tokenizerJson?: unknown, o: SuiteOptions = {}): Promise<TaskSuite> {
  const tokenizer = tokenizerJson === undefined ? new Tokenizer() : restoreTokenizer(tokenizerJson);
  if (task === "code") {
    const limits = o.codeLimits ?? defaultCodeLimits;
    return {
      name: "code",
      tokenizer,
      problems: (r) => splitDraws(codeProblem, placeCode, r),
      teacher: (p, rng, n) => teacherCodes(p as CodeProblem, rng.fn(), n),
      // Runs the hidden tests in a sandboxed child process; never throws.
      score: (response, p) => codeReward(responseText(tokenizer, response), p as CodeProblem, limits),
      // Two children at a time, as the trainer runs two kernel threads (cli.ts): codeRewards'
      // default, availableParallelism, counts the node's cores, not the pod's CPU limit.
      scoreBatch: (items) => codeRewards(items.map((it) => ({ response: responseText(tokenizer, it.response), problem: it.problem as CodeProblem })), { limits, concurrency: 2 }),
    };
  }
  const score = async (response: number[], p: SuiteProblem) => mathReward(responseText(tokenizer, response), (p as MathProblem).answer);
  return {
    name: "math",
    tokenizer,
    problems: (r) => splitDraws(mathProblem, placeMath, r),
    teacher: (p, rng, n) => teacherSolutions(p as MathProblem, rng.fn(), n),
    score,
    scoreBatch: (items) => Promise.all(items.map((it) => score(it.response, it.problem))),
  };
}
