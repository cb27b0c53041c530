// Shared shapes of the local API server: JSON objects as they travel, and the description of
// one served resource type. Not a copy of the Kubernetes Go types: only what the server reads.

/** Obj is one decoded JSON object (a manifest, a patch, a Status); shapes are checked where read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = { [key: string]: any };

/** PrinterColumn is one additionalPrinterColumns entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** ResourceType describes one served group/version/resource, built-in or defined by a CRD. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** hasStatus splits the status subresource from the main resource (spec writes keep status). */
  hasStatus: boolean;
  /** extraSubresources lists subresources beyond status (pods/log). */
  extraSubresources: string[];
  /** schema is the CRD's openAPIV3Schema; built-ins carry a loose schema for OpenAPI only. */
  schema?: Obj;
  printerColumns?: PrinterColumn[];
  /** builtin kinds accept strategic merge patch and skip structural pruning. */
  builtin: boolean;
  /** crdName names the CRD that defines this type, when there is one. */
  crdName?: string;
  /** storageVersion marks the version objects are stored in (one per group and resource). */
  storageVersion: boolean;
  /** storedAs names another resource whose storage this one shares (events.k8s.io events). */
  storedAs?: { group: string; plural: string; toStorage: (o: Obj) => Obj; fromStorage: (o: Obj) => Obj };
}

/** apiVersionOf renders the apiVersion string of a resource type ("v1", "batch/v1"). */
export function apiVersionOf(rt: { group: string; version: string }): string {
  return rt.group === "" ? rt.version : `${rt.group}/${rt.version}`;
}

/** qualifiedResource renders "jobs.batch" / "pods", the way apiserver messages name a resource. */
export function qualifiedResource(rt: { group: string; plural: string }): string {
  return rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`;
}

/** isObj tells a JSON object from arrays, null and scalars. */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** clone deep-copies a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** deepEqual compares two JSON values structurally (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
