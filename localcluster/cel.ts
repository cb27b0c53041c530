// CEL for CRD `x-kubernetes-validations`, evaluated with @marcbachmann/cel-js. Values are
// converted by schema first (integers become CEL ints, as Kubernetes does), so arithmetic such
// as `self.replicas + 1` type-checks. Not the Kubernetes CEL libraries: no quantity() or url().
import { Environment } from "@marcbachmann/cel-js";
import { isObj, type Obj } from "./types.ts";

const env = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
type Program = (ctx: Obj) => unknown;
const programs = new Map<string, Program>();

/** compileRule parses a CEL rule once and caches it; throws on a syntax error. */
export function compileRule(rule: string): Program {
  let p = programs.get(rule);
  if (p === undefined) {
    p = env.parse(rule) as unknown as Program;
    programs.set(rule, p);
  }
  return p;
}

/** toCel converts a JSON value into CEL values following its schema (integers to BigInt). */
export function toCel(value: unknown, schema: Obj | undefined): unknown {
  if (schema === undefined) return value;
  if (schema.type === "integer" && typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema.items));
  if (isObj(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v, schema.properties?.[k] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined));
    return out;
  }
  return value;
}

/** RuleResult is the outcome of one rule: ok, or the message to report. */
export type RuleResult = { ok: true } | { ok: false; message: string; reason?: string; fieldPath?: string };

/** evalRule evaluates one x-kubernetes-validations entry against self (and oldSelf when given). */
export function evalRule(v: Obj, self: unknown, oldSelf: unknown, schema: Obj): RuleResult {
  const rule = String(v.rule);
  const usesOld = /\boldSelf\b/.test(rule);
  // Transition rules are only checked on updates where an old value exists.
  if (usesOld && oldSelf === undefined && v.optionalOldSelf !== true) return { ok: true };
  const ctx: Obj = { self: toCel(self, schema) };
  if (usesOld) ctx.oldSelf = toCel(oldSelf, schema);
  let result: unknown;
  try {
    result = compileRule(rule)(ctx);
  } catch (err) {
    return { ok: false, message: `${rule}: ${(err as Error).message}` };
  }
  if (result === true) return { ok: true };
  return { ok: false, message: messageOf(v, ctx), reason: v.reason, fieldPath: v.fieldPath };
}

function messageOf(v: Obj, ctx: Obj): string {
  if (typeof v.messageExpression === "string") {
    try {
      const m = compileRule(v.messageExpression)(ctx);
      if (typeof m === "string" && m !== "") return m;
    } catch {
      // An invalid messageExpression falls back to message, as the apiserver does.
    }
  }
  return typeof v.message === "string" && v.message !== "" ? v.message : `failed rule: ${v.rule}`;
}
