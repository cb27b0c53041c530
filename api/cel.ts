// cel: evaluates CRD `x-kubernetes-validations` entries the way the apiserver does, with
// @marcbachmann/cel-js. One evaluator for every place a rule is enforced: zod parsing (operator,
// trainer), `temper validate`, and the local cluster's apiserver. Values are converted by schema
// first (integers become CEL ints, as Kubernetes does), so `self.replicas + 1` type-checks.
// Not the Kubernetes CEL libraries: no quantity(), url() or ip().
import { Environment } from "@marcbachmann/cel-js";

/** JsonSchema is the subset of a JSON/OpenAPI schema that typing CEL values needs. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  [key: string]: unknown;
}

/** ValidationRule is one x-kubernetes-validations entry. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** RuleResult is the outcome of one rule: ok, or what to report. */
export type RuleResult = { ok: true } | { ok: false; message: string; reason?: string; fieldPath?: string; broken?: true };

type Program = (vars: Record<string, unknown>) => unknown;

const env = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
const programs = new Map<string, Program>();

/** compileRule parses a CEL expression once and caches it; throws on a syntax error. */
export function compileRule(expr: string): Program {
  let p = programs.get(expr);
  if (p === undefined) {
    p = env.parse(expr);
    programs.set(expr, p);
  }
  return p;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** celValue converts a JSON value into CEL values following its schema (integers to BigInt). */
export function celValue(value: unknown, schema: JsonSchema | undefined): unknown {
  if (schema === undefined || value === null || value === undefined) return value;
  if (schema.type === "integer" && typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => celValue(v, schema.items));
  if (isObject(value)) {
    const extra = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = celValue(v, schema.properties?.[k] ?? extra);
    return out;
  }
  return value;
}

function messageOf(r: ValidationRule, vars: Record<string, unknown>): string {
  if (typeof r.messageExpression === "string") {
    try {
      const m = compileRule(r.messageExpression)(vars);
      if (typeof m === "string" && m !== "") return m;
    } catch {
      // An invalid messageExpression falls back to message, as the apiserver does.
    }
  }
  return typeof r.message === "string" && r.message !== "" ? r.message : `failed rule: ${r.rule}`;
}

/**
 * checkRule evaluates one rule against self (and oldSelf on updates). A rule that cannot be
 * evaluated is reported as broken rather than thrown, so one bad rule never hides the others.
 */
export function checkRule(r: ValidationRule, self: unknown, oldSelf: unknown, schema: JsonSchema | undefined): RuleResult {
  const usesOld = /\boldSelf\b/.test(r.rule);
  // Transition rules are only checked on updates where an old value exists.
  if (usesOld && oldSelf === undefined && r.optionalOldSelf !== true) return { ok: true };
  const vars: Record<string, unknown> = { self: celValue(self, schema) };
  if (usesOld) vars.oldSelf = celValue(oldSelf, schema);
  let result: unknown;
  try {
    result = compileRule(r.rule)(vars);
  } catch (err) {
    return { ok: false, message: `${r.rule}: ${(err as Error).message}`, broken: true };
  }
  if (result === true) return { ok: true };
  return { ok: false, message: messageOf(r, vars), reason: r.reason, fieldPath: r.fieldPath };
}

/** evalRule is checkRule for a bare expression on a new object: true when it holds. Throws when it cannot be evaluated. */
export function evalRule(rule: string, self: unknown, schema?: JsonSchema): boolean {
  const r = checkRule({ rule }, self, undefined, schema);
  if (!r.ok && r.broken === true) throw new Error(r.message);
  return r.ok;
}
