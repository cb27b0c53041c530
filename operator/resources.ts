// resources: the kinds the operator reads or writes, and the REST paths they are served under.
// It is not a discovery client: every path is fixed by the Kubernetes API (and by api/meta.ts).
import { group, version } from "../api/meta.ts";

/** Resource names one served kind: where it lives and what it is called. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const core = (plural: string, kind: string): Resource => ({ group: "", version: "v1", plural, kind });

/** resources are every kind the operator touches. */
export const resources = {
  SFTJob: { group, version, plural: "sftjobs", kind: "SFTJob" },
  RLJob: { group, version, plural: "rljobs", kind: "RLJob" },
  Job: { group: "batch", version: "v1", plural: "jobs", kind: "Job" },
  Pod: core("pods", "Pod"),
  Service: core("services", "Service"),
  Secret: core("secrets", "Secret"),
  ConfigMap: core("configmaps", "ConfigMap"),
  PersistentVolumeClaim: core("persistentvolumeclaims", "PersistentVolumeClaim"),
  Event: core("events", "Event"),
  Lease: { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease" },
} satisfies Record<string, Resource>;

/** apiVersionOf is the apiVersion manifests of r carry. */
export function apiVersionOf(r: Resource): string {
  return r.group === "" ? r.version : `${r.group}/${r.version}`;
}

/** collectionPath is the path of r's collection, in one namespace or (namespace empty) all. */
export function collectionPath(r: Resource, namespace: string): string {
  const root = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return namespace === "" ? `${root}/${r.plural}` : `${root}/namespaces/${namespace}/${r.plural}`;
}

/** objectPath is the path of one named object of r (sub appends a subresource such as "status"). */
export function objectPath(r: Resource, namespace: string, name: string, sub?: string): string {
  return `${collectionPath(r, namespace)}/${name}${sub === undefined ? "" : `/${sub}`}`;
}

/** keyOf is the cache and workqueue key of an object: namespace/name. */
export function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** splitKey undoes keyOf. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
