// Admission of one write: the checks and fill-ins every create and update goes through, in the
// apiserver's order (decode checks, unknown fields per fieldValidation, pruning, defaulting,
// metadata rules, kind rules, schema and CEL validation). It changes the object in place and
// throws the Status error the client should see; it never touches the store.
import { admitBuiltin, type BuiltinContext } from "./builtin-rules.ts";
import { componentName, modelOfKind, pruneBuiltin, unknownBuiltinFields, type BuiltinSchemas } from "./builtin-schemas.ts";
import { ApiError, badRequest, invalid, type Cause } from "./errors.ts";
import { labelCauses } from "./immutability.ts";
import { applyDefaults, pruneUnknown, validateAgainst } from "./schema.ts";
import { apiVersionOf, isObj, type Obj, type ResourceType } from "./types.ts";

/** FieldValidation is the fieldValidation query parameter's value. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

const metadataFields = new Set([
  "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
  "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
]);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** labelNameCauses checks a name that must be an RFC 1123 label (a namespace's), with the API server's messages. */
function labelNameCauses(name: string, field: string): Cause[] {
  const causes: Cause[] = [];
  if (name.length > 63) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: must be no more than 63 characters`, field });
  if (!DNS_LABEL.test(name)) {
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`, field });
  }
  return causes;
}

/** checkTypeMeta rejects a body whose apiVersion or kind is not the resource's. */
export function checkTypeMeta(rt: ResourceType, body: Obj): void {
  const want = apiVersionOf(rt);
  if (body.apiVersion !== undefined && body.apiVersion !== want) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`);
  if (body.kind !== undefined && body.kind !== rt.kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
  if (!isObj(body.metadata)) body.metadata = {};
}

function unknownFields(rt: ResourceType, body: Obj, builtins: BuiltinSchemas | undefined): string[] {
  const model = modelOfKind[`${rt.group}/${rt.plural}`];
  if (rt.builtin && builtins !== undefined && model !== undefined) {
    return unknownBuiltinFields(body, { $ref: `#/components/schemas/${componentName(model)}` }, builtins.components);
  }
  const found = Object.keys(body.metadata ?? {}).filter((k) => !metadataFields.has(k)).map((k) => `metadata.${k}`);
  if (!rt.builtin) {
    const probe = JSON.parse(JSON.stringify(body)) as Obj;
    found.push(...pruneUnknown(probe, rt.schema));
  }
  return found;
}

/** checkUnknownFields applies fieldValidation: Strict throws 400, Warn returns warnings. */
export function checkUnknownFields(rt: ResourceType, body: Obj, mode: FieldValidation, builtins?: BuiltinSchemas): string[] {
  if (mode === "Ignore") return [];
  const found = unknownFields(rt, body, builtins);
  if (found.length === 0) return [];
  const list = found.map((f) => `unknown field "${f}"`);
  if (mode === "Strict") throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${list.join(", ")}`);
  return list;
}

const invalidValue = (field: string, value: unknown, why: string): Cause => ({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value) ?? "null"}: ${why}`, field });

/** ownerReferenceCauses checks metadata.ownerReferences is a list of references naming apiVersion, kind, name and uid, so the garbage collector can trust what it reads. */
function ownerReferenceCauses(refs: unknown): Cause[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [invalidValue("metadata.ownerReferences", refs, "must be a list of owner references")];
  return refs.flatMap((r: unknown, i): Cause[] => {
    const field = `metadata.ownerReferences[${i}]`;
    if (!isObj(r)) return [invalidValue(field, r, "must be an owner reference (apiVersion, kind, name, uid)")];
    const causes = ["apiVersion", "kind", "name", "uid"].flatMap((k) => (typeof r[k] === "string" && r[k] !== "" ? [] : [invalidValue(`${field}.${k}`, r[k] ?? "", `${k} must be a non-empty string`)]));
    for (const k of ["controller", "blockOwnerDeletion"]) if (r[k] !== undefined && r[k] !== null && typeof r[k] !== "boolean") causes.push(invalidValue(`${field}.${k}`, r[k], "must be a boolean"));
    return causes;
  });
}

/** finalizerCauses checks metadata.finalizers is a list of non-empty strings. */
function finalizerCauses(finalizers: unknown): Cause[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [invalidValue("metadata.finalizers", finalizers, "must be a list of strings")];
  return finalizers.flatMap((f: unknown, i) => (typeof f === "string" && f !== "" ? [] : [invalidValue(`metadata.finalizers[${i}]`, f, "must be a non-empty string")]));
}

function metadataCauses(rt: ResourceType, meta: Obj): Cause[] {
  const causes: Cause[] = [];
  const name = meta.name;
  if (typeof name !== "string" || name === "") causes.push({ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" });
  else if (rt.group === "" && rt.plural === "namespaces") causes.push(...labelNameCauses(name, "metadata.name"));
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`, field: "metadata.name" });
  }
  for (const field of ["labels", "annotations"]) {
    const m = meta[field];
    if (m === undefined || m === null) continue;
    if (!isObj(m)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: must be a map of strings`, field: `metadata.${field}` });
    else for (const [k, v] of Object.entries(m)) if (typeof v !== "string") causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(v)}: must be a string`, field: `metadata.${field}.${k}` });
  }
  causes.push(...ownerReferenceCauses(meta.ownerReferences), ...finalizerCauses(meta.finalizers));
  if (rt.namespaced === false && meta.namespace) delete meta.namespace;
  else if (rt.namespaced && typeof meta.namespace === "string" && meta.namespace !== "") causes.push(...labelNameCauses(meta.namespace, "metadata.namespace"));
  return causes;
}

/** admit prunes, defaults and validates obj (old on update), throwing 422 with causes. */
export function admit(rt: ResourceType, obj: Obj, old: Obj | undefined, ctx: BuiltinContext, builtins?: BuiltinSchemas): void {
  const model = modelOfKind[`${rt.group}/${rt.plural}`];
  if (rt.builtin && builtins !== undefined && model !== undefined) pruneBuiltin(obj, model, builtins);
  const causes = metadataCauses(rt, obj.metadata);
  causes.push(...labelCauses(obj.metadata.labels));
  if (rt.builtin) causes.push(...admitBuiltin(rt.group, rt.plural, obj, old, ctx));
  else if (rt.schema !== undefined) {
    pruneUnknown(obj, rt.schema);
    applyDefaults(obj, rt.schema);
    causes.push(...validateAgainst(obj, old, rt.schema));
  }
  if (causes.length > 0) throw invalid(rt.group, rt.kind, String(obj.metadata.name ?? ""), causes);
}

/** terminatingNamespace is the 403 for creating inside a namespace being deleted. */
export function terminatingNamespace(ns: string): ApiError {
  return new ApiError(403, "Forbidden", `unable to create new content in namespace ${ns} because it is being terminated`, { name: ns, kind: "namespaces" });
}
