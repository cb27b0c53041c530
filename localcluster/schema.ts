// Structural-schema processing of custom resources, in the apiserver's order: find unknown
// fields (for fieldValidation), prune them, drop nulls the schema does not allow and apply
// defaults, then validate types, required fields, enums, bounds and patterns, and then the CEL
// rules unless a blocking error stopped them. Causes use Kubernetes' wording and dotted paths.
// api/structural.ts (behind `temper validate`) implements the same rules independently;
// api/structural.test.ts runs one corpus of cases (test/structural-corpus.ts) through both.
import type { Cause } from "./errors.ts";
import { checkRule, type ValidationRule } from "../api/cel.ts";
import { clone, deepEqual, isObj, type Obj } from "./types.ts";

const rootKeep = new Set(["apiVersion", "kind", "metadata"]);

function keepsUnknown(s: Obj): boolean {
  return s["x-kubernetes-preserve-unknown-fields"] === true;
}

function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** pruneUnknown removes fields the schema does not declare, returning their paths. */
export function pruneUnknown(value: unknown, schema: Obj | undefined, path = "", root = true): string[] {
  if (schema === undefined) return [];
  const found: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => found.push(...pruneUnknown(v, schema.items, `${path}[${i}]`, false)));
    return found;
  }
  if (!isObj(value)) return found;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    if ((root || embedded) && rootKeep.has(key)) continue;
    const prop = schema.properties?.[key] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (prop !== undefined) found.push(...pruneUnknown(value[key], prop, childPath(path, key), false));
    else if (schema.additionalProperties === true) continue;
    else if (!keepsUnknown(schema)) {
      found.push(childPath(path, key));
      delete value[key];
    }
  }
  return found;
}

/** applyDefaults drops null values the schema neither allows nor defaults, then fills absent (or null, non-nullable) fields that declare a default. */
export function applyDefaults(value: unknown, schema: Obj | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) applyDefaults(v, schema.items);
    return;
  }
  if (!isObj(value)) return;
  const props = (schema.properties ?? {}) as Obj;
  for (const [key, v] of Object.entries(value)) {
    const child = props[key] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    // The apiserver's PruneNonNullableNullsWithoutDefaults.
    if (v === null && child !== undefined && child.nullable !== true && child.default === undefined) delete value[key];
  }
  for (const [key, prop] of Object.entries(props)) {
    const absent = value[key] === undefined || (value[key] === null && prop.nullable !== true);
    if (absent && prop.default !== undefined) value[key] = clone(prop.default);
  }
  for (const [key, v] of Object.entries(value)) {
    applyDefaults(v, schema.properties?.[key] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined));
  }
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : isObj(v) ? '"object"' : Array.isArray(v) ? '"array"' : String(v);
}

function typeOk(v: unknown, s: Obj): boolean {
  if (s["x-kubernetes-int-or-string"] === true) return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
  switch (s.type) {
    case "object": return isObj(v);
    case "array": return Array.isArray(v);
    case "string": return typeof v === "string";
    case "integer": return typeof v === "number" && Number.isInteger(v);
    case "number": return typeof v === "number";
    case "boolean": return typeof v === "boolean";
    default: return true;
  }
}

function jsonTypeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (isObj(v)) return "object";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Ctx collects schema causes; rule causes go to rules (left out when undefined); typeErrors counts wrong types. */
type Ctx = { causes: Cause[]; rules?: Cause[]; typeErrors: number };

function invalidCause(path: string, v: unknown, detail: string): Cause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${show(v)}: ${detail}`, field: path };
}

function checkScalar(v: unknown, s: Obj, path: string, ctx: Ctx): void {
  const at = `${path} in body`;
  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => deepEqual(e, v))) {
    const supported = s.enum.map((e: unknown) => JSON.stringify(e)).join(", ");
    ctx.causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${supported}`, field: path });
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) {
      ctx.causes.push(invalidCause(path, v, `${at} should be greater than ${s.exclusiveMinimum === true ? "" : "or equal to "}${s.minimum}`));
    }
    if (typeof s.maximum === "number" && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) {
      ctx.causes.push(invalidCause(path, v, `${at} should be less than ${s.exclusiveMaximum === true ? "" : "or equal to "}${s.maximum}`));
    }
    if (typeof s.multipleOf === "number" && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) {
      ctx.causes.push(invalidCause(path, v, `${at} should be a multiple of ${s.multipleOf}`));
    }
  }
  if (typeof v === "string") {
    if (typeof s.minLength === "number" && [...v].length < s.minLength) ctx.causes.push(invalidCause(path, v, `${at} should be at least ${s.minLength} chars long`));
    if (typeof s.maxLength === "number" && [...v].length > s.maxLength) {
      ctx.causes.push({ reason: "FieldValueTooLong", message: `Too long: may not be more than ${s.maxLength} bytes`, field: path });
    }
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v)) ctx.causes.push(invalidCause(path, v, `${at} should match '${s.pattern}'`));
    if (s.format === "date-time" && Number.isNaN(Date.parse(v))) ctx.causes.push(invalidCause(path, v, `${at} must be of type date-time: ${JSON.stringify(v)}`));
  }
}

function checkCollection(v: unknown, old: unknown, s: Obj, path: string, ctx: Ctx): void {
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems) ctx.causes.push(invalidCause(path, v, `${path} in body should have at least ${s.minItems} items`));
    if (typeof s.maxItems === "number" && v.length > s.maxItems) {
      ctx.causes.push({ reason: "FieldValueTooMany", message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, field: path });
    }
    v.forEach((item, i) => walk(item, Array.isArray(old) ? old[i] : undefined, s.items, `${path}[${i}]`, ctx));
    return;
  }
  if (!isObj(v)) return;
  for (const req of (s.required ?? []) as string[]) {
    if (v[req] === undefined) ctx.causes.push({ reason: "FieldValueRequired", message: "Required value", field: childPath(path, req) });
  }
  if (typeof s.minProperties === "number" && Object.keys(v).length < s.minProperties) ctx.causes.push(invalidCause(path, v, `${path} in body should have at least ${s.minProperties} properties`));
  if (typeof s.maxProperties === "number" && Object.keys(v).length > s.maxProperties) {
    ctx.causes.push({ reason: "FieldValueTooMany", message: `Too many: ${Object.keys(v).length}: must have at most ${s.maxProperties} items`, field: path });
  }
  for (const [key, child] of Object.entries(v)) {
    const prop = s.properties?.[key] ?? (isObj(s.additionalProperties) ? s.additionalProperties : undefined);
    walk(child, isObj(old) ? old[key] : undefined, prop, childPath(path, key), ctx);
  }
}

function checkOneOf(v: unknown, s: Obj, path: string, ctx: Ctx): void {
  for (const branch of (s.allOf ?? []) as Obj[]) walk(v, undefined, { ...branch }, path, ctx);
  for (const [name, branches] of [["oneOf", s.oneOf], ["anyOf", s.anyOf]] as const) {
    if (!Array.isArray(branches)) continue;
    const passing = branches.filter((b: Obj) => {
      const sub: Ctx = { causes: [], typeErrors: 0 };
      walk(v, undefined, b, path, sub);
      return sub.causes.length === 0;
    }).length;
    if (name === "oneOf" ? passing !== 1 : passing === 0) ctx.causes.push(invalidCause(path, v, `${path} in body must validate ${name === "oneOf" ? "one and only one" : "at least one"} schema (${name})`));
  }
}

function checkRules(v: unknown, old: unknown, s: Obj, path: string, ctx: Ctx): void {
  if (ctx.rules === undefined) return;
  for (const rule of (s["x-kubernetes-validations"] ?? []) as Obj[]) {
    const r = checkRule(rule as unknown as ValidationRule, v, old, s);
    if (r.ok) continue;
    const field = r.fieldPath ? childPath(path, String(r.fieldPath).replace(/^\./, "")) : path;
    ctx.rules.push({ reason: r.reason ?? "FieldValueInvalid", message: `Invalid value: ${show(v)}: ${r.message}`, field });
  }
}

function walk(v: unknown, old: unknown, s: Obj | undefined, path: string, ctx: Ctx): void {
  if (s === undefined || v === undefined) return;
  if (v === null) {
    if (s.nullable !== true && s.type !== undefined) {
      ctx.typeErrors++;
      ctx.causes.push(invalidCause(path, v, `${path} in body must be of type ${s.type}: "null"`));
    }
    return;
  }
  if (!typeOk(v, s)) {
    ctx.typeErrors++;
    ctx.causes.push(invalidCause(path, v, `${path} in body must be of type ${s.type}: "${jsonTypeName(v)}"`));
    return;
  }
  checkScalar(v, s, path, ctx);
  checkCollection(v, old, s, path, ctx);
  checkOneOf(v, s, path, ctx);
  checkRules(v, old, s, path, ctx);
}

/** blocking are the reasons after which the apiserver does not evaluate CEL rules (their cost bounds rest on a valid shape). */
const blocking = new Set(["FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueNotSupported"]);

/** hasRules says whether a schema carries a CEL rule anywhere (without one there are no rules to skip). */
function hasRules(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasRules);
  return isObj(v) && (v["x-kubernetes-validations"] !== undefined || Object.values(v).some(hasRules));
}

/** validateAgainst checks obj (and, on update, old) against a structural schema, metadata excluded. */
export function validateAgainst(obj: Obj, old: Obj | undefined, schema: Obj): Cause[] {
  const ctx: Ctx = { causes: [], rules: [], typeErrors: 0 };
  // Rules at the root see metadata.name and metadata.generateName only, as in Kubernetes.
  const visible = (o: Obj): Obj => ({ ...o, metadata: { name: o.metadata?.name, generateName: o.metadata?.generateName } });
  const rootSchema = { ...schema, properties: { ...(schema.properties ?? {}) } };
  rootSchema.properties.metadata = { type: "object", properties: { name: { type: "string" }, generateName: { type: "string" } } };
  walk(JSON.parse(JSON.stringify(visible(obj))), old === undefined ? undefined : visible(old), rootSchema, "", ctx);
  const causes = [...ctx.causes];
  if (ctx.typeErrors === 0 && !causes.some((c) => blocking.has(c.reason))) causes.push(...(ctx.rules ?? []));
  else if (hasRules(schema)) causes.push({ reason: "FieldValueInvalid", message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation", field: "" });
  return causes.map((c) => (c.field === "" ? { reason: c.reason, message: c.message } : c));
}
