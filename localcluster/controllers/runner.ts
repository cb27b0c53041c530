// runner: runs one container as a local process, as the kubelet's container runtime would.
// stdout and stderr go straight (one file descriptor, no pipe) to the container's log file, so
// `kubectl logs` reads them even if the cluster process dies; the previous run's log is kept as
// NAME.previous.log. The process leads its own process group, so stopping it reaches the
// children a shell started: SIGTERM, then SIGKILL after the grace period.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, renameSync } from "node:fs";
import { dirname } from "node:path";

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
}

/** Running is a started container process. */
export interface Running {
  pid: number;
  startedAt: Date;
  exited: Promise<Exit>;
  /** stop sends SIGTERM to the process group, then SIGKILL after graceMs; resolves when it has exited. */
  stop(graceMs: number): Promise<Exit>;
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
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      // Processes left in the group (a shell's background children) go with the container.
      killGroup(pid, "SIGKILL");
      resolve(signal === null ? { exitCode: code ?? 0, finishedAt: now() } : { exitCode: 128 + (signalNumbers[signal] ?? 0), signal, finishedAt: now() });
    });
  });
  let stopping: Promise<Exit> | undefined;
  return {
    pid, startedAt, exited,
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
