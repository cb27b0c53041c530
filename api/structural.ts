// structural: validates an object against a CRD's openAPIV3Schema the way the apiserver does —
// nulls the schema does not allow dropped, defaulting, then the structural schema (types,
// required, enums, bounds, patterns; unknown fields reported as with fieldValidation=Strict, then
// pruned), then the CEL x-kubernetes-validations on every node that is present, unless a blocking
// error (wrong type, unsupported value, missing, too long, too many) stops them as it does in the
// apiserver. Generic over any CRD schema; ajv does the schema part. localcluster/schema.ts is the
// local API server's independent implementation of the same rules: api/structural.test.ts runs
// one corpus of cases (test/structural-corpus.ts) through both and fails when they disagree.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { checkRule, type ValidationRule } from "./cel.ts";
import { fieldPathSegments, rulesKey } from "./rules.ts";

/** Problem is one thing wrong with an object, in the apiserver's terms. */
export interface Problem {
  /** field is the dotted path ("spec.stages[0].epochs"). */
  field: string;
  /** reason is FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueTooLong or FieldValueForbidden. */
  reason: string;
  /** message is what is expected, quoting the offending value where that helps. */
  message: string;
}

type Node = Record<string, unknown>;

/**
 * toDraft converts an OpenAPI 3.0 structural schema to JSON Schema for ajv; additionalProperties:
 * false finds unknown fields. A resource node (the root, or x-kubernetes-embedded-resource) is a
 * whole Kubernetes object: apiVersion, kind and metadata are always allowed there, as the pruner keeps them.
 */
function toDraft(node: Node, resource = false): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("x-kubernetes-") || k === "nullable" || (k === "format" && v !== "date-time")) continue;
    out[k] = v;
  }
  // int-or-string is an integer or a string, nothing else; its structural anyOf only restates that.
  if (node["x-kubernetes-int-or-string"] === true) {
    out.type = ["integer", "string"];
    delete out.anyOf;
    delete out.allOf;
  }
  if (node.exclusiveMinimum === true) { out.exclusiveMinimum = node.minimum; delete out.minimum; }
  if (node.exclusiveMaximum === true) { out.exclusiveMaximum = node.maximum; delete out.maximum; }
  if (node.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (node.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (node.nullable === true && out.type !== undefined) out.type = [out.type, "null"].flat();
  const draft = (v: unknown): Node => toDraft(v as Node, (v as Node)["x-kubernetes-embedded-resource"] === true);
  if (node.properties !== undefined || resource) {
    const props: Node = {};
    for (const [k, v] of Object.entries((node.properties ?? {}) as Node)) props[k] = draft(v);
    if (resource) Object.assign(props, { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } });
    out.properties = props;
  }
  // An object keeps only the fields its schema declares; preserve-unknown-fields keeps the rest at
  // this node only (declared children are checked as usual).
  if (node["x-kubernetes-preserve-unknown-fields"] !== true && node.additionalProperties === undefined) out.additionalProperties = false;
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) out.additionalProperties = draft(node.additionalProperties);
  if (node.items !== undefined) out.items = draft(node.items);
  return out;
}

/** dotted renders ajv's "/spec/stages/0/name" as "spec.stages[0].name". */
function dotted(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  }
  return out;
}

const join = (base: string, key: string) => (base === "" ? key : `${base}.${key}`);

/** problemOf turns one ajv error into the apiserver's wording. */
function problemOf(e: ErrorObject): Problem {
  const at = dotted(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const value = JSON.stringify(e.data);
  switch (e.keyword) {
    case "required":
      return { field: join(at, String(p.missingProperty)), reason: "FieldValueRequired", message: "Required value" };
    case "additionalProperties":
      return { field: join(at, String(p.additionalProperty)), reason: "FieldValueInvalid", message: `unknown field "${join(at, String(p.additionalProperty))}"` };
    case "enum":
      return { field: at, reason: "FieldValueNotSupported", message: `Unsupported value: ${value}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "type":
      return { field: at, reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${at} in body must be of type ${String(p.type)}` };
    case "maxLength":
      return { field: at, reason: "FieldValueTooLong", message: `Too long: ${at} ${e.message ?? ""}` };
    case "maxItems":
    case "maxProperties":
      return { field: at, reason: "FieldValueTooMany", message: `Too many: ${Object.keys(e.data as object).length}: must have at most ${String(p.limit)} items` };
    default:
      return { field: at, reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${at} in body ${e.message ?? "is invalid"}` };
  }
}

/** celProblems evaluates x-kubernetes-validations on value and, recursively, on its present children. */
function celProblems(schema: Node, value: unknown, at: string, out: Problem[]): void {
  if (value === undefined || value === null) return;
  for (const r of (schema[rulesKey] as ValidationRule[] | undefined) ?? []) {
    const result = checkRule(r, value, undefined, schema);
    if (result.ok) continue;
    if (result.broken === true) {
      out.push({ field: at, reason: "FieldValueInvalid", message: `rule ${JSON.stringify(r.rule)} could not be evaluated: ${result.message}` });
      continue;
    }
    const message = result.message;
    const field = fieldPathSegments(r.fieldPath).reduce(join, at);
    out.push({ field, reason: result.reason ?? "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(pick(value, r.fieldPath))}: ${message}` });
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => celProblems(schema.items as Node, v, `${at}[${i}]`, out));
  } else if (typeof value === "object") {
    const props = (schema.properties ?? {}) as Node;
    for (const [k, v] of Object.entries(value as Node)) {
      const child = (props[k] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined)) as Node | undefined;
      if (child !== undefined) celProblems(child, v, join(at, k), out);
    }
  }
}

function pick(value: unknown, fieldPath: string | undefined): unknown {
  let v = value;
  for (const seg of fieldPathSegments(fieldPath)) v = typeof v === "object" && v !== null ? (v as Node)[seg] : undefined;
  return v === undefined ? "object" : v;
}

/**
 * dropNulls deletes the null values the schema neither allows nor defaults (the apiserver's
 * PruneNonNullableNullsWithoutDefaults), and those of defaulted properties, which ajv then defaults.
 */
function dropNulls(value: unknown, schema: Node): void {
  if (Array.isArray(value)) {
    if (schema.items !== undefined) for (const v of value) dropNulls(v, schema.items as Node);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const props = (schema.properties ?? {}) as Record<string, Node>;
  for (const [k, v] of Object.entries(value as Node)) {
    const child = props[k] ?? (typeof schema.additionalProperties === "object" ? (schema.additionalProperties as Node) : undefined);
    if (v === null && child !== undefined && child.nullable !== true && (child.default === undefined || props[k] !== undefined)) delete (value as Node)[k];
    else if (child !== undefined) dropNulls(v, child);
  }
}

/** blocking are the reasons after which the apiserver does not evaluate CEL rules (their cost bounds rest on a valid shape). */
const blocking = new Set(["FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueNotSupported"]);
/** notChecked is the apiserver's cause when a blocking error stopped the CEL rules. */
const notChecked: Problem = {
  field: "",
  reason: "FieldValueInvalid",
  message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
};

/** prune deletes the unknown fields ajv found, so rules see what the apiserver keeps (it prunes before validating). */
function prune(obj: unknown, errors: ErrorObject[]): void {
  for (const e of errors) {
    if (e.keyword !== "additionalProperties") continue;
    let parent = obj;
    for (const raw of e.instancePath.split("/").slice(1)) parent = (parent as Node)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
    delete (parent as Node)[String((e.params as { additionalProperty: string }).additionalProperty)];
  }
}

/** hasRules says whether a schema carries a CEL rule anywhere (without one there are no rules to skip). */
function hasRules(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  return rulesKey in v || Object.values(v).some(hasRules);
}

/** ruleView is what root-level rules see of an object: metadata.name and generateName only, as in Kubernetes. */
function ruleView(obj: unknown): unknown {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return obj;
  const o = obj as Node;
  const meta = (typeof o.metadata === "object" && o.metadata !== null ? o.metadata : {}) as Node;
  return { ...o, metadata: { name: meta.name, generateName: meta.generateName } };
}

/** Validator checks one object; it prunes unknown fields and fills defaults in place, and returns the problems (none = valid). */
export type Validator = (obj: unknown) => Problem[];

/** structuralValidator compiles a validator for a CRD version's openAPIV3Schema; unknown fields are problems, as with fieldValidation=Strict. */
export function structuralValidator(openAPIV3Schema: Node): Validator {
  // verbose puts the offending value on each error, for the messages.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
  const check: ValidateFunction = ajv.compile(toDraft(openAPIV3Schema, true));
  const anyRules = hasRules(openAPIV3Schema);
  return (obj) => {
    dropNulls(obj, openAPIV3Schema);
    const errors = check(obj) ? [] : (check.errors ?? []);
    const out: Problem[] = errors.map(problemOf);
    prune(obj, errors);
    if (errors.some((e) => e.keyword === "type") || out.some((p) => blocking.has(p.reason))) return anyRules ? [...out, notChecked] : out;
    celProblems(openAPIV3Schema, ruleView(obj), "", out);
    return out;
  };
}
