// `temper cluster up|down`: runs the local cluster in the foreground until interrupted, or
// (--detach) as a background process that this command waits for, recording its pid beside
// the kubeconfig so that `temper cluster down --kubeconfig KC` can stop it.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pino } from "pino";
import pinoPretty from "pino-pretty";
import { startLocalCluster } from "./cluster.ts";
import { processAlive } from "./datadir.ts";

const usage = `Usage:
  temper cluster up [--port N] [--kubeconfig PATH] [--data DIR] [--detach]
  temper cluster down [--kubeconfig PATH] [--data DIR]

Defaults: --data .temper/cluster, --kubeconfig DATA/kubeconfig, --port 0 (pick a free port).
`;

interface Flags {
  port: number;
  kubeconfig: string;
  data: string;
  detach: boolean;
}

function parseFlags(args: string[]): Flags {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, kubeconfig: { type: "string" }, data: { type: "string" }, detach: { type: "boolean" } },
    allowPositionals: false,
  });
  const data = resolve(values.data ?? ".temper/cluster");
  const port = Number(values.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  return { port, data, kubeconfig: resolve(values.kubeconfig ?? join(data, "kubeconfig")), detach: values.detach === true };
}

/** pidFileOf names the pid file of the cluster serving a kubeconfig. */
export function pidFileOf(kubeconfig: string): string {
  return `${kubeconfig}.pid`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function up(f: Flags): Promise<number> {
  const level = process.env.TEMPER_LOG_LEVEL ?? "info";
  // People at a terminal read lines; a detached server's log file keeps JSON for tools.
  const log = process.stdout.isTTY ? pino({ level }, pinoPretty({ sync: true })) : pino({ level });
  const cluster = await startLocalCluster({ dataDir: f.data, port: f.port, kubeconfigPath: f.kubeconfig, log });
  writeFileSync(pidFileOf(f.kubeconfig), String(process.pid));
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await cluster.stop();
  rmSync(pidFileOf(f.kubeconfig), { force: true });
  return 0;
}

async function upDetached(f: Flags, args: string[]): Promise<number> {
  const pidFile = pidFileOf(f.kubeconfig);
  if (existsSync(pidFile) && processAlive(Number(readFileSync(pidFile, "utf8")))) {
    process.stderr.write(`a local cluster already serves ${f.kubeconfig} (pid ${readFileSync(pidFile, "utf8").trim()})\n`);
    return 1;
  }
  rmSync(pidFile, { force: true });
  mkdirSync(f.data, { recursive: true });
  mkdirSync(dirname(f.kubeconfig), { recursive: true });
  const logPath = join(f.data, "cluster.log");
  const out = openSync(logPath, "a");
  const bin = fileURLToPath(new URL("../bin/temper.ts", import.meta.url));
  const child = spawn(process.execPath, [bin, "cluster", "up", ...args.filter((a) => a !== "--detach")], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  for (let i = 0; i < 600; i++) {
    if (existsSync(pidFile)) {
      process.stdout.write(`Local cluster serving (pid ${child.pid}); kubeconfig: ${f.kubeconfig}; log: ${logPath}\n`);
      return 0;
    }
    if (child.exitCode !== null || (child.pid !== undefined && !processAlive(child.pid))) break;
    await sleep(100);
  }
  const tail = readFileSync(logPath, "utf8").trim().split("\n").slice(-5).join("\n");
  process.stderr.write(`the local cluster did not start; see ${logPath}:\n${tail}\n`);
  return 1;
}

async function down(f: Flags): Promise<number> {
  const pidFile = pidFileOf(f.kubeconfig);
  if (!existsSync(pidFile)) {
    process.stderr.write(`no local cluster is running for ${f.kubeconfig}\n`);
    return 1;
  }
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (processAlive(pid)) process.kill(pid, "SIGTERM");
  for (let i = 0; i < 150 && processAlive(pid); i++) await sleep(100);
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  process.stdout.write(`Stopped the local cluster (pid ${pid})\n`);
  return 0;
}

/** clusterCommand runs `temper cluster ARGS` and resolves to the exit code. */
export async function clusterCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let flags: Flags;
  try {
    flags = parseFlags(rest);
  } catch (err) {
    process.stderr.write(`temper cluster: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (sub === "up") return flags.detach ? upDetached(flags, rest) : up(flags);
  if (sub === "down") return down(flags);
  process.stderr.write(usage);
  return sub === undefined || sub === "help" || sub === "--help" ? 0 : 2;
}
