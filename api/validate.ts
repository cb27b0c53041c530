// validate: offline validation of manifests against temper's CRDs, as the apiserver would
// judge them at `kubectl apply` with fieldValidation=Strict. Used by `temper validate`.
import { parseAllDocuments } from "yaml";
import { openAPIV3Schema } from "./crd.ts";
import { kindList, type KindInfo } from "./kinds.ts";
import { apiVersion, group } from "./meta.ts";
import { structuralValidator, type Problem, type Validator } from "./structural.ts";

/** Finding is the verdict on one document of a manifest file. */
export interface Finding {
  /** object names the document: "RLJob/demo", or "document 3" when it has no kind/name. */
  object: string;
  /** problems is empty when the object is valid. */
  problems: Problem[];
  /** skipped says why a document was not validated (not a temper kind). */
  skipped?: string;
}

const validators = new Map<string, Validator>();
function validatorFor(info: KindInfo): Validator {
  let v = validators.get(info.kind);
  if (v === undefined) {
    v = structuralValidator(openAPIV3Schema(info));
    validators.set(info.kind, v);
  }
  return v;
}

/** validateObject checks one decoded object; it defaults it in place, as the apiserver would. */
export function validateObject(obj: unknown, index: number): Finding {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return { object: `document ${index + 1}`, problems: [{ field: "", reason: "FieldValueInvalid", message: "must be a mapping with apiVersion, kind, metadata and spec" }] };
  }
  const o = obj as Record<string, unknown>;
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") {
    return { object: `document ${index + 1}`, problems: [{ field: o.apiVersion === undefined ? "apiVersion" : "kind", reason: "FieldValueRequired", message: "Required value: every object needs apiVersion and kind" }] };
  }
  const name = typeof meta.name === "string" ? meta.name : typeof meta.generateName === "string" ? meta.generateName : "?";
  const object = `${o.kind}/${name}`;
  if (!o.apiVersion.startsWith(`${group}/`)) return { object, problems: [], skipped: `not a ${group} kind` };
  const info = kindList.find((k) => k.kind === o.kind);
  if (info === undefined) {
    return { object, problems: [{ field: "kind", reason: "FieldValueNotSupported", message: `Unsupported value: "${o.kind}": supported values: ${kindList.map((k) => `"${k.kind}"`).join(", ")}` }] };
  }
  if (o.apiVersion !== apiVersion) {
    return { object, problems: [{ field: "apiVersion", reason: "FieldValueNotSupported", message: `Unsupported value: "${o.apiVersion}": supported values: "${apiVersion}"` }] };
  }
  const problems: Problem[] = [];
  if (typeof meta.name !== "string" && typeof meta.generateName !== "string") {
    problems.push({ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" });
  } else if (typeof meta.name === "string" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(meta.name)) {
    problems.push({ field: "metadata.name", reason: "FieldValueInvalid", message: `Invalid value: "${meta.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character` });
  }
  return { object, problems: [...problems, ...validatorFor(info)(obj)] };
}

/** validateText checks every document of a YAML (or JSON) text. */
export function validateText(text: string): Finding[] {
  const docs = parseAllDocuments(text);
  const findings: Finding[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      findings.push({ object: `document ${i + 1}`, problems: [{ field: "", reason: "FieldValueInvalid", message: `YAML: ${e.message.split("\n")[0]}` }] });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    findings.push(validateObject(value, i));
  });
  return findings;
}
