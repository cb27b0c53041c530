// mount-preload: loaded into every pod process that is a Node program (NODE_OPTIONS=--import),
// it makes the pod's volumes visible at their mountPath, as a mount namespace would: fs calls
// (callback, sync and promise forms) on a path under a mountPath go to the volume's host
// directory, taken from TEMPER_MOUNTS ({"/ckpt": "/data/pvc/ns/claim", ...}). Paths given to
// child processes and native addons are not rewritten (the kubelet already rewrites env, command
// and args). It must stay dependency-free: it runs inside user processes before their own code.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const mounts = Object.entries(JSON.parse(process.env.TEMPER_MOUNTS ?? "{}") as Record<string, string>).sort(([a], [b]) => b.length - a.length);
// Host paths that are never mapped: the program's own code (TEMPER_MOUNTS_EXCLUDE) and every volume's host directory.
const keep = [...(JSON.parse(process.env.TEMPER_MOUNTS_EXCLUDE ?? "[]") as string[]), ...mounts.map(([, host]) => host)];

/** hostPath maps a path inside the pod to the host (paths outside every mount stay as they are). */
export function hostPath(p: unknown): unknown {
  const s = typeof p === "string" ? p : p instanceof URL && p.protocol === "file:" ? decodeURIComponent(p.pathname) : undefined;
  if (s === undefined) return p;
  // A path the kubelet already rewrote (args, env), or the program's own code, is a host path:
  // mapping it would nest it inside a volume whose mountPath happens to prefix it (a pod's /tmp
  // volume, and a cluster data dir or a checkout under /tmp).
  for (const k of keep) if (s === k || s.startsWith(`${k}/`)) return p;
  for (const [mountPath, host] of mounts) if (s === mountPath || s.startsWith(`${mountPath}/`)) return host + s.slice(mountPath.length);
  return p;
}

const onePath = ["access", "appendFile", "chmod", "chown", "lchown", "lutimes", "lstat", "mkdir", "mkdtemp", "open", "opendir", "readdir", "readFile", "readlink", "realpath", "rm", "rmdir", "stat", "statfs", "truncate", "unlink", "utimes", "writeFile", "exists"];
const twoPaths = ["copyFile", "cp", "link", "rename", "symlink"];
type Fn = (...args: unknown[]) => unknown;

function wrap(target: Record<string, unknown>, name: string, count: number): void {
  const original = target[name];
  if (typeof original !== "function") return;
  const fn = original as Fn;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    for (let i = 0; i < count && i < args.length; i++) args[i] = hostPath(args[i]);
    return fn.apply(this, args);
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(fn));
  target[name] = wrapped;
}

if (mounts.length > 0) {
  const f = fs as unknown as Record<string, unknown>;
  const pr = fs.promises as unknown as Record<string, unknown>;
  for (const n of onePath) for (const t of [n, `${n}Sync`]) wrap(f, t, 1);
  for (const n of twoPaths) for (const t of [n, `${n}Sync`]) wrap(f, t, 2);
  for (const n of ["createReadStream", "createWriteStream", "watch", "watchFile", "unwatchFile"]) wrap(f, n, 1);
  for (const n of onePath) wrap(pr, n, 1);
  for (const n of twoPaths) wrap(pr, n, 2);
  syncBuiltinESMExports();
}
