// Label and field selectors as list, watch and deletecollection take them:
// `a=b,c!=d,e in (x,y),f notin (z),g,!h` for labels; `metadata.name=x,involvedObject.uid!=y`
// for fields, where any dotted path into the object may be named.
import { badRequest } from "./errors.ts";
import { isObj, type Obj } from "./types.ts";

/** Matcher tells whether an object passes a selector. */
export type Matcher = (o: Obj) => boolean;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function labelRequirement(req: string): Matcher {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
  if (set) {
    const [, key, op, list] = set;
    const values = list.split(",").map((v) => v.trim());
    return (o) => {
      const v = o.metadata?.labels?.[key];
      return op === "in" ? v !== undefined && values.includes(v) : v === undefined || !values.includes(v);
    };
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(req);
  if (cmp) {
    const [, key, op, value] = cmp;
    return (o) => {
      const v = o.metadata?.labels?.[key];
      return op === "!=" ? v !== value : v === value;
    };
  }
  const exists = /^(!?)([^\s!=(),]+)$/.exec(req);
  if (exists) {
    const [, not, key] = exists;
    return (o) => (o.metadata?.labels?.[key] !== undefined) !== (not === "!");
  }
  throw badRequest(`unable to parse requirement: invalid label selector "${req}"`);
}

/** parseLabelSelector compiles a labelSelector query value. */
export function parseLabelSelector(s: string | null): Matcher {
  if (s === null || s.trim() === "") return () => true;
  const reqs = splitTopLevel(s).map(labelRequirement);
  return (o) => reqs.every((r) => r(o));
}

function fieldValue(o: Obj, path: string): string {
  let v: unknown = o;
  for (const k of path.split(".")) v = isObj(v) ? v[k] : undefined;
  if (v === undefined || v === null) return "";
  // Field selectors name scalar fields; anything else compares by its JSON text.
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/** parseFieldSelector compiles a fieldSelector query value. */
export function parseFieldSelector(s: string | null): Matcher {
  if (s === null || s.trim() === "") return () => true;
  const reqs = splitTopLevel(s).map((req): Matcher => {
    const m = /^([A-Za-z0-9_.-]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) throw badRequest(`invalid field selector: "${req}"`);
    const [, path, op, value] = m;
    return (o) => (fieldValue(o, path) === value) !== (op === "!=");
  });
  return (o) => reqs.every((r) => r(o));
}

/** matchLabelSelector evaluates a structured LabelSelector (matchLabels, matchExpressions). */
export function matchLabelSelector(selector: Obj | undefined, labels: Obj | undefined): boolean {
  if (selector === undefined) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Obj[]) {
    const v = l[e.key];
    const values: string[] = e.values ?? [];
    if (e.operator === "In" && !(v !== undefined && values.includes(v))) return false;
    if (e.operator === "NotIn" && v !== undefined && values.includes(v)) return false;
    if (e.operator === "Exists" && v === undefined) return false;
    if (e.operator === "DoesNotExist" && v !== undefined) return false;
  }
  return true;
}
