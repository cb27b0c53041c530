// The resource operations of the API server (get, list, create, update, patch, delete),
// independent of HTTP: optimistic concurrency (409), generation, the status subresource,
// dry runs, managedFields, finalizers and deletionTimestamp. Garbage collection, namespace
// cleanup and CRD registration react to the changes this file commits (gc.ts, crds.ts).
import { randomUUID } from "node:crypto";
import { admit, checkTypeMeta, checkUnknownFields, terminatingNamespace, type FieldValidation } from "./admission.ts";
import type { BuiltinSchemas } from "./builtin-schemas.ts";
import { alreadyExists, badRequest, conflict, invalid, notFound, unsupportedMediaType } from "./errors.ts";
import { jsonPatch, mergePatch, strategicMerge } from "./patch.ts";
import type { Registry } from "./registry.ts";
import { recordUpdate, serverSideApply } from "./ssa.ts";
import { bucketOf, type Store } from "./store.ts";
import { apiVersionOf, clone, deepEqual, isObj, type Obj, type ResourceType } from "./types.ts";

/** WriteOptions are the query parameters every write takes. */
export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  force?: boolean;
  subresource?: string;
}

/** WriteResult is the object to answer with, its HTTP code and any Warning headers. */
export interface WriteResult {
  object: Obj;
  code: number;
  warnings: string[];
}

/** DeleteOptions is the body of a DELETE. */
export interface DeleteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  dryRun?: string[];
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** ApiDeps is what the operations need from the outside world. */
export interface ApiDeps {
  store: Store;
  registry: Registry;
  now: () => Date;
  newUid?: () => string;
  /** builtinSchemas, when loaded, let strict field validation see into built-in kinds. */
  builtinSchemas?: BuiltinSchemas;
  /** afterChange runs after each committed write (GC, namespace and CRD lifecycles). */
  afterChange?: (change: Change) => void;
}

/** Change is one committed write as the lifecycles see it. */
export interface Change {
  rt: ResourceType;
  deleted: boolean;
  object: Obj;
  /** prev is the stored object before a write, when there was one. */
  prev?: Obj;
}

/** Api is the set of resource operations. */
export type Api = ReturnType<typeof newApi>;

const PATCH_TYPES = ["application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml", "application/apply-patch+json"];

function target(rt: ResourceType, name: string): { group: string; plural: string; name: string } {
  return { group: rt.group, plural: rt.plural, name };
}

/** specOf is everything generation tracks: the object without metadata and status. */
function specOf(o: Obj, hasStatus: boolean): Obj {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = o;
  return hasStatus ? rest : { ...rest, status };
}

function sameContent(a: Obj, b: Obj): boolean {
  const strip = (o: Obj): Obj => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return deepEqual(strip(a), strip(b));
}

const keptOnUpdate = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"];

/** nextForUpdate is the object an update proposes: status only through the status subresource, the rest otherwise. */
function nextForUpdate(rt: ResourceType, old: Obj, candidate: Obj, subresource: string | undefined): Obj {
  if (subresource === "status") {
    // Status writes change status only (labels and annotations are ignored), as the apiserver does.
    const next: Obj = { ...clone(old), status: clone(candidate.status) };
    if (candidate.status === undefined) delete next.status;
    return next;
  }
  const next: Obj = { ...clone(candidate), apiVersion: apiVersionOf(rt), kind: rt.kind };
  if (rt.hasStatus) {
    if (old.status === undefined) delete next.status;
    else next.status = clone(old.status);
  }
  for (const k of keptOnUpdate) {
    if (old.metadata[k] === undefined) delete next.metadata[k];
    else next.metadata[k] = old.metadata[k];
  }
  const added = ((next.metadata.finalizers ?? []) as string[]).some((f) => !(old.metadata.finalizers ?? []).includes(f));
  if (old.metadata.deletionTimestamp && added) {
    const cause = { reason: "FieldValueForbidden", message: "Forbidden: no new finalizers can be added if the object is being deleted", field: "metadata.finalizers" };
    throw invalid(rt.group, rt.kind, String(old.metadata.name), [cause]);
  }
  return next;
}

/** newApi builds the operations over a store and registry. */
export function newApi(deps: ApiDeps) {
  const c = newStorage(deps);
  return {
    builtinSchemas: deps.builtinSchemas, present: c.withType, bucket: c.bucket, get: c.get, list: c.list,
    create: (rt: ResourceType, ns: string, input: unknown, opts: WriteOptions): WriteResult => create(c, rt, ns, input, opts),
    update: (rt: ResourceType, ns: string, name: string, input: unknown, opts: WriteOptions): WriteResult => update(c, rt, ns, name, input, opts),
    patch: (rt: ResourceType, ns: string, name: string, contentType: string, body: unknown, opts: WriteOptions): WriteResult => patch(c, rt, ns, name, contentType, body, opts),
    delete: (rt: ResourceType, ns: string, name: string, opts: DeleteOptions): WriteResult => del(c, rt, ns, name, opts),
    bind: (rt: ResourceType, ns: string, name: string, node: string): void => bind(c, rt, ns, name, node),
    forceRemove: c.forceRemove, putInternal: c.putInternal, registry: deps.registry, store: deps.store, nowIso: c.nowIso,
  };
}

/** Storage is the layer every write goes through: reading and storing objects as their resource type, the clock and the uid source. */
type Storage = ReturnType<typeof newStorage>;

/** newStorage builds the storage layer over deps' store; each committed write calls deps.afterChange. */
function newStorage(deps: ApiDeps) {
  const { store } = deps;
  const bucket = (rt: ResourceType): string => (rt.storedAs === undefined ? bucketOf(rt.group, rt.plural) : bucketOf(rt.storedAs.group, rt.storedAs.plural));
  /** withType presents a stored object as the resource type's kind (converting shared storage). */
  const withType = (rt: ResourceType, o: Obj): Obj => {
    if (rt.storedAs !== undefined) return rt.storedAs.fromStorage(o);
    // Versions of one CRD share storage without conversion (strategy None): only apiVersion changes.
    return { ...o, apiVersion: apiVersionOf(rt), kind: rt.kind };
  };
  const toStored = (rt: ResourceType, o: Obj): Obj => (rt.storedAs === undefined ? o : rt.storedAs.toStorage(o));
  const changed = (rt: ResourceType, object: Obj, deleted: boolean, prev?: Obj): void => deps.afterChange?.({ rt, object, deleted, prev });
  const removeNow = (rt: ResourceType, o: Obj): Obj => {
    const gone = withType(rt, store.remove(bucket(rt), toStored(rt, o)));
    changed(rt, gone, true);
    return gone;
  };
  const persist = (rt: ResourceType, o: Obj, dryRun: boolean): Obj => {
    if (dryRun) return withType(rt, o);
    const prev = store.get(bucket(rt), o.metadata.namespace ?? "", o.metadata.name);
    const stored = withType(rt, store.put(bucket(rt), toStored(rt, o)));
    changed(rt, stored, false, prev);
    return stored;
  };
  return {
    deps, store, bucket, withType, persist, removeNow,
    newUid: deps.newUid ?? randomUUID,
    nowIso: (): string => deps.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
    builtinCtx: { usedClusterIPs: () => new Set(store.list(bucketOf("", "services")).map((s) => String(s.spec?.clusterIP))) },
    get(rt: ResourceType, ns: string, name: string): Obj {
      const o = store.get(bucket(rt), rt.namespaced ? ns : "", name);
      if (o === undefined) throw notFound(target(rt, name));
      return withType(rt, o);
    },
    list: (rt: ResourceType, ns: string | undefined): Obj[] => store.list(bucket(rt), rt.namespaced ? ns : undefined).map((o) => withType(rt, o)),
    checkNamespace(rt: ResourceType, ns: string): void {
      if (!rt.namespaced) return;
      const nsObj = store.get(bucketOf("", "namespaces"), "", ns);
      if (nsObj === undefined) throw notFound({ group: "", plural: "namespaces", name: ns });
      if (nsObj.metadata.deletionTimestamp) throw terminatingNamespace(ns);
    },
    /** forceRemove deletes an object without finalizer checks (GC and namespace cleanup use it). */
    forceRemove(rt: ResourceType, o: Obj): void {
      if (store.get(bucket(rt), o.metadata.namespace ?? "", o.metadata.name) !== undefined) removeNow(rt, o);
    },
    /** putInternal stores a server-made change (status of a CRD, finalizer removal) without admission. */
    putInternal: (rt: ResourceType, o: Obj): Obj => persist(rt, o, false),
  };
}

/** create admits and stores a new object (generateName, uid, creationTimestamp, generation 1); 409 if the name is taken. */
function create(c: Storage, rt: ResourceType, ns: string, input: unknown, opts: WriteOptions, code = 201): WriteResult {
  if (!isObj(input)) throw badRequest("the body of the request was not a JSON object");
  const body = clone(input);
  checkTypeMeta(rt, body);
  const warnings = checkUnknownFields(rt, body, opts.fieldValidation, c.deps.builtinSchemas);
  const meta = body.metadata;
  if (rt.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    meta.namespace = ns;
  }
  if ((meta.name === undefined || meta.name === "") && typeof meta.generateName === "string") meta.name = meta.generateName + c.newUid().replace(/-/g, "").slice(0, 5);
  c.checkNamespace(rt, ns);
  const obj: Obj = { ...body, apiVersion: apiVersionOf(rt), kind: rt.kind };
  // Creates drop status where the apiserver's strategies do; nodes (the kubelet registers them) keep it.
  if (rt.hasStatus && rt.group !== "apiextensions.k8s.io" && !(rt.group === "" && rt.plural === "nodes")) delete obj.status;
  Object.assign(meta, { uid: c.newUid(), creationTimestamp: c.nowIso(), generation: 1 });
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  admit(rt, obj, undefined, c.builtinCtx, c.deps.builtinSchemas);
  if (c.store.get(c.bucket(rt), rt.namespaced ? ns : "", meta.name) !== undefined) throw alreadyExists(target(rt, meta.name));
  if (!Array.isArray(meta.managedFields) || opts.fieldManager !== undefined) recordUpdate(rt, undefined, obj, opts.fieldManager ?? "unknown", apiVersionOf(rt), c.nowIso());
  return { object: c.persist(rt, obj, opts.dryRun), code, warnings };
}

/** commitUpdate takes a candidate next object through the update rules and stores it. */
function commitUpdate(c: Storage, rt: ResourceType, old: Obj, candidate: Obj, opts: WriteOptions, ssaDone = false): WriteResult {
  checkTypeMeta(rt, candidate);
  const warnings = checkUnknownFields(rt, candidate, opts.fieldValidation, c.deps.builtinSchemas);
  const name = old.metadata.name;
  const rv = candidate.metadata.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw conflict(target(rt, name));
  if (candidate.metadata.name !== undefined && candidate.metadata.name !== name) throw badRequest(`the name of the object (${candidate.metadata.name}) does not match the name on the URL (${name})`);
  const next = nextForUpdate(rt, old, candidate, opts.subresource);
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  admit(rt, next, old, c.builtinCtx, c.deps.builtinSchemas);
  if (!deepEqual(specOf(next, rt.hasStatus), specOf(old, rt.hasStatus))) next.metadata.generation = Number(old.metadata.generation ?? 1) + 1;
  if (!ssaDone) recordUpdate(rt, old, next, opts.fieldManager ?? "unknown", apiVersionOf(rt), c.nowIso(), opts.subresource);
  if (sameContent(next, old)) return { object: c.withType(rt, old), code: 200, warnings };
  if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
    return { object: opts.dryRun ? c.withType(rt, next) : c.removeNow(rt, next), code: 200, warnings };
  }
  return { object: c.persist(rt, next, opts.dryRun), code: 200, warnings };
}

/** update replaces an object (PUT). */
function update(c: Storage, rt: ResourceType, ns: string, name: string, input: unknown, opts: WriteOptions): WriteResult {
  if (!isObj(input)) throw badRequest("the body of the request was not a JSON object");
  const old = c.get(rt, ns, name);
  const body = clone(input);
  if (!isObj(body.metadata)) body.metadata = {};
  if (rt.namespaced && body.metadata.namespace !== undefined && body.metadata.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  return commitUpdate(c, rt, old, body, opts);
}

/** patch applies a JSON, merge, strategic-merge or apply patch to an object. */
function patch(c: Storage, rt: ResourceType, ns: string, name: string, contentType: string, body: unknown, opts: WriteOptions): WriteResult {
  const type = contentType.split(";")[0].trim();
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(", ")}`);
  if (type.startsWith("application/apply-patch")) return apply(c, rt, ns, name, body, opts);
  const old = c.get(rt, ns, name);
  let next: Obj;
  if (type === "application/json-patch+json") next = jsonPatch(old, body);
  else if (!isObj(body)) throw badRequest("the body of the request was not a JSON object");
  else if (type === "application/merge-patch+json") next = mergePatch(old, body) as Obj;
  else if (!rt.builtin) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  else next = strategicMerge(old, body);
  if (!isObj(next.metadata)) next.metadata = {};
  // A resourceVersion inside the patch is a precondition; otherwise the patch applies to the live object.
  const patchedRv = isObj(body) && isObj(body.metadata) ? body.metadata.resourceVersion : undefined;
  next.metadata.resourceVersion = patchedRv ?? old.metadata.resourceVersion;
  return commitUpdate(c, rt, old, next, opts);
}

/** apply is server-side apply: it merges body into the live object by field manager, creating it when absent. */
function apply(c: Storage, rt: ResourceType, ns: string, name: string, body: unknown, opts: WriteOptions): WriteResult {
  if (!isObj(body)) throw badRequest("the body of the request was not a JSON or YAML object");
  if (opts.fieldManager === undefined || opts.fieldManager === "") throw badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
  const config = clone(body);
  checkTypeMeta(rt, config);
  if (rt.namespaced) config.metadata.namespace ??= ns;
  if (config.metadata.name !== undefined && config.metadata.name !== name) throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
  config.metadata.name = name;
  const warnings = checkUnknownFields(rt, config, opts.fieldValidation, c.deps.builtinSchemas);
  const liveRaw = c.store.get(c.bucket(rt), rt.namespaced ? ns : "", name);
  const live = liveRaw === undefined ? undefined : c.withType(rt, liveRaw);
  const merged = serverSideApply({ rt, live, config, manager: opts.fieldManager, force: opts.force === true, now: c.nowIso(), subresource: opts.subresource });
  if (live === undefined) {
    const r = create(c, rt, ns, merged, { ...opts, fieldValidation: "Ignore", fieldManager: undefined });
    return { ...r, warnings };
  }
  const r = commitUpdate(c, rt, live, { ...merged, metadata: { ...merged.metadata, resourceVersion: config.metadata.resourceVersion } }, { ...opts, fieldValidation: "Ignore" }, true);
  return { ...r, warnings };
}

/** del deletes an object, or marks it deleted while finalizers (foreground, orphan, or its own) remain. */
function del(c: Storage, rt: ResourceType, ns: string, name: string, opts: DeleteOptions): WriteResult {
  const old = c.get(rt, ns, name);
  const pre = opts.preconditions ?? {};
  if (pre.uid !== undefined && pre.uid !== old.metadata.uid) throw conflict(target(rt, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) throw conflict(target(rt, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  const dryRun = (opts.dryRun ?? []).includes("All");
  const policy = opts.propagationPolicy ?? "Background";
  const next = clone(old);
  const finalizers: string[] = [...(next.metadata.finalizers ?? [])];
  if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
  if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
  if (rt.group === "" && rt.plural === "namespaces") return { object: c.persist(rt, markNamespace(c, next), dryRun), code: 200, warnings: [] };
  if (finalizers.length === 0) return { object: dryRun ? old : c.removeNow(rt, old), code: 200, warnings: [] };
  if (old.metadata.deletionTimestamp && deepEqual(finalizers, old.metadata.finalizers)) return { object: old, code: 202, warnings: [] };
  next.metadata.finalizers = finalizers;
  next.metadata.deletionTimestamp ??= c.nowIso();
  next.metadata.deletionGracePeriodSeconds ??= 0;
  return { object: c.persist(rt, next, dryRun), code: 202, warnings: [] };
}

/** markNamespace marks a namespace Terminating; namespace cleanup deletes its contents. */
function markNamespace(c: Storage, ns: Obj): Obj {
  ns.metadata.deletionTimestamp ??= c.nowIso();
  ns.status = { ...(ns.status ?? {}), phase: "Terminating" };
  return ns;
}

/** bind assigns a pod to a node once (pods/binding), as the scheduler does. */
function bind(c: Storage, rt: ResourceType, ns: string, name: string, node: string): void {
  if (node === "") throw badRequest("binding.target.name is required");
  const pod = c.get(rt, ns, name);
  if (pod.metadata.deletionTimestamp) throw conflict(target(rt, name), "pod is being deleted, cannot be assigned to a host");
  if (pod.spec?.nodeName) throw conflict(target(rt, name), `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  const next = clone(pod);
  next.spec.nodeName = node;
  next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []).filter((x: Obj) => x.type !== "PodScheduled"), { type: "PodScheduled", status: "True", lastTransitionTime: c.nowIso() }] };
  c.persist(rt, next, false);
}
