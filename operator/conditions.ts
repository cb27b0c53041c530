// conditions: setting metav1.Conditions the way Kubernetes does — a condition's
// lastTransitionTime moves only when its status changes. Pure; the caller passes the time.
import type { z } from "zod";
import type { condition } from "../api/common.ts";

/** Condition is one metav1.Condition as the API stores it. */
export type Condition = z.output<typeof condition>;

/** setCondition returns conds with type set to (status, reason, message) at generation. */
export function setCondition(conds: Condition[], type: string, status: Condition["status"], reason: string, message: string, generation: number, now: string): Condition[] {
  const old = conds.find((c) => c.type === type);
  const next: Condition = {
    type,
    status,
    observedGeneration: generation,
    lastTransitionTime: old !== undefined && old.status === status ? old.lastTransitionTime : now,
    reason,
    message,
  };
  return old === undefined ? [...conds, next] : conds.map((c) => (c.type === type ? next : c));
}

/** getCondition finds the condition of type in conds. */
export function getCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}
