// dns-preload: loaded into every pod process that is a Node program (NODE_OPTIONS=--import),
// it gives the process the two things a pod's network namespace would:
// 1. cluster DNS: dns.lookup (used by net, http, fetch) answers cluster names from the hosts
//    file the kubelet keeps (TEMPER_HOSTS_FILE), with the pod's resolv.conf search path
//    (NS.svc.cluster.local, svc.cluster.local, cluster.local); other names fall through to the
//    system resolver. dns.resolve* (raw DNS queries) is not covered.
// 2. its own address: a server listening on all interfaces (no host, "0.0.0.0", "::") listens
//    on the pod IP (TEMPER_POD_IP) instead, so two pods can both listen on one port.
// It must stay dependency-free: it runs inside user processes before their own code.
import dns from "node:dns";
import net from "node:net";
import { readFileSync, statSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const hostsFile = process.env.TEMPER_HOSTS_FILE;
const namespace = process.env.TEMPER_POD_NAMESPACE ?? "default";
const podIp = process.env.TEMPER_POD_IP;

let cache: { mtimeMs: number; size: number; table: Map<string, string[]> } | undefined;

function table(): Map<string, string[]> {
  if (hostsFile === undefined) return new Map();
  try {
    const st = statSync(hostsFile);
    if (cache !== undefined && cache.mtimeMs === st.mtimeMs && cache.size === st.size) return cache.table;
    const t = new Map<string, string[]>();
    for (const line of readFileSync(hostsFile, "utf8").split("\n")) {
      const [ip, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
      if (ip === undefined || ip === "") continue;
      for (const n of names) t.set(n.toLowerCase(), [...(t.get(n.toLowerCase()) ?? []), ip]);
    }
    cache = { mtimeMs: st.mtimeMs, size: st.size, table: t };
    return t;
  } catch {
    return new Map();
  }
}

/** clusterLookup answers a cluster name with its addresses, or undefined for names the cluster does not own. */
export function clusterLookup(hostname: string): string[] | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  const t = table();
  const candidates = [name, `${name}.cluster.local`, `${name}.${namespace}.svc.cluster.local`, `${name}.svc.cluster.local`];
  for (const c of candidates) {
    const ips = t.get(c);
    if (ips !== undefined) return ips;
  }
  // Names under the cluster domain that are not in the table do not exist: no fall-through.
  return /(^|\.)(svc|svc\.cluster\.local|cluster\.local)$/.test(name) ? [] : undefined;
}

type LookupOptions = { family?: number | string; all?: boolean } | number | undefined;
type Callback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

const systemLookup = dns.lookup;
const patched = function lookup(hostname: string, options: LookupOptions | Callback, callback?: Callback): void {
  const cb = (typeof options === "function" ? options : callback) as Callback;
  const opts = typeof options === "function" ? undefined : options;
  const ips = typeof hostname === "string" ? clusterLookup(hostname) : undefined;
  if (ips === undefined) {
    (systemLookup as (h: string, o: unknown, c: Callback) => void)(hostname, opts ?? {}, cb);
    return;
  }
  const family = typeof opts === "number" ? opts : opts?.family;
  process.nextTick(() => {
    if (ips.length === 0 || family === 6 || family === "IPv6") {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", errno: -3008, syscall: "getaddrinfo", hostname });
      cb(err);
    } else if (typeof opts === "object" && opts.all === true) cb(null, ips.map((address) => ({ address, family: 4 })));
    else cb(null, ips[0], 4);
  });
};
dns.lookup = patched as typeof dns.lookup;
const systemPromiseLookup = dns.promises.lookup;
dns.promises.lookup = (async (hostname: string, options?: LookupOptions) => {
  const ips = clusterLookup(hostname);
  if (ips === undefined) return systemPromiseLookup(hostname, options as dns.LookupOptions);
  if (ips.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
  return typeof options === "object" && options.all === true ? ips.map((address) => ({ address, family: 4 })) : { address: ips[0], family: 4 };
}) as typeof dns.promises.lookup;

if (podIp !== undefined) {
  const listen = net.Server.prototype.listen;
  const unspecified = (h: unknown): boolean => h === undefined || h === null || h === "" || h === "0.0.0.0" || h === "::";
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === "object" && first !== null && !Array.isArray(first) && "port" in first && unspecified((first as { host?: unknown }).host)) {
      args[0] = { ...first, host: podIp };
    } else if ((typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) && (typeof second !== "string" || unspecified(second))) {
      args.splice(1, typeof second === "string" ? 1 : 0, podIp);
    }
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;
}
syncBuiltinESMExports();
