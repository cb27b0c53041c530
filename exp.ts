import { openAPIV3Schema } from "./api/crd.ts";
import { kindList } from "./api/kinds.ts";
function walk(n: any, path: string, out: string[]) {
  if (n.properties) for (const [k, v] of Object.entries<any>(n.properties)) { if (!v.description) out.push(path + "." + k); walk(v, path + "." + k, out); }
  if (n.items) walk(n.items, path + "[]", out);
}
for (const k of kindList) { const out: string[] = []; walk(openAPIV3Schema(k), k.kind, out); console.log(out.join("\n")); }
