// status: failures as the Kubernetes API server speaks them, for every HTTP server temper runs.
// A failure leaves as a metav1 `kind: Status` object whose code is the HTTP status, whose reason
// kubectl prints in parentheses, and whose details.causes carry field paths for 422 Invalid —
// what apimachinery's api/errors package builds in Go. The local API server (localcluster/) and
// the operator's report endpoint (operator/report.ts) both answer with these, so a trainer or a
// person sees one error shape everywhere. This file builds Status objects; it does not send them.
import type { z } from "zod";

/** StatusCause is one entry of Status.details.causes: what is wrong, and where. */
export interface StatusCause {
  /** reason is machine-readable: FieldValueInvalid, FieldValueRequired, FieldManagerConflict, … */
  reason: string;
  message: string;
  /** field is the path of the offending field, as Kubernetes writes it ("spec.stages[0].epochs"). */
  field?: string;
}

/** StatusDetails names the object a failure is about and lists its causes. */
export interface StatusDetails {
  name?: string;
  group?: string;
  /** kind is the resource (plural) for NotFound and Conflict, the kind for Invalid, as the API server sets it. */
  kind?: string;
  causes?: StatusCause[];
}

/** Status is the metav1.Status of a failure, as it goes on the wire. */
export type Status = {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  code: number;
  details?: StatusDetails;
};

/** StatusError is a failure that a server answers with its Status body (apimachinery's StatusError). */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  /** status renders the error as a metav1.Status object. */
  status(): Status {
    const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) s.details = this.details;
    return s;
  }
}

/** Target names the object an error is about: its resource's group and plural, and its name. */
export interface Target {
  group: string;
  plural: string;
  name: string;
}

function qualified(t: Target): string {
  return t.group === "" ? t.plural : `${t.plural}.${t.group}`;
}

/** notFound is the 404 for a missing object: `pods "x" not found`. */
export function notFound(t: Target): StatusError {
  return new StatusError(404, "NotFound", `${qualified(t)} "${t.name}" not found`, { name: t.name, group: t.group, kind: t.plural });
}

/** alreadyExists is the 409 for a create whose name is taken. */
export function alreadyExists(t: Target): StatusError {
  return new StatusError(409, "AlreadyExists", `${qualified(t)} "${t.name}" already exists`, { name: t.name, group: t.group, kind: t.plural });
}

/** conflict is the 409 for a write the object's current state does not allow (by default: a stale resourceVersion). */
export function conflict(t: Target, why = "the object has been modified; please apply your changes to the latest version and try again"): StatusError {
  return new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, { name: t.name, group: t.group, kind: t.plural });
}

/** invalid is the 422 kubectl rebuilds from details.causes ("The X "n" is invalid: * field: ..."). */
export function invalid(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  return new StatusError(422, "Invalid", `${kind}${group ? "." + group : ""} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
}

/** badRequest is a 400 with a free-text message (strict decoding, malformed bodies). */
export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

/** gone is the 410 for a watch or list from a compacted resourceVersion. */
export function gone(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

/** methodNotAllowed is the 405 for a verb the resource does not support. */
export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): StatusError {
  return new StatusError(405, "MethodNotAllowed", message);
}

/** unsupportedMediaType is the 415 for a body type the resource cannot take. */
export function unsupportedMediaType(message: string): StatusError {
  return new StatusError(415, "UnsupportedMediaType", message);
}

/** requestEntityTooLarge is the 413 for a body over the server's limit. */
export function requestEntityTooLarge(message = "the request body is too large"): StatusError {
  return new StatusError(413, "RequestEntityTooLarge", message);
}

/** unauthorized is the 401 for a request without a valid bearer token. */
export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

/** serviceUnavailable is the 503 for a request the server cannot serve now but may on a retry. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, "ServiceUnavailable", message);
}

/** pageNotFound is the 404 for a path that names no resource. */
export function pageNotFound(path: string): StatusError {
  return new StatusError(404, "NotFound", `the server could not find the requested resource (${path})`, { causes: [{ reason: "UnexpectedServerResponse", message: "404 page not found" }] });
}

/** fieldPath writes a zod path as Kubernetes writes field paths: entropyCurve[0].temperature. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out === "" ? String(seg) : `.${String(seg)}`;
  return out;
}

// A long value is cut: the message should name the problem, not echo the body.
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/**
 * fieldCauses turns the issues zod found in input into Status causes in the API server's words:
 * a missing field is FieldValueRequired, an unknown one FieldValueInvalid `unknown field`, any
 * other FieldValueInvalid quoting the value, each with its field path.
 */
export function fieldCauses(issues: readonly z.core.$ZodIssue[], input: unknown): StatusCause[] {
  return issues.flatMap((i): StatusCause[] => {
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ reason: "FieldValueInvalid", message: `unknown field "${fieldPath([...i.path, k])}"`, field: fieldPath([...i.path, k]) }));
    }
    const at = i.path.length === 0 ? {} : { field: fieldPath(i.path) };
    const value = valueAt(input, i.path);
    if (value === undefined) return [{ reason: "FieldValueRequired", message: `Required value: ${i.message}`, ...at }];
    return [{ reason: "FieldValueInvalid", message: `Invalid value: ${show(value)}: ${i.message}`, ...at }];

  });
}
