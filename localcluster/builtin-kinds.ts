// The built-in resource types the local API server serves, as discovery advertises them. Their
// schemas here are deliberately loose (objects that keep unknown fields): they exist for
// OpenAPI and `kubectl explain`, not for validation, which built-ins get in defaults.ts.
import { eventFromCore, eventToCore } from "./events.ts";
import type { Obj, ResourceType } from "./types.ts";

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus?: boolean;
  extra?: string[];
  fields?: Obj;
}

const open: Obj = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

function describe(name: string, text: string, schema: Obj = open): Obj {
  return { ...schema, description: `${name} ${text}` };
}

const specs: Spec[] = [
  { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"], hasStatus: true },
  {
    group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, shortNames: ["po"], categories: ["all"], hasStatus: true, extra: ["log", "binding"],
  },
  { group: "", version: "v1", kind: "Service", plural: "services", namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatus: true },
  { group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, fields: { data: { type: "object", additionalProperties: { type: "string", format: "byte" } }, stringData: { type: "object", additionalProperties: { type: "string" } }, type: { type: "string" }, immutable: { type: "boolean" } } },
  { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"], fields: { data: { type: "object", additionalProperties: { type: "string" } }, binaryData: { type: "object", additionalProperties: { type: "string", format: "byte" } }, immutable: { type: "boolean" } } },
  { group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"], fields: { involvedObject: open, reason: { type: "string" }, message: { type: "string" }, type: { type: "string" }, source: open, count: { type: "integer" }, firstTimestamp: { type: "string", format: "date-time" }, lastTimestamp: { type: "string", format: "date-time" } } },
  { group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false, shortNames: ["no"], hasStatus: true },
  { group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true, shortNames: ["pvc"], hasStatus: true },
  { group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true, shortNames: ["sa"] },
  { group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"], fields: { regarding: open, reason: { type: "string" }, note: { type: "string" }, type: { type: "string" }, action: { type: "string" }, reportingController: { type: "string" }, eventTime: { type: "string", format: "date-time" } } },
  { group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true, categories: ["all"], hasStatus: true },
  { group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true },
  { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"], hasStatus: true },
];

function schemaOf(s: Spec): Obj {
  const properties: Obj = {
    apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
    kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
    metadata: { type: "object", description: "Standard object's metadata." },
  };
  if (s.fields !== undefined) Object.assign(properties, s.fields);
  else {
    properties.spec = describe("spec", `is the desired state of the ${s.kind}.`);
    if (s.hasStatus) properties.status = describe("status", `is the observed state of the ${s.kind}.`);
  }
  return { type: "object", description: `${s.kind} is a built-in Kubernetes kind.`, properties };
}

/** builtinKinds returns the built-in resource types, freshly built (callers may keep them). */
export function builtinKinds(): ResourceType[] {
  return specs.map((s) => ({
    group: s.group,
    version: s.version,
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    hasStatus: s.hasStatus ?? false,
    extraSubresources: s.extra ?? [],
    schema: schemaOf(s),
    builtin: true,
    storageVersion: s.group !== "events.k8s.io",
    ...(s.group === "events.k8s.io" ? { storedAs: { group: "", plural: "events", toStorage: eventToCore, fromStorage: eventFromCore } } : {}),
  }));
}
