// volumes: materialises a pod's volumes as directories on the host, since a pod here is a
// process and has no mount namespace: emptyDir, secret, configMap and downwardAPI become
// directories under DATA/pods/NS/POD/volumes/NAME (removed with the pod), hostPath is the host
// path itself, and a persistentVolumeClaim is DATA/pvc/NS/CLAIM, which outlives pods.
// Containers have no mount namespace, so two things stand in for mounting a volume at its
// mountPath: the kubelet rewrites mountPaths in env values, command and args to the host
// directory (rewritePaths), and Node pod processes get mount-preload.ts, which maps fs calls
// under a mountPath using TEMPER_MOUNTS. Other programs see a mountPath only through the rewrite. Secret and ConfigMap files are written once when the pod starts; later edits
// are not propagated. readOnly mounts are not enforced.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Container, DownwardFile, KeyedData, KeyToPath, Pod, Pvc } from "./types.ts";

/** Sources looks up the objects a pod's volumes and env refer to (from informer caches). */
export interface Sources {
  secret(ns: string, name: string): KeyedData | undefined;
  configMap(ns: string, name: string): KeyedData | undefined;
  pvc(ns: string, name: string): Pvc | undefined;
}

/** podDir is where a pod's logs and volumes live. */
export function podDir(dataDir: string, ns: string, name: string): string {
  return join(dataDir, "pods", ns, name);
}

/** pvcDir is the directory a PersistentVolumeClaim binds to. */
export function pvcDir(dataDir: string, ns: string, claim: string): string {
  return join(dataDir, "pvc", ns, claim);
}

/** NotReady says why a pod's volumes or env cannot be prepared yet (the kubelet retries). */
export interface NotReady {
  reason: string;
  message: string;
}

function quote(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n");
}

/** fieldValue reads a downward API fieldPath of pod (status.podIP as given); undefined when unsupported. */
export function fieldValue(pod: Pod, path: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m !== null) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name": return pod.metadata.name;
    case "metadata.namespace": return pod.metadata.namespace ?? "default";
    case "metadata.uid": return pod.metadata.uid;
    case "metadata.labels": return quote(pod.metadata.labels);
    case "metadata.annotations": return quote(pod.metadata.annotations);
    case "spec.nodeName": return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName": return (pod.spec as { serviceAccountName?: string }).serviceAccountName ?? "default";
    case "status.podIP": case "status.podIPs": return pod.status?.podIP ?? "";
    case "status.hostIP": case "status.hostIPs": return "127.0.0.1";
    default: return undefined;
  }
}

function keyedFiles(obj: KeyedData, items: KeyToPath[] | undefined, base64: boolean): { path: string; data: Buffer; mode?: number }[] | NotReady {
  const all: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) all[k] = base64 ? Buffer.from(v, "base64") : Buffer.from(v, "utf8");
  for (const [k, v] of Object.entries(obj.binaryData ?? {})) all[k] = Buffer.from(v, "base64");
  if (items === undefined) return Object.entries(all).map(([path, data]) => ({ path, data }));
  const out: { path: string; data: Buffer; mode?: number }[] = [];
  for (const it of items) {
    const data = all[it.key];
    if (data === undefined) return { reason: "FailedMount", message: `configmap or secret "${obj.metadata.name}" has no key "${it.key}"` };
    out.push({ path: it.path, data, mode: it.mode });
  }
  return out;
}

function writeFiles(dir: string, files: { path: string; data: Buffer | string; mode?: number }[], defaultMode: number): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const p = normalize(join(dir, f.path));
    if (!p.startsWith(dir)) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    chmodSync(p, f.mode ?? defaultMode);
  }
}

function downwardFiles(pod: Pod, items: DownwardFile[]): { path: string; data: string }[] {
  return items.map((it) => ({ path: it.path, data: it.fieldRef === undefined ? "" : (fieldValue(pod, it.fieldRef.fieldPath) ?? "") }));
}

/** prepareVolumes materialises every volume of pod and returns volume name → host directory, or why it cannot yet. */
export function prepareVolumes(dataDir: string, pod: Pod, src: Sources): Map<string, string> | NotReady {
  const ns = pod.metadata.namespace ?? "default";
  const base = join(podDir(dataDir, ns, pod.metadata.name), "volumes");
  const dirs = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    const dir = join(base, v.name);
    const mode = ((v.secret ?? v.configMap) as { defaultMode?: number } | undefined)?.defaultMode ?? 0o644;
    if (v.hostPath !== undefined) {
      if (v.hostPath.type === "DirectoryOrCreate") mkdirSync(v.hostPath.path, { recursive: true });
      dirs.set(v.name, v.hostPath.path);
    } else if (v.persistentVolumeClaim !== undefined) {
      const claim = v.persistentVolumeClaim.claimName;
      const pvc = src.pvc(ns, claim);
      if (pvc === undefined) return { reason: "FailedMount", message: `persistentvolumeclaim "${claim}" not found` };
      if (pvc.status?.phase !== "Bound") return { reason: "FailedMount", message: `persistentvolumeclaim "${claim}" is not bound` };
      const d = pvcDir(dataDir, ns, claim);
      mkdirSync(d, { recursive: true });
      dirs.set(v.name, d);
    } else if (v.secret !== undefined || v.configMap !== undefined) {
      const isSecret = v.secret !== undefined;
      const name = v.secret?.secretName ?? v.configMap?.name ?? "";
      const obj = isSecret ? src.secret(ns, name) : src.configMap(ns, name);
      if (obj === undefined) {
        if ((v.secret?.optional ?? v.configMap?.optional) === true) mkdirSync(dir, { recursive: true });
        else return { reason: "FailedMount", message: `MountVolume.SetUp failed for volume "${v.name}" : ${isSecret ? "secret" : "configmap"} "${name}" not found` };
      } else {
        const files = keyedFiles(obj, v.secret?.items ?? v.configMap?.items, isSecret);
        if (!Array.isArray(files)) return files;
        writeFiles(dir, files, mode);
      }
      dirs.set(v.name, dir);
    } else if (v.downwardAPI !== undefined) {
      writeFiles(dir, downwardFiles(pod, v.downwardAPI.items ?? []), 0o644);
      dirs.set(v.name, dir);
    } else if (v.projected !== undefined) {
      for (const s of v.projected.sources ?? []) {
        const ref = s.secret ?? s.configMap;
        if (ref !== undefined) {
          const obj = s.secret !== undefined ? src.secret(ns, ref.name) : src.configMap(ns, ref.name);
          if (obj === undefined) return { reason: "FailedMount", message: `MountVolume.SetUp failed for volume "${v.name}" : "${ref.name}" not found` };
          const files = keyedFiles(obj, ref.items, s.secret !== undefined);
          if (!Array.isArray(files)) return files;
          writeFiles(dir, files, 0o644);
        }
        if (s.downwardAPI !== undefined) writeFiles(dir, downwardFiles(pod, s.downwardAPI.items ?? []), 0o644);
      }
      mkdirSync(dir, { recursive: true });
      dirs.set(v.name, dir);
    } else {
      // emptyDir, and any volume type not modelled here, is an empty per-pod directory.
      mkdirSync(dir, { recursive: true });
      dirs.set(v.name, dir);
    }
  }
  return dirs;
}

/** Mount is one container mount resolved to a host directory. */
export interface Mount {
  mountPath: string;
  hostPath: string;
}

/** containerMounts resolves a container's volumeMounts (with subPath) to host paths. */
export function containerMounts(c: Container, dirs: Map<string, string>): Mount[] {
  const out: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const dir = dirs.get(m.name);
    if (dir === undefined) continue;
    const hostPath = m.subPath === undefined || m.subPath === "" ? dir : join(dir, m.subPath);
    if (m.subPath !== undefined && m.subPath !== "" && !m.subPath.includes(".")) mkdirSync(hostPath, { recursive: true });
    out.push({ mountPath: m.mountPath.replace(/\/+$/, ""), hostPath });
  }
  // Longest mount path first, so /data/ckpt wins over /data.
  return out.sort((a, b) => b.mountPath.length - a.mountPath.length);
}

/** imageRoot is the checkout the mapped images run from: the image's own files, which no volume hides. */
export const imageRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * rewritePaths replaces a mountPath that starts s or a word of it (after a space, quote,
 * redirection, "=", ":" or ",") with its host path. Paths inside the image itself (imageRoot,
 * and the Node that runs it) are left alone, as a container's image files are never behind its
 * volumes: a checkout under /tmp still runs pods that mount an emptyDir at /tmp.
 */
export function rewritePaths(s: string, mounts: Mount[]): string {
  if (mounts.length === 0) return s;
  const own = [imageRoot, dirname(process.execPath)];
  return s.replace(/(^|[\s=:,<>'"(])(\/[^\s=:,;'"<>|&()]*)/g, (whole, lead: string, path: string) => {
    if (own.some((d) => under(path, d))) return whole;
    for (const m of mounts) {
      if (path === m.mountPath || path.startsWith(`${m.mountPath}/`)) return lead + m.hostPath + path.slice(m.mountPath.length);
    }
    return whole;
  });
}

/** removePodDir deletes a pod's directory: its logs and own volumes (never hostPath or PVC data, which live elsewhere). */
export function removePodDir(dataDir: string, ns: string, name: string): void {
  rmSync(podDir(dataDir, ns, name), { recursive: true, force: true });
}
