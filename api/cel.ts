// cel: evaluates the CEL rules of temper's schemas (x-kubernetes-validations) the way the
// apiserver does, so that `temper validate`, zod parsing and the cluster agree on every rule.
// It is not a general CEL environment: only what our rules need (optional types, dyn vars).
import { Environment } from "@marcbachmann/cel-js";

/** JsonSchema is the subset of a JSON/OpenAPI schema that typing CEL values needs. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  [key: string]: unknown;
}

const env = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true });
const compiled = new Map<string, (vars: Record<string, unknown>) => unknown>();

/**
 * celValue converts a JSON value into what CEL sees for the given schema: integers become
 * BigInt (CEL int), as the apiserver does for `type: integer`; everything else stays as is.
 */
export function celValue(value: unknown, schema: JsonSchema | undefined): unknown {
  if (schema === undefined || value === null || value === undefined) return value;
  if (schema.type === "integer" && typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => celValue(v, schema.items));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const extra = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
      out[k] = celValue(v, schema.properties?.[k] ?? extra);
    }
    return out;
  }
  return value;
}

function compile(expr: string): (vars: Record<string, unknown>) => unknown {
  let fn = compiled.get(expr);
  if (fn === undefined) {
    const parsed = env.parse(expr);
    fn = (vars) => parsed(vars);
    compiled.set(expr, fn);
  }
  return fn;
}

/** evalMessage evaluates a messageExpression; a failure falls back to the static message, as the apiserver does. */
export function evalMessage(expr: string, self: unknown, schema: JsonSchema | undefined, fallback: string): string {
  try {
    const out = compile(expr)({ self: celValue(self, schema) });
    return typeof out === "string" && out !== "" ? out : fallback;
  } catch {
    return fallback;
  }
}

/**
 * evalRule evaluates one rule with `self` bound to value. It returns true when the rule holds.
 * A rule that cannot be evaluated (a bug in the rule, not in the input) throws.
 */
export function evalRule(rule: string, self: unknown, schema?: JsonSchema): boolean {
  return compile(rule)({ self: celValue(self, schema) }) === true;
}
