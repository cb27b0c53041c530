// sandbox: runs one untrusted JavaScript solution against tests in a child process that can
// neither hurt the trainer nor reach anything outside. Layers, each covering a failure:
//   time     a wall-clock deadline, then SIGKILL to the child's whole process group
//   memory   --max-old-space-size for the V8 heap, plus an address-space rlimit (prlimit) for
//            buffers outside it; a 10 GB allocation fails inside the child
//   network  a fresh network namespace without interfaces (unshare -n) where the kernel allows
//            it; fetch and friends are also removed from the child's globals
//   files    Node's permission model: the child may read only its runner, write nothing
//   processes the permission model forbids child_process and worker_threads: no fork bomb
//   output   stdout is read up to a cap; anything beyond is discarded and the run scores 0
// Not vm2 and not in-process: a crash or a hang costs one child, never the trainer.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** SandboxTest is one call of the entry point with its expected result. */
export interface SandboxTest {
  args: unknown[];
  expected: unknown;
}

/** SandboxLimits bound one run. */
export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
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
const maxOutput = 64 * 1024;
/** addressSpaceMarginMb is the address space granted beyond the heap limit. */
const addressSpaceMarginMb = 2048;
/** startupMs bounds how long Node may take to start the runner. */
const startupMs = 15000;
/** readyLine is what the runner prints once it has its input, just before the solution runs. */
const readyLine = "ready\n";

/** isolation reports which OS layers this machine grants, probed once. */
export const isolation = (() => {
  const probe = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore", timeout: 5000 }).status === 0;
  return { unshareNet: probe("unshare", ["-n", "true"]), prlimit: probe("prlimit", ["--as=1000000000", "true"]) };
})();

function command(limits: SandboxLimits): [string, string[]] {
  const node = [
    process.execPath,
    `--max-old-space-size=${limits.memoryMb}`,
    "--permission",
    `--allow-fs-read=${runner}`,
    "--disable-warning=ExperimentalWarning",
    runner,
  ];
  // Address space: the heap limit plus room for V8's own reservations and the code. Node 24
  // reserves over 1.2 GiB of virtual memory at start-up (its pointer cage, code space, thread
  // stacks); with only 1 GiB of margin it aborted at random on start (0 to 3 of 5 starts
  // survived at 1.2 to 1.3 GiB), with 2 GiB every start survived. A 10 GB allocation still fails.
  const as = (limits.memoryMb + addressSpaceMarginMb) * 1024 * 1024;
  let argv = node;
  if (isolation.prlimit) argv = ["prlimit", `--as=${as}`, "--", ...argv];
  if (isolation.unshareNet) argv = ["unshare", "-n", "--", ...argv];
  return [argv[0], argv.slice(1)];
}

/** runInSandbox runs code's entryPoint on every test; it never throws and never hangs past the deadline. */
export function runInSandbox(code: string, entryPoint: string, tests: SandboxTest[], limits: SandboxLimits): Promise<SandboxResult> {
  const t0 = performance.now();
  const total = tests.length;
  return new Promise((resolve) => {
    const [cmd, args] = command(limits);
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "ignore"], detached: true, env: {} });
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
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (!started && out.startsWith(readyLine)) {
        started = true;
        out = out.slice(readyLine.length);
        clearTimeout(timer);
        timer = setTimeout(() => kill(`timeout after ${limits.timeoutMs} ms`), limits.timeoutMs);
      }
      if (out.length > maxOutput) kill("output limit exceeded");
    });
    child.stdin.on("error", () => {}); // the child may exit before reading everything
    child.on("error", (err) => kill(`could not start: ${err.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const last = out.trim().split("\n").pop() ?? "";
      let parsed: { passed?: unknown; error?: unknown } | undefined;
      try {
        parsed = why === undefined ? (JSON.parse(last) as { passed?: unknown; error?: unknown }) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || typeof parsed.passed !== "number") {
        resolve({ passed: 0, total, ok: false, why: why ?? `crashed (exit ${code ?? signal})`, ms });
        return;
      }
      const passed = Math.min(parsed.passed, total);
      const err = typeof parsed.error === "string" ? parsed.error : undefined;
      resolve({ passed, total, ok: passed === total && total > 0 && err === undefined, why: err, ms });
    });
    child.stdin.end(JSON.stringify({ code, entryPoint, tests }));
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
