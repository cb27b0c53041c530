// code reward: 1 iff the response's code passes every hidden test in the sandbox, else 0.
import { runInSandbox, type SandboxLimits } from "../sandbox/sandbox.ts";
import type { CodeProblem } from "../tasks/code.ts";

/** extractCode returns the last fenced code block of a response, or the whole response when there is none. */
export function extractCode(response: string): string {
  const blocks = [...response.matchAll(/```[a-zA-Z]*\n([\s\S]*?)```/g)];
  return blocks.length > 0 ? blocks[blocks.length - 1][1] : response;
}

/** codeReward scores a response; never throws. */
export async function codeReward(response: string, problem: CodeProblem, limits: SandboxLimits = { timeoutMs: 2000, memoryMb: 256 }): Promise<0 | 1> {
  const r = await runInSandbox(extractCode(response), problem.entryPoint, problem.hiddenTests, limits);
  return r.ok ? 1 : 0;
}
