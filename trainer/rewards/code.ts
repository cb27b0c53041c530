// code reward: 1 iff the response's code passes every hidden test in the sandbox, else 0.
// codeRewards scores a whole GRPO batch through a pool, one sandboxed child per rollout and at
// most one child per core at a time, so a batch of 64 costs about 64 × (child start-up) / cores.
import { availableParallelism } from "node:os";
import { Pool, runInSandbox, type SandboxLimits } from "../sandbox/sandbox.ts";
import type { CodeProblem } from "../tasks/code.ts";

/** defaultCodeLimits bound one rollout: generated solutions are tiny, so anything slower is wrong. */
export const defaultCodeLimits: SandboxLimits = { timeoutMs: 2000, memoryMb: 256 };

/** extractCode returns the last fenced code block of a response, or the whole response when there is none. */
export function extractCode(response: string): string {
  const blocks = [...response.matchAll(/```[a-zA-Z]*\n([\s\S]*?)```/g)];
  return blocks.length > 0 ? blocks[blocks.length - 1][1] : response;
}

/** codeReward scores a response; never throws. */
export async function codeReward(response: string, problem: CodeProblem, limits: SandboxLimits = defaultCodeLimits): Promise<0 | 1> {
  const r = await runInSandbox(extractCode(response), problem.entryPoint, problem.hiddenTests, limits);
  return r.ok ? 1 : 0;
}

/** CodeRollout is one response to score against its problem. */
export interface CodeRollout {
  response: string;
  problem: CodeProblem;
}

/** CodeBatchOptions bound a batch: per-rollout limits and how many children run at once (default: one per core). */
export interface CodeBatchOptions {
  limits?: SandboxLimits;
  concurrency?: number;
}

/** codeRewards scores a batch of rollouts in order; a hostile rollout costs its own deadline, never the batch. Never throws. */
export function codeRewards(rollouts: readonly CodeRollout[], o: CodeBatchOptions = {}): Promise<(0 | 1)[]> {
  const pool = new Pool(Math.max(1, o.concurrency ?? availableParallelism()));
  const limits = o.limits ?? defaultCodeLimits;
  return Promise.all(rollouts.map((r) => pool.run(() => codeReward(r.response, r.problem, limits))));
}
