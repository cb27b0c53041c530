// structural: validates an object against a CRD's openAPIV3Schema the way the apiserver does —
// defaulting, then the structural schema (types, required, enums, bounds, patterns, unknown
// fields as with fieldValidation=Strict), then the CEL x-kubernetes-validations on every node
// that is present. Generic over any CRD schema; ajv does the schema part.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { checkRule, type JsonSchema, type ValidationRule } from "./cel.ts";
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

/** toDraft converts an OpenAPI 3.0 structural schema to JSON Schema for ajv; strict adds additionalProperties: false. */
function toDraft(node: Node, strict: boolean): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("x-kubernetes-") || k === "nullable" || k === "format") continue;
    out[k] = v;
  }
  if (node.exclusiveMinimum === true) { out.exclusiveMinimum = node.minimum; delete out.minimum; }
  if (node.exclusiveMaximum === true) { out.exclusiveMaximum = node.maximum; delete out.maximum; }
  if (node.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (node.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (node.nullable === true && typeof node.type === "string") out.type = [node.type, "null"];
  if (node["x-kubernetes-preserve-unknown-fields"] === true) return out;
  if (node.properties !== undefined) {
    const props: Node = {};
    for (const [k, v] of Object.entries(node.properties as Node)) props[k] = toDraft(v as Node, strict);
    out.properties = props;
    if (strict && node.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    out.additionalProperties = toDraft(node.additionalProperties as Node, strict);
  }
  if (node.items !== undefined) out.items = toDraft(node.items as Node, strict);
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
    case "maxItems":
      return { field: at, reason: "FieldValueTooLong", message: `Too long: ${at} ${e.message ?? ""}` };
    default:
      return { field: at, reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${at} in body ${e.message ?? "is invalid"}` };
  }
}

/** celProblems evaluates x-kubernetes-validations on value and, recursively, on its present children. */
function celProblems(schema: Node, value: unknown, at: string, out: Problem[]): void {
  if (value === undefined || value === null) return;
  for (const r of (schema[rulesKey] as ValidationRule[] | undefined) ?? []) {
    const result = checkRule(r, value, undefined, schema as JsonSchema);
    if (result.ok) continue;
    if (result.broken === true) {
      out.push({ field: at, reason: "FieldValueInvalid", message: `rule ${JSON.stringify(r.rule)} could not be evaluated: ${result.message}` });
      continue;
    }
    const message = result.message;
    const field = fieldPathSegments(r.fieldPath).reduce(join, at);
    out.push({ field, reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(pick(value, r.fieldPath))}: ${message}` });
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

/** Validator checks one object; it fills defaults in place and returns the problems (none = valid). */
export type Validator = (obj: unknown) => Problem[];

/**
 * structuralValidator compiles a validator for a CRD version's openAPIV3Schema. strict reports
 * unknown fields (fieldValidation=Strict); otherwise they are left for pruning.
 */
export function structuralValidator(openAPIV3Schema: Node, opts: { strict: boolean }): Validator {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const check: ValidateFunction = ajv.compile(toDraft(openAPIV3Schema, opts.strict));
  return (obj) => {
    const shapeOk = check(obj);
    const out: Problem[] = shapeOk ? [] : (check.errors ?? []).map(problemOf);
    const rules: Problem[] = [];
    celProblems(openAPIV3Schema, obj, "", rules);
    // A rule over a badly shaped value may not evaluate; the shape error already says why.
    out.push(...rules.filter((p) => shapeOk || !p.message.startsWith("rule ")));
    return out;
  };
}
