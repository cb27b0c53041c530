// Server-side apply and managedFields: each write records which manager owns which fields
// (FieldsV1), an apply PATCH merges the applied configuration into the live object, drops
// fields the manager applied before but no longer does, and reports conflicts with other
// managers' fields (409 unless force=true). Lists merge by key where a key is known (built-in
// merge keys, or x-kubernetes-list-map-keys), otherwise they are atomic.
import { ApiError } from "./errors.ts";
import { mergeKeyOf } from "./patch.ts";
import { clone, deepEqual, isObj, type Obj, type ResourceType } from "./types.ts";

type Leaves = Map<string, unknown>;
const trackedMeta = new Set(["labels", "annotations", "finalizers", "ownerReferences"]);

function listKeys(rt: ResourceType, field: string, schema: Obj | undefined, items: unknown[]): string[] | undefined {
  if (rt.builtin) {
    const k = mergeKeyOf(field, items);
    return k === undefined ? undefined : [k];
  }
  if (schema?.["x-kubernetes-list-type"] === "map" && Array.isArray(schema["x-kubernetes-list-map-keys"])) return schema["x-kubernetes-list-map-keys"];
  return undefined;
}

function keySegment(keys: string[], item: Obj): string {
  return `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}`;
}

function collect(rt: ResourceType, v: unknown, schema: Obj | undefined, field: string, path: string[], out: Leaves): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) collect(rt, child, schema?.properties?.[k] ?? (isObj(schema?.additionalProperties) ? schema?.additionalProperties : undefined), k, [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    const keys = listKeys(rt, field, schema, v);
    if (keys !== undefined && v.every(isObj)) {
      for (const item of v) collect(rt, item, schema?.items, "", [...path, keySegment(keys, item)], out);
      return;
    }
  }
  out.set(JSON.stringify(path), v);
}

/** leavesOf lists the owned-field paths of an object with their values. */
export function leavesOf(rt: ResourceType, obj: Obj): Leaves {
  const out: Leaves = new Map();
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (k === "metadata") {
      for (const [mk, mv] of Object.entries(isObj(v) ? v : {})) if (trackedMeta.has(mk)) collect(rt, mv, undefined, mk, ["f:metadata", `f:${mk}`], out);
      continue;
    }
    collect(rt, v, rt.schema?.properties?.[k], k, [`f:${k}`], out);
  }
  return out;
}

/** toFieldsV1 renders a set of paths as the nested FieldsV1 object managedFields stores. */
export function toFieldsV1(paths: Iterable<string>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let node = root;
    for (const seg of JSON.parse(p) as string[]) node = node[seg] ??= {};
  }
  return root;
}

function fromFieldsV1(f: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (!isObj(f)) return out;
  const keys = Object.keys(f).filter((k) => k !== ".");
  if (keys.length === 0 && prefix.length > 0) out.add(JSON.stringify(prefix));
  for (const k of keys) fromFieldsV1(f[k], [...prefix, k], out);
  return out;
}

function renderPath(p: string): string {
  return (JSON.parse(p) as string[]).map((s) => {
    if (s.startsWith("f:")) return `.${s.slice(2)}`;
    const keys = JSON.parse(s.slice(2)) as Obj;
    return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
  }).join("");
}

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Obj;
  subresource?: string;
}

function entries(obj: Obj): Entry[] {
  return Array.isArray(obj.metadata?.managedFields) ? (obj.metadata.managedFields as Entry[]) : [];
}

/** recordUpdate gives `manager` the fields an Update changed and takes them from the others. */
export function recordUpdate(rt: ResourceType, old: Obj | undefined, next: Obj, manager: string, apiVersion: string, now: string, subresource?: string): void {
  const before = old === undefined ? new Map<string, unknown>() : leavesOf(rt, old);
  const after = leavesOf(rt, next);
  const changed = [...after].filter(([p, v]) => !before.has(p) || !deepEqual(before.get(p), v)).map(([p]) => p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.length === 0 && removed.length === 0 && old !== undefined) {
    next.metadata.managedFields = entries(old);
    return;
  }
  const drop = new Set([...changed, ...removed]);
  const list: Entry[] = [];
  let mine = new Set<string>();
  for (const e of entries(old ?? {})) {
    const owned = [...fromFieldsV1(e.fieldsV1)].filter((p) => !drop.has(p));
    if (e.manager === manager && e.operation === "Update" && (e.subresource ?? "") === (subresource ?? "")) mine = new Set(owned);
    else if (owned.length > 0) list.push({ ...e, fieldsV1: toFieldsV1(owned) });
  }
  for (const p of changed) mine.add(p);
  if (mine.size > 0) list.push({ manager, operation: "Update", apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(mine), ...(subresource ? { subresource } : {}) });
  next.metadata.managedFields = list;
}

function applyInto(rt: ResourceType, live: unknown, cfg: unknown, schema: Obj | undefined, field: string): unknown {
  if (isObj(cfg) && isObj(live)) {
    const out = clone(live);
    for (const [k, v] of Object.entries(cfg)) out[k] = applyInto(rt, out[k], v, schema?.properties?.[k] ?? (isObj(schema?.additionalProperties) ? schema?.additionalProperties : undefined), k);
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live)) {
    const keys = listKeys(rt, field, schema, [...live, ...cfg]);
    if (keys === undefined || !cfg.every(isObj)) return clone(cfg);
    const out = clone(live) as Obj[];
    for (const item of cfg) {
      const i = out.findIndex((o) => isObj(o) && keys.every((k) => deepEqual(o[k], item[k])));
      if (i >= 0) out[i] = applyInto(rt, out[i], item, schema?.items, "") as Obj;
      else out.push(clone(item));
    }
    return out;
  }
  return clone(cfg);
}

function removePath(rt: ResourceType, obj: Obj, segs: string[]): void {
  let node: unknown = obj;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg.startsWith("f:")) {
      if (!isObj(node)) return;
      if (last) delete node[seg.slice(2)];
      else node = node[seg.slice(2)];
    } else if (Array.isArray(node)) {
      const keys = JSON.parse(seg.slice(2)) as Obj;
      const idx = node.findIndex((it) => isObj(it) && Object.entries(keys).every(([k, v]) => deepEqual(it[k], v)));
      if (idx < 0) return;
      if (last) node.splice(idx, 1);
      else node = node[idx];
    } else return;
  }
}

/** ApplyRequest is one server-side apply PATCH. */
export interface ApplyRequest {
  rt: ResourceType;
  live: Obj | undefined;
  config: Obj;
  manager: string;
  force: boolean;
  now: string;
  subresource?: string;
}

function conflictError(rt: ResourceType, name: string, conflicts: { field: string; manager: string; apiVersion: string }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  const lines = causes.map((c) => `${c.message}: ${c.field}`);
  const message = `Apply failed with ${causes.length} conflict${causes.length === 1 ? "" : "s"}: ${lines.join(", ")}`;
  return new ApiError(409, "Conflict", message, { name, group: rt.group, kind: rt.plural, causes });
}

/** serverSideApply computes the object an apply produces, with its managedFields; throws on conflicts. */
export function serverSideApply(req: ApplyRequest): Obj {
  const { rt, live, config, manager } = req;
  const apiVersion = config.apiVersion ?? "";
  const applied = leavesOf(rt, config);
  const base: Obj = live === undefined ? { metadata: {} } : clone(live);
  const others: Entry[] = [];
  let previous = new Set<string>();
  const conflicts: { field: string; manager: string; apiVersion: string }[] = [];
  const currentLeaves = live === undefined ? new Map<string, unknown>() : leavesOf(rt, live);
  for (const e of entries(base)) {
    const owned = fromFieldsV1(e.fieldsV1);
    if (e.manager === manager && e.operation === "Apply") {
      previous = owned;
      continue;
    }
    const clashing = [...owned].filter((p) => applied.has(p) && !deepEqual(currentLeaves.get(p), applied.get(p)));
    for (const p of clashing) conflicts.push({ field: renderPath(p), manager: e.manager, apiVersion: e.apiVersion });
    const kept = req.force ? [...owned].filter((p) => !clashing.includes(p)) : [...owned];
    if (kept.length > 0) others.push({ ...e, fieldsV1: toFieldsV1(kept) });
  }
  if (conflicts.length > 0 && !req.force) throw conflictError(rt, String(config.metadata?.name ?? ""), conflicts);
  const ownedByOthers = new Set(others.flatMap((e) => [...fromFieldsV1(e.fieldsV1)]));
  for (const p of previous) if (!applied.has(p) && !ownedByOthers.has(p)) removePath(rt, base, JSON.parse(p) as string[]);
  const { metadata: cfgMeta = {}, ...cfgBody } = config;
  const merged = applyInto(rt, base, cfgBody, rt.schema, "") as Obj;
  const trackedCfgMeta = Object.fromEntries(Object.entries(cfgMeta as Obj).filter(([k]) => trackedMeta.has(k)));
  merged.metadata = applyInto(rt, base.metadata ?? {}, trackedCfgMeta, undefined, "metadata") as Obj;
  if (live === undefined) Object.assign(merged.metadata, { name: cfgMeta.name, namespace: cfgMeta.namespace, generateName: cfgMeta.generateName });
  const entry: Entry = { manager, operation: "Apply", apiVersion, time: req.now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(applied.keys()), ...(req.subresource ? { subresource: req.subresource } : {}) };
  merged.metadata.managedFields = [...others, entry];
  return merged;
}
