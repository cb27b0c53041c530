// rules: cross-field rules written once, in CEL, and enforced everywhere. withRules attaches a
// rule list to a zod object schema twice over: as `x-kubernetes-validations` metadata (so the
// generated CRD makes the apiserver enforce it) and as a zod refinement (so parsing in the
// operator, the trainer and `temper validate` enforces the very same expression).
import { z } from "zod";
import { checkRule, type JsonSchema, type ValidationRule } from "./cel.ts";

/**
 * Rule is one x-kubernetes-validations entry as temper writes them: rule is CEL over `self`
 * that must be true; message says what is expected; messageExpression may quote the offending
 * values (message is the fallback); fieldPath (".max") names the field the message is about.
 */
export interface Rule extends ValidationRule {
  message: string;
}

/** rulesKey is the metadata key the apiserver reads rules from. */
export const rulesKey = "x-kubernetes-validations";

/** fieldPathSegments turns ".a.b" into ["a", "b"]. */
export function fieldPathSegments(fieldPath: string | undefined): string[] {
  return (fieldPath ?? "").split(".").filter((s) => s !== "");
}

/**
 * withRules returns schema with rules attached as CRD metadata and as a zod refinement.
 * The refinement runs only when the object itself parsed, as the apiserver runs CEL only on
 * values that passed the structural schema.
 */
export function withRules<T extends z.ZodObject>(schema: T, rules: Rule[]): T {
  let typing: JsonSchema | undefined;
  const refined = schema.superRefine((value, ctx) => {
    typing ??= z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
    for (const r of rules) {
      const result = checkRule(r, value, undefined, typing);
      // A value of the wrong shape (already reported by the schema) may not evaluate: let it pass.
      if (!result.ok && result.broken !== true) {
        ctx.addIssue({ code: "custom", message: result.message, path: fieldPathSegments(r.fieldPath), params: { rule: r.rule } });
      }
    }
  });
  return refined.meta({ [rulesKey]: rules });
}
