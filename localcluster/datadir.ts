// datadir: the local cluster's data directory is one cluster's alone and private to its user.
// Two servers on one directory would each see only their own writes and hand out the same
// resourceVersions, so the first takes a lock file holding its pid and the second is refused
// while that process lives (a lock left by a killed process is taken over). The directory is
// 0700 and the store's files 0600: store.db holds every Secret, tls/ the admin token.
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

const lockName = "cluster.lock";

/** processAlive says whether a process with this pid runs: EPERM means it exists under another user; a killed process nobody has reaped yet (a zombie) still answers signal 0, so /proc decides. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
}

/** holderOf reads the pid in a lock file; undefined when it is empty or not a pid (a half-written lock). */
function holderOf(path: string): number | undefined {
  const pid = Number(readFileSync(path, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * lockDataDir makes dir (0700) and takes its lock for this process, returning the release. It
 * throws, naming the holder and the fix, when a live process holds it; a lock whose process is
 * gone, or that holds no pid, is taken over.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = join(dir, lockName);
  for (let tries = 0; tries < 3; tries++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = holderOf(path);
      if (pid !== undefined && processAlive(pid)) {
        throw new Error(`the data directory ${dir} is in use by another local cluster (pid ${pid}): stop it, or pass another --data directory`, { cause: err });
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      if (existsSync(path) && holderOf(path) === process.pid) rmSync(path, { force: true });
    };
  }
  throw new Error(`could not take the lock ${path}: another process keeps replacing it`);
}

/** privateFiles narrows the store's files to the owner (0600); missing ones are skipped. */
export function privateFiles(paths: readonly string[]): void {
  for (const p of paths) if (existsSync(p)) chmodSync(p, 0o600);
}
