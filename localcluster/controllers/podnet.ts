// podnet: pod networking for pods that are local processes. Each pod gets its own loopback
// address (Linux routes all of 127.0.0.0/8 to lo) as its pod IP, and the cluster's DNS names
// are written to a hosts file under the data dir that dns-preload.ts reads inside each pod
// process: Services as NAME.NS.svc.cluster.local (the IPs of the pods they select, as a
// headless Service answers), and pods with hostname + subdomain as
// HOSTNAME.SUBDOMAIN.NS.svc.cluster.local when a Service named SUBDOMAIN exists. Not
// implemented: ClusterIPs and kube-proxy (a Service name resolves to its pods directly), pod
// A records (1-2-3-4.NS.pod), ports and named ports.
import { renameSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Pod, Service } from "./types.ts";

/** clusterDomain is the DNS suffix of cluster names. */
export const clusterDomain = "cluster.local";

/** IpAllocator hands out pod IPs in 127.0.0.0/8 from a starting block upward, never in 127.0.0.0/16. */
export interface IpAllocator {
  allocate(): string;
  /** claim marks an address taken (pods that survived a restart of the cluster). */
  claim(ip: string): void;
  release(ip: string): void;
}

/** newIpAllocator returns an allocator with nothing taken, starting at 127.FIRSTBLOCK.0.1 (1-254); clusters that run side by side pick different blocks so their pods' ports do not collide. */
export function newIpAllocator(firstBlock = 1): IpAllocator {
  const taken = new Set<string>();
  const size = 254 * 254;
  const start = (Math.min(254, Math.max(1, Math.floor(firstBlock))) - 1) * size;
  const at = (n: number): string => `127.${1 + Math.floor(n / size)}.${Math.floor((n % size) / 254)}.${(n % 254) + 1}`;
  // The cursor moves on from the last address given, so allocation stays O(1) while free
  // addresses remain ahead, and a released address is reused only after a full turn.
  let cursor = start;
  return {
    allocate() {
      for (let i = 0; i < 254 * size; i++) {
        const ip = at(cursor);
        cursor = (cursor + 1) % (254 * size);
        if (!taken.has(ip)) {
          taken.add(ip);
          return ip;
        }
      }
      throw new Error("no free pod IP in 127.1.0.0-127.254.255.254");
    },
    claim: (ip) => void taken.add(ip),
    release: (ip) => void taken.delete(ip),
  };
}

const live = (p: Pod): boolean => p.status?.podIP !== undefined && p.status.phase !== "Succeeded" && p.status.phase !== "Failed" && !p.metadata.deletionTimestamp;

function selects(sel: Record<string, string> | undefined, p: Pod): boolean {
  if (sel === undefined || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v);
}

/** hostsEntries computes the cluster's DNS names (pure): one [ip, names] pair per address. */
export function hostsEntries(pods: Pod[], services: Service[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (ip: string, name: string): void => {
    const names = out.get(ip) ?? [];
    if (!names.includes(name)) names.push(name);
    out.set(ip, names);
  };
  const svcByKey = new Set(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
  for (const p of pods.filter(live)) {
    const ns = p.metadata.namespace ?? "default";
    const ip = p.status?.podIP ?? "";
    if (p.spec.hostname !== undefined && p.spec.subdomain !== undefined && svcByKey.has(`${ns}/${p.spec.subdomain}`)) {
      add(ip, `${p.spec.hostname}.${p.spec.subdomain}.${ns}.svc.${clusterDomain}`);
    }
    for (const s of services) {
      if (s.metadata.namespace === ns && selects(s.spec?.selector, p)) add(ip, `${s.metadata.name}.${ns}.svc.${clusterDomain}`);
    }
  }
  return out;
}

/** renderHosts renders entries in /etc/hosts format, sorted so equal contents give equal files. */
export function renderHosts(entries: Map<string, string[]>): string {
  const lines = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([ip, names]) => `${ip} ${[...names].sort().join(" ")}`);
  return `# Cluster DNS names of the local cluster, kept by its kubelet.\n${lines.join("\n")}\n`;
}

/** writeHosts replaces the hosts file atomically (rename), so readers never see half a file; returns whether it changed. */
export function writeHosts(path: string, text: string): boolean {
  let old: string;
  try {
    old = readFileSync(path, "utf8");
  } catch {
    old = "";
  }
  if (old === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return true;
}
