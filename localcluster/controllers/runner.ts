// runner: runs one container as a local process, as the kubelet's container runtime would.
// stdout and stderr go straight (one file descriptor, no pipe) to the container's log file, so
// `kubectl logs` reads them even if the cluster process dies; the previous run's log is kept as
// NAME.previous.log. The process leads its own process group, so stopping it reaches the
// children a shell started: SIGTERM, then SIGKILL after the grace period.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Exit is how a container process ended: the exit code (128+signal when killed, as runtimes report) and the signal. */
export interface Exit {
  exitCode: number;
  signal?: string;
  finishedAt: Date;
}

/** RunSpec is one process to start. */
export interface RunSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  previousLogPath: string;
  /** pidPath records the process id while it runs, so a restarted cluster can stop processes it lost (killOrphans). */
  pidPath?: string;
}

/** Running is a started container process. */
export interface Running {
  pid: number;
  startedAt: Date;
  exited: Promise<Exit>;
  /** stop sends SIGTERM to the process group, then SIGKILL after graceMs; resolves when it has exited. */
  stop(graceMs: number): Promise<Exit>;
  /** kill sends SIGKILL to the process group at once (synchronous, for exit handlers). */
  kill(): void;
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** startProcess starts spec.argv; it throws (like a runtime's CreateContainerError) when the binary cannot be started. */
export async function startProcess(spec: RunSpec, now: () => Date): Promise<Running> {
  mkdirSync(dirname(spec.logPath), { recursive: true });
  if (existsSync(spec.logPath)) renameSync(spec.logPath, spec.previousLogPath);
  const fd = openSync(spec.logPath, "a");
  const [file, ...args] = spec.argv;
  const child = spawn(file, args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  const pid = child.pid ?? 0;
  const startedAt = now();
  if (spec.pidPath !== undefined) writeFileSync(spec.pidPath, String(pid));
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      // Processes left in the group (a shell's background children) go with the container.
      killGroup(pid, "SIGKILL");
      if (spec.pidPath !== undefined) rmSync(spec.pidPath, { force: true });
      resolve(signal === null ? { exitCode: code ?? 0, finishedAt: now() } : { exitCode: 128 + (signalNumbers[signal] ?? 0), signal, finishedAt: now() });
    });
  });
  let stopping: Promise<Exit> | undefined;
  return {
    pid, startedAt, exited,
    kill: () => killGroup(pid, "SIGKILL"),
    stop(graceMs) {
      stopping ??= (async () => {
        killGroup(pid, "SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<void>((r) => {
          timer = setTimeout(() => {
            killGroup(pid, "SIGKILL");
            r();
          }, graceMs);
        });
        await Promise.race([exited, killed]);
        clearTimeout(timer);
        return exited;
      })();
      return stopping;
    },
  };
}

/** killOrphans SIGKILLs the process groups recorded in *.pid files two levels under dir whose environment holds marker ("NAME=value"): containers a previous cluster process started and lost when it died. Returns how many it killed. */
export function killOrphans(dir: string, marker: string): number {
  let killed = 0;
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (depth > 0) walk(p, depth - 1);
      else if (n.endsWith(".pid")) {
        const pid = Number(readFileSync(p, "utf8"));
        try {
          // The environment check keeps a recycled pid of an unrelated process safe.
          if (pid > 0 && readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker)) {
            killGroup(pid, "SIGKILL");
            killed++;
          }
        } catch {
          // Not running any more, or not ours to read.
        }
        rmSync(p, { force: true });
      }
    }
  };
  walk(dir, 2);
  return killed;
}
