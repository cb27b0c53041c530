// The small JSONPath subset printer columns and field selectors use: `.a.b`, `.a[0]`,
// `.a[*].b` and filters `.a[?(@.type=="Ready")].status`. Not kubectl's full template language.
import { isObj } from "./types.ts";

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\)\]|\['([^']+)'\]/g;
  const body = path.trim().replace(/^\{|\}$/g, "").replace(/^\$/, "");
  for (const m of body.matchAll(re)) {
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: { path: m[3].split("."), value: m[4] ?? "" } });
    else if (m[5] !== undefined) steps.push({ field: m[5] });
    else steps.push({ all: true });
  }
  return steps;
}

function stepInto(v: unknown, s: Step): unknown[] {
  if ("field" in s) return isObj(v) && v[s.field] !== undefined ? [v[s.field]] : [];
  if (!Array.isArray(v)) return [];
  if ("index" in s) return s.index < v.length ? [v[s.index]] : [];
  if ("all" in s) return v;
  return v.filter((item) => String(s.filter.path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), item)) === s.filter.value);
}

/** evalJsonPath returns every value the path selects in obj (empty when nothing matches). */
export function evalJsonPath(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const step of parse(path)) current = current.flatMap((v) => stepInto(v, step));
  return current;
}
