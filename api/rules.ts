// rules: cross-field rules written once, in CEL, and enforced everywhere. withRules attaches a
// rule list to a zod object schema twice over: as `x-kubernetes-validations` metadata (so the
// generated CRD makes the apiserver enforce it) and as a zod refinement (so parsing in the
// operator, the trainer and `temper validate` enforces the very same expression).
import { z } from "zod";
import { evalMessage, evalRule, type JsonSchema } from "./cel.ts";

/** Rule is one x-kubernetes-validations entry. */
export interface Rule {
  /** rule is a CEL expression over `self` that must be true. */
  rule: string;
  /** message is shown to the user when the rule is false; it says what is expected. */
  message: string;
  /** messageExpression is CEL building a message that quotes the offending values; message is the fallback. */
  messageExpression?: string;
  /** fieldPath is the JSONPath (".max", ".stages") of the field the message is about. */
  fieldPath?: string;
}

/** rulesKey is the metadata key the apiserver reads rules from. */
export const rulesKey = "x-kubernetes-validations";

/** fieldPathSegments turns ".a.b" into ["a", "b"]. */
export function fieldPathSegments(fieldPath: string | undefined): string[] {
  return (fieldPath ?? "").split(".").filter((s) => s !== "");
}

/** holds evaluates a rule; a value of the wrong shape (already reported by the schema) passes. */
function holds(rule: string, value: unknown, typing: JsonSchema): boolean {
  try {
    return evalRule(rule, value, typing);
  } catch {
    return true;
  }
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
      if (!holds(r.rule, value, typing)) {
        const message = r.messageExpression === undefined ? r.message : evalMessage(r.messageExpression, value, typing, r.message);
        ctx.addIssue({ code: "custom", message, path: fieldPathSegments(r.fieldPath), params: { rule: r.rule } });
      }
    }
  });
  return refined.meta({ [rulesKey]: rules }) as unknown as T;
}
