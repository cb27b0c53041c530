// OpenAPI v3, as kubectl reads it: an index at /openapi/v3 and one document per group-version
// whose schemas carry x-kubernetes-group-version-kind (for `kubectl explain`) and whose PATCH
// operations list the fieldValidation parameter (so kubectl sends fieldValidation=Strict
// instead of falling back to protobuf OpenAPI v2, which this server answers with 404).
// Strategic merge patch is deliberately not advertised: kubectl then builds it from its
// compiled-in types for built-ins, with the list directives the server understands.
import { createHash } from "node:crypto";
import { componentName, META, modelOfKind, type BuiltinSchemas } from "./builtin-schemas.ts";
import type { Registry } from "./registry.ts";
import { apiVersionOf, clone, isObj, type Obj, type ResourceType } from "./types.ts";

const LISTMETA = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

const str = (d: string): Obj => ({ type: "string", description: d });
const objectMeta: Obj = {
  type: "object",
  description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  properties: {
    name: str("Name must be unique within a namespace."),
    generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name."),
    namespace: str("Namespace defines the space within which each name must be unique."),
    uid: str("UID is the unique in time and space value for this object."),
    resourceVersion: str("An opaque value that represents the internal version of this object."),
    generation: { type: "integer", format: "int64", description: "A sequence number representing a specific generation of the desired state." },
    creationTimestamp: { type: "string", format: "date-time", description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
    deletionTimestamp: { type: "string", format: "date-time", description: "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted." },
    labels: { type: "object", additionalProperties: { type: "string" }, description: "Map of string keys and values that can be used to organize and categorize objects." },
    annotations: { type: "object", additionalProperties: { type: "string" }, description: "Annotations is an unstructured key value map stored with a resource." },
    finalizers: { type: "array", items: { type: "string" }, description: "Must be empty before the object is deleted from the registry." },
    ownerReferences: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, description: "List of objects depended by this object." },
    managedFields: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, description: "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow." },
  },
};

function builtinModel(t: ResourceType, builtins: BuiltinSchemas | undefined): string | undefined {
  const model = modelOfKind[`${t.group}/${t.plural}`];
  return t.builtin && builtins !== undefined && model !== undefined ? componentName(model) : undefined;
}

function schemaName(t: ResourceType, suffix = ""): string {
  const group = t.group === "" ? "io.k8s.api.core" : t.group.split(".").reverse().join(".");
  return `${group}.${t.version}.${t.kind}${suffix}`;
}

function kindSchema(t: ResourceType): Obj {
  const s = clone(t.schema ?? { type: "object" });
  s.properties = { ...(isObj(s.properties) ? s.properties : {}) };
  s.properties.metadata = { allOf: [{ $ref: `#/components/schemas/${META}` }], description: "Standard object's metadata." };
  s.properties.apiVersion ??= str("APIVersion defines the versioned schema of this representation of an object.");
  s.properties.kind ??= str("Kind is a string value representing the REST resource this object represents.");
  s["x-kubernetes-group-version-kind"] = [{ group: t.group, version: t.version, kind: t.kind }];
  return s;
}

function listSchema(t: ResourceType): Obj {
  return {
    type: "object",
    description: `${t.listKind} is a list of ${t.kind}.`,
    required: ["items"],
    properties: {
      apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
      kind: str("Kind is a string value representing the REST resource this object represents."),
      items: { type: "array", items: { $ref: `#/components/schemas/${schemaName(t)}` } },
      metadata: { allOf: [{ $ref: `#/components/schemas/${LISTMETA}` }] },
    },
    "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.listKind }],
  };
}

const queryParam = (name: string): Obj => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });

function itemPath(t: ResourceType): Obj {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
  const body = { "application/json": { schema: ref } };
  const op = (action: string, extra: Obj = {}): Obj => ({
    operationId: `${action}${t.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    responses: { "200": { description: "OK", content: body } },
    ...extra,
  });
  const patchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];
  return {
    parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }, ...(t.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] : [])],
    get: op("get"),
    put: op("put", { parameters: [queryParam("dryRun"), queryParam("fieldManager"), queryParam("fieldValidation")], requestBody: { content: body } }),
    patch: op("patch", {
      parameters: [queryParam("dryRun"), queryParam("fieldManager"), queryParam("fieldValidation"), { name: "force", in: "query", schema: { type: "boolean" } }],
      requestBody: { content: Object.fromEntries(patchTypes.map((p) => [p, { schema: { type: "object" } }])) },
    }),
    delete: op("delete"),
  };
}

function pathOf(t: ResourceType): string {
  const base = t.group === "" ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  return `${base}/${t.namespaced ? "namespaces/{namespace}/" : ""}${t.plural}/{name}`;
}

/** groupVersionDocument builds the OpenAPI v3 document of one group-version. */
export function groupVersionDocument(reg: Registry, group: string, version: string, builtins?: BuiltinSchemas): Obj | undefined {
  const types = reg.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const schemas: Obj = {
    [META]: objectMeta,
    [LISTMETA]: { type: "object", properties: { resourceVersion: str("resourceVersion of the list."), continue: str("continue may be set if the user set a limit on the number of items returned.") } },
  };
  const paths: Obj = {};
  for (const t of types) {
    const model = builtinModel(t, builtins);
    if (model !== undefined && builtins !== undefined) {
      for (const name of builtins.reachable(model)) schemas[name] = builtins.components.get(name);
      schemas[schemaName(t)] = { ...clone(builtins.components.get(model)), "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.kind }] };
    } else schemas[schemaName(t)] = kindSchema(t);
    schemas[schemaName(t, "List")] = listSchema(t);
    paths[pathOf(t)] = itemPath(t);
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: apiVersionOf({ group, version }) }, paths, components: { schemas } };
}

/** openapiIndex lists the documents, each URL with a content hash kubectl may cache by. */
export function openapiIndex(reg: Registry, builtins?: BuiltinSchemas): Obj {
  const gvs = new Set(reg.all().map((t) => `${t.group}/${t.version}`));
  const paths: Obj = {};
  for (const gv of gvs) {
    const [group, version] = gv.split("/");
    const key = group === "" ? `api/${version}` : `apis/${group}/${version}`;
    const doc = groupVersionDocument(reg, group, version, builtins);
    const hash = createHash("sha256").update(JSON.stringify(doc)).digest("hex").slice(0, 32).toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}
