// The three classic PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902, via
// fast-json-patch) and strategic merge patch for built-in kinds, with the merge keys of the
// lists kubectl's generated patches touch and the directives it emits ($setElementOrder,
// $patch, $retainKeys, $deleteFromPrimitiveList). Server-side apply lives in ssa.ts.
import fastJsonPatch from "fast-json-patch";
import { ApiError } from "./errors.ts";
import { clone, isObj, type Obj } from "./types.ts";

/** mergePatch applies an RFC 7386 merge patch to a JSON value, returning a new value. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** jsonPatch applies an RFC 6902 patch; a failed operation is a 422. */
export function jsonPatch(target: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw new ApiError(400, "BadRequest", "json patch must be an array of operations");
  try {
    return fastJsonPatch.applyPatch(clone(target), ops as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (err) {
    throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${(err as Error).message}`);
  }
}

/** mergeKeyOf names the key that identifies items of a built-in list field, if it has one. */
export function mergeKeyOf(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case "containers": case "initContainers": case "ephemeralContainers": case "volumes": case "env":
    case "imagePullSecrets": case "resourceClaims": case "readinessGates":
      return field === "readinessGates" ? "conditionType" : "name";
    case "ports":
      return items.some((i) => isObj(i) && i.containerPort !== undefined) ? "containerPort" : "port";
    case "volumeMounts": return "mountPath";
    case "volumeDevices": return "devicePath";
    case "conditions": return "type";
    case "ownerReferences": return "uid";
    case "hostAliases": return "ip";
    case "topologySpreadConstraints": return "topologyKey";
    default: return undefined;
  }
}

const primitiveMergeLists = new Set(["finalizers"]);

function mergeList(field: string, orig: unknown, patch: unknown[]): unknown[] {
  const live = Array.isArray(orig) ? orig : [];
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) return patch.filter((p) => !(isObj(p) && p.$patch === "replace"));
  if (primitiveMergeLists.has(field)) return [...live, ...patch.filter((p) => !live.includes(p))];
  const key = mergeKeyOf(field, [...live, ...patch]);
  if (key === undefined) return clone(patch);
  const out = clone(live) as unknown[];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], item);
    else out.push(strategicMerge(undefined, item));
  }
  return out;
}

function orderBy(list: unknown, order: unknown[], field: string): unknown {
  if (!Array.isArray(list)) return list;
  const key = mergeKeyOf(field, list);
  const ident = (v: unknown): unknown => (key !== undefined && isObj(v) ? v[key] : v);
  const pos = new Map(order.map((o, i) => [ident(o), i]));
  return [...list].sort((a, b) => (pos.get(ident(a)) ?? order.length) - (pos.get(ident(b)) ?? order.length));
}

/** strategicMerge applies a strategic merge patch object to a live object (or undefined). */
export function strategicMerge(orig: unknown, patch: Obj): Obj {
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  const out: Obj = isObj(orig) ? clone(orig) : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith("$setElementOrder/")) orders.push([k.slice(17), Array.isArray(v) ? v : []]);
    else if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice(25);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x: unknown) => !v.includes(x));
    } else if (v === null) delete out[k];
    else if (isObj(v)) {
      if (v.$patch === "delete") delete out[k];
      else out[k] = strategicMerge(out[k], v);
    } else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v);
    else out[k] = v;
  }
  for (const [f, order] of orders) out[f] = orderBy(out[f], order, f);
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}
