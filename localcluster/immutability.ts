// Update rules of built-in kinds: the fields the apiserver refuses to change after create
// (a job's selector and, unless suspended, its pod template; most of a pod's spec; a service's
// cluster IP; the data of an immutable secret or config map), and label syntax on every write.
// Enforcing them here keeps code that passes on the local cluster from failing on a real one.
import type { Cause } from "./errors.ts";
import { deepEqual, isObj, type Obj } from "./types.ts";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function immutable(field: string, value: unknown): Cause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: field is immutable`, field };
}

/** labelCauses checks label keys ([prefix/]name) and values against the apiserver's syntax. */
export function labelCauses(labels: unknown): Cause[] {
  if (!isObj(labels)) return [];
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : "";
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (name.length > 63 || !LABEL_NAME.test(name) || (slash >= 0 && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, field: "metadata.labels" });
    }
    if (typeof value === "string" && (value.length > 63 || !LABEL_VALUE.test(value))) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, field: "metadata.labels" });
    }
  }
  return causes;
}

/** Pod spec fields an update may change (the rest of spec is fixed at create). */
function mutablePodSpec(spec: Obj): Obj {
  const { activeDeadlineSeconds: _a, tolerations: _t, terminationGracePeriodSeconds: _g, ...rest } = spec;
  return { ...rest, containers: (rest.containers ?? []).map((c: Obj) => ({ ...c, image: undefined })), initContainers: (rest.initContainers ?? []).map((c: Obj) => ({ ...c, image: undefined })) };
}

function podCauses(next: Obj, old: Obj): Cause[] {
  const a = mutablePodSpec(old.spec ?? {});
  const b = mutablePodSpec(next.spec ?? {});
  if (!a.nodeName) delete b.nodeName; // binding sets nodeName once
  delete a.nodeName;
  delete b.nodeName;
  if (!deepEqual(a, b)) return [{ reason: "FieldValueForbidden", message: "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds`", field: "spec" }];
  if (old.spec?.nodeName && next.spec?.nodeName !== old.spec.nodeName) return [immutable("spec.nodeName", next.spec?.nodeName)];
  return [];
}

function jobCauses(next: Obj, old: Obj): Cause[] {
  const causes: Cause[] = [];
  if (!deepEqual(next.spec?.selector, old.spec?.selector)) causes.push(immutable("spec.selector", next.spec?.selector));
  if (next.spec?.completionMode !== old.spec?.completionMode) causes.push(immutable("spec.completionMode", next.spec?.completionMode));
  // A suspended job's template may still change (scheduling directives before it starts).
  if (old.spec?.suspend !== true && !deepEqual(next.spec?.template, old.spec?.template)) causes.push(immutable("spec.template", "object"));
  return causes;
}

/** updateCauses lists what an update may not change for a built-in kind. */
export function updateCauses(group: string, plural: string, next: Obj, old: Obj): Cause[] {
  switch (`${group}/${plural}`) {
    case "/pods": return podCauses(next, old);
    case "batch/jobs": return jobCauses(next, old);
    case "/services":
      return old.spec?.clusterIP && next.spec?.clusterIP !== old.spec.clusterIP ? [immutable("spec.clusterIP", next.spec?.clusterIP)] : [];
    case "/secrets":
    case "/configmaps":
      if (old.immutable !== true) return [];
      return deepEqual([next.data, next.binaryData, next.immutable], [old.data, old.binaryData, old.immutable]) ? [] : [{ reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data" }];
    default: return [];
  }
}
