// OpenAPI schemas of the built-in kinds, derived from the model classes that
// @kubernetes/client-node generates from the Kubernetes OpenAPI document: field names and
// types from each class's attributeTypeMap, descriptions from its .d.ts comments. They give
// `kubectl explain pod.spec.containers` its answer and let strict field validation name
// unknown fields of built-in manifests. Not used for type checking of values.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { isObj, type Obj } from "./types.ts";

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
type ModelClass = { attributeTypeMap?: Attribute[] };

/** META is the component name of ObjectMeta, shared with custom resource documents. */
export const META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/** modelOfKind maps built-in group/plural to the client-node model describing it. */
export const modelOfKind: Record<string, string> = {
  "/namespaces": "V1Namespace", "/pods": "V1Pod", "/services": "V1Service", "/secrets": "V1Secret", "/configmaps": "V1ConfigMap",
  "/events": "CoreV1Event", "/nodes": "V1Node", "/persistentvolumeclaims": "V1PersistentVolumeClaim", "/serviceaccounts": "V1ServiceAccount",
  "events.k8s.io/events": "EventsV1Event", "batch/jobs": "V1Job", "coordination.k8s.io/leases": "V1Lease",
  "apiextensions.k8s.io/customresourcedefinitions": "V1CustomResourceDefinition",
};

/** componentName turns a model name into a dotted schema name whose last part kubectl prints. */
export function componentName(model: string): string {
  if (model === "V1ObjectMeta") return META;
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  if (m === null) return `io.k8s.api.${model}`;
  return `io.k8s.api.${(m[1] ?? "").toLowerCase()}${m[1] ? "." : ""}${m[2].toLowerCase()}.${m[3]}`;
}

/** BuiltinSchemas holds every reachable model as an OpenAPI component. */
export interface BuiltinSchemas {
  components: Map<string, Obj>;
  /** reachable lists the component names a root component refers to, itself included. */
  reachable(root: string): string[];
}

function descriptions(modelsDir: string, model: string): { fields: Map<string, string>; own: string; required: Set<string> } {
  const fields = new Map<string, string>();
  const required = new Set<string>();
  let own = "";
  let text: string;
  try {
    text = readFileSync(join(modelsDir, `${model}.d.ts`), "utf8");
  } catch {
    return { fields, own, required };
  }
  const clean = (c: string): string => c.split("\n").map((l) => l.replace(/^\s*\*\s?/, "").trim()).filter((l) => l !== "" && l !== "/").join(" ").replace(/\\(['"])/g, "$1");
  const cls = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export declare class/.exec(text);
  if (cls) own = clean(cls[1]);
  for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*'([^']+)'(\??):/g)) {
    fields.set(m[2], clean(m[1]));
    if (m[3] !== "?") required.add(m[2]);
  }
  return { fields, own, required };
}

function typeSchema(type: string, format: string, refer: (model: string) => string): Obj {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { type: "array", items: typeSchema(arr[1], "", refer) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1], "", refer) };
  switch (type) {
    case "string": return { type: "string", ...(format ? { format } : {}) };
    case "number": return format === "double" || format === "float" ? { type: "number", format: "double" } : { type: "integer", format: format || "int64" };
    case "boolean": return { type: "boolean" };
    case "Date": return { type: "string", format: "date-time" };
    case "IntOrString": return { "x-kubernetes-int-or-string": true };
    case "any": return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    default: return { $ref: `#/components/schemas/${refer(type)}` };
  }
}

/** loadBuiltinSchemas imports client-node's models (about a third of a second) and converts them. */
export async function loadBuiltinSchemas(): Promise<BuiltinSchemas> {
  const require = createRequire(import.meta.url);
  const modelsDir = join(dirname(require.resolve("@kubernetes/client-node")), "gen", "models");
  const models = (await import(join(modelsDir, "ObjectSerializer.js"))) as Record<string, ModelClass | undefined>;
  const components = new Map<string, Obj>();
  const edges = new Map<string, Set<string>>();
  const queue = Object.values(modelOfKind);
  while (queue.length > 0) {
    const model = queue.pop() as string;
    const name = componentName(model);
    if (components.has(name)) continue;
    const attrs = models[model]?.attributeTypeMap ?? [];
    const doc = descriptions(modelsDir, model);
    const refs = new Set<string>();
    const refer = (m: string): string => {
      queue.push(m);
      refs.add(componentName(m));
      return componentName(m);
    };
    const properties: Obj = {};
    for (const a of attrs) {
      const s = typeSchema(a.type, a.format, refer);
      const description = doc.fields.get(a.name) ?? "";
      properties[a.baseName] = s.$ref !== undefined ? { allOf: [s], description, default: {} } : { ...s, description };
    }
    const required = attrs.filter((a) => doc.required.has(a.name)).map((a) => a.baseName);
    components.set(name, { type: "object", description: doc.own, properties, ...(required.length ? { required } : {}) });
    edges.set(name, refs);
  }
  return {
    components,
    reachable(root) {
      const seen = new Set<string>([root]);
      const todo = [root];
      while (todo.length > 0) {
        for (const r of edges.get(todo.pop() as string) ?? []) {
          if (!seen.has(r)) {
            seen.add(r);
            todo.push(r);
          }
        }
      }
      return [...seen];
    },
  };
}

function resolve(s: Obj | undefined, components: Map<string, Obj>): Obj | undefined {
  if (s === undefined) return undefined;
  const ref = s.$ref ?? s.allOf?.[0]?.$ref;
  return typeof ref === "string" ? components.get(ref.replace("#/components/schemas/", "")) : s;
}

/** unknownBuiltinFields lists the paths of fields a built-in kind does not define; prune removes them. */
export function unknownBuiltinFields(value: unknown, schema: Obj | undefined, components: Map<string, Obj>, path = "", prune = false): string[] {
  const s = resolve(schema, components);
  if (s === undefined || s["x-kubernetes-preserve-unknown-fields"] === true) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownBuiltinFields(v, s.items, components, `${path}[${i}]`, prune));
  if (!isObj(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const child = path === "" ? k : `${path}.${k}`;
    if (s.properties?.[k] !== undefined) out.push(...unknownBuiltinFields(v, s.properties[k], components, child, prune));
    else if (isObj(s.additionalProperties)) out.push(...unknownBuiltinFields(v, s.additionalProperties, components, child, prune));
    else if (s.properties !== undefined && s.additionalProperties !== true) {
      out.push(child);
      if (prune) delete value[k];
    }
  }
  return out;
}

/** pruneBuiltin drops fields a built-in kind does not define, as decoding into its Go type does. */
export function pruneBuiltin(obj: Obj, model: string, builtins: BuiltinSchemas): void {
  unknownBuiltinFields(obj, { $ref: `#/components/schemas/${componentName(model)}` }, builtins.components, "", true);
}
