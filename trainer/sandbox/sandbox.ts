// sandbox: runs one untrusted JavaScript solution against tests in a child process that can
// neither hurt the trainer, nor reach anything outside, nor forge its own verdict. Layers, each
// covering a failure:
//   verdict  the child is given each test's arguments, never its expected result; it runs the
//            solution in a fresh node:vm realm per test (no process, no require, no timers,
//            prototypes of its own: runner.js) and sends back what it returned, copied out as
//            plain data, on file descriptor 3, a pipe only the runner writes, in a line carrying
//            a nonce drawn here for this run. This file compares the results with the expected
//            ones; stdout and stderr are not read at all.
//   time     a wall-clock deadline, then SIGKILL to the child's whole process group
//   memory   --max-old-space-size for the V8 heap, plus an address-space rlimit (prlimit) for
//            buffers outside it; a 10 GB allocation fails inside the child
//   network  a network namespace without interfaces, entered through a user namespace, so it
//            works as the unprivileged pods' uid 1000 (isolation.ts); where the system refuses,
//            isolation says None and why, and the trainer says so loudly
//   files    Node's permission model: the child may read only its runner, write nothing
//   processes the permission model forbids child_process and worker_threads: no fork bomb
//   output   the verdict channel is read up to a cap; past it the child is killed and scores 0
// The realm is what the solution meets; the layers below it hold even if it were escaped.
// Not vm2 and not in-process: a crash or a hang costs one child, never the trainer.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { isolationRefusal, sandboxIsolation, type IsolationRequirement, type SandboxIsolation } from "./isolation.ts";

/** SandboxTest is one call of the entry point with its expected result. */
export interface SandboxTest {
  args: unknown[];
  expected: unknown;
}

/** SandboxLimits bound one run. */
export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
  /** isolation Required refuses to run anything without network isolation (the run scores 0 and says why). Default BestEffort. */
  isolation?: IsolationRequirement;
}

/** SandboxOptions say where and as whom the child runs; the defaults are the trainer's. */
export interface SandboxOptions {
  /** isolation is what the system grants the child. Default sandboxIsolation(), probed once per process. */
  isolation?: SandboxIsolation;
  /** uid and gid run the child as another user: tests running as root run it as the pods do, as uid 1000. */
  uid?: number;
  gid?: number;
  /** runner replaces runner.js (tests stand in a hostile runner that holds the whole process API). */
  runner?: string;
}

/** SandboxResult is the outcome of one run. */
export interface SandboxResult {
  passed: number;
  total: number;
  /** ok is true iff every test passed. */
  ok: boolean;
  /** why says what went wrong: timeout, crash, output limit, or the solution's own error. */
  why?: string;
  ms: number;
}

const runner = fileURLToPath(new URL("./runner.js", import.meta.url));
/** maxOutput bounds what the child may send on its verdict channel. */
const maxOutput = 64 * 1024;
/** addressSpaceMarginMb is the address space granted beyond the heap limit. */
const addressSpaceMarginMb = 2048;
/** startupMs bounds how long Node may take to start the runner. */
const startupMs = 15000;
/** readyLine is what the runner sends once it has its input, just before the solution runs. */
const readyLine = "ready\n";

/** sandboxCommand is the command line of one child: the runner (or script) under the permission model, the address-space limit and the namespaces isolation grants. */
export function sandboxCommand(limits: SandboxLimits, isolation: SandboxIsolation, script = runner): [string, string[]] {
  const node = [
    process.execPath,
    `--max-old-space-size=${limits.memoryMb}`,
    "--permission",
    `--allow-fs-read=${script}`,
    "--disable-warning=ExperimentalWarning",
    script,
  ];
  // Address space: the heap limit plus room for V8's own reservations and the code. Node 24
  // reserves over 1.2 GiB of virtual memory at start-up (its pointer cage, code space, thread
  // stacks); with only 1 GiB of margin it aborted at random on start (0 to 3 of 5 starts
  // survived at 1.2 to 1.3 GiB), with 2 GiB every start survived. A 10 GB allocation still fails.
  const as = (limits.memoryMb + addressSpaceMarginMb) * 1024 * 1024;
  let argv = node;
  if (isolation.prlimit) argv = ["prlimit", `--as=${as}`, "--", ...argv];
  argv = [...isolation.unshare, ...argv];
  return [argv[0], argv.slice(1)];
}

/** decode turns a result node the runner copied out (runner.js, copy) back into a value; a malformed node throws. */
function decode(node: unknown): unknown {
  if (!Array.isArray(node)) throw new Error("not a node");
  const [tag, v] = node as [unknown, unknown];
  if (tag === "u") return undefined;
  if (tag === "z" && (v === null || ["string", "number", "boolean"].includes(typeof v))) return v;
  if (tag === "n" && typeof v === "string" && ["NaN", "Infinity", "-Infinity", "-0"].includes(v)) return v === "-0" ? -0 : Number(v);
  if (tag === "i" && typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  if (tag === "a" && Array.isArray(v)) return v.map(decode);
  if (tag === "o" && Array.isArray(v)) return Object.fromEntries(v.map((e) => (Array.isArray(e) && typeof e[0] === "string" ? [e[0], decode(e[1])] : fail())));
  return fail();
}

function fail(): never {
  throw new Error("malformed result");
}

/**
 * judge reads the verdict channel: the ready line, then exactly one line that starts with this
 * run's nonce and holds one result per test. It compares each result with its test's expected
 * value; anything else on the channel makes the run score 0.
 */
export function judge(channel: string, nonce: string, tests: SandboxTest[]): { passed: number; why?: string } {
  const lines = channel.split("\n");
  const verdict = lines[1] ?? "";
  if (lines.length !== 3 || `${lines[0]}\n` !== readyLine || lines[2] !== "" || !verdict.startsWith(`${nonce} `)) return { passed: 0, why: "no verdict from the runner" };
  let results: unknown;
  try {
    results = (JSON.parse(verdict.slice(nonce.length + 1)) as { results?: unknown }).results;
  } catch {
    results = undefined;
  }
  if (!Array.isArray(results) || results.length !== tests.length) return { passed: 0, why: "a malformed verdict from the runner" };
  let passed = 0;
  let why: string | undefined;
  results.forEach((r: { value?: unknown; error?: unknown }, i) => {
    if (typeof r?.error === "string") why ??= r.error;
    else if (r !== null && typeof r === "object" && "value" in r && equalsExpected(r.value, tests[i].expected)) passed++;
  });
  return { passed, ...(why !== undefined ? { why } : {}) };
}

function equalsExpected(node: unknown, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(decode(node), expected);
  } catch {
    return false;
  }
}

/** runInSandbox runs code's entryPoint on every test; it never throws and never hangs past the deadline. */
export function runInSandbox(code: string, entryPoint: string, tests: SandboxTest[], limits: SandboxLimits, o: SandboxOptions = {}): Promise<SandboxResult> {
  const t0 = performance.now();
  const total = tests.length;
  const isolation = o.isolation ?? sandboxIsolation();
  const refusal = isolationRefusal(limits.isolation, isolation);
  if (refusal !== undefined) return Promise.resolve({ passed: 0, total, ok: false, why: refusal, ms: 0 });
  // The nonce is the parent's alone: the runner learns it on stdin, which it reads before any solution code exists.
  const nonce = randomBytes(16).toString("hex");
  return new Promise((resolve) => {
    const [cmd, args] = sandboxCommand(limits, isolation, o.runner);
    const child = spawn(cmd, args, { stdio: ["pipe", "ignore", "ignore", "pipe"], detached: true, env: {}, ...(o.uid !== undefined ? { uid: o.uid } : {}), ...(o.gid !== undefined ? { gid: o.gid } : {}) });
    let out = "";
    let why: string | undefined;
    const kill = (reason: string) => {
      why ??= reason;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    // Two clocks: start-up (Node itself, slow on a loaded machine, not the solution's fault)
    // and the solution's own deadline, which starts when the runner says it is ready.
    let timer = setTimeout(() => kill(`did not start within ${startupMs} ms`), startupMs);
    let started = false;
    (child.stdio[3] as Readable).on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (!started && out.startsWith(readyLine)) {
        started = true;
        clearTimeout(timer);
        timer = setTimeout(() => kill(`timeout after ${limits.timeoutMs} ms`), limits.timeoutMs);
      }
      if (out.length > maxOutput) kill("output limit exceeded");
    });
    child.stdin?.on("error", () => {}); // the child may exit before reading everything
    child.on("error", (err) => kill(`could not start: ${err.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (why !== undefined) return resolve({ passed: 0, total, ok: false, why, ms });
      const v = judge(out, nonce, tests);
      const crashed = v.why === "no verdict from the runner" && (code !== 0 || signal !== null) ? `crashed (exit ${code ?? signal})` : v.why;
      resolve({ passed: v.passed, total, ok: v.passed === total && total > 0, ...(crashed !== undefined ? { why: crashed } : {}), ms });
    });
    child.stdin?.end(JSON.stringify({ nonce, code, entryPoint, args: tests.map((t) => t.args) }));
  });
}

/** Pool runs sandboxed jobs at most `size` at a time, so a batch of rollouts uses the cores without swamping them. */
export class Pool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** run waits for a free slot, then runs job. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
