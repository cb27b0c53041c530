// Errors as the apiserver speaks them: every failure leaves the server as a `kind: Status`
// object whose code is the HTTP status, whose reason kubectl prints in parentheses, and whose
// details.causes carry field paths for 422 Invalid. This file builds them; it does not send them.
import type { Obj } from "./types.ts";

/** Cause is one entry of Status.details.causes. */
export interface Cause {
  reason: string;
  message: string;
  field?: string;
}

/** ApiError is a failure that the server answers with its Status body. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Obj | undefined;
  constructor(code: number, reason: string, message: string, details?: Obj) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  /** status renders the error as a metav1.Status object. */
  status(): Obj {
    const s: Obj = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) s.details = this.details;
    return s;
  }
}

/** Target names the object an error is about: its resource, group, name and kind. */
export interface Target {
  group: string;
  plural: string;
  name: string;
}

function qualified(t: Target): string {
  return t.group === "" ? t.plural : `${t.plural}.${t.group}`;
}

/** notFound is the 404 for a missing object: `pods "x" not found`. */
export function notFound(t: Target): ApiError {
  return new ApiError(404, "NotFound", `${qualified(t)} "${t.name}" not found`, { name: t.name, group: t.group, kind: t.plural });
}

/** alreadyExists is the 409 for a create whose name is taken. */
export function alreadyExists(t: Target): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualified(t)} "${t.name}" already exists`, { name: t.name, group: t.group, kind: t.plural });
}

/** conflict is the 409 for a write based on a stale resourceVersion. */
export function conflict(t: Target, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, { name: t.name, group: t.group, kind: t.plural });
}

/** invalid is the 422 kubectl rebuilds from details.causes ("The X "n" is invalid: * field: ..."). */
export function invalid(group: string, kind: string, name: string, causes: Cause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  return new ApiError(422, "Invalid", `${kind}${group ? "." + group : ""} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
}

/** badRequest is a 400 with a free-text message (strict decoding, malformed bodies). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** gone is the 410 for a watch or list from a compacted resourceVersion. */
export function gone(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** methodNotAllowed is the 405 for a verb the resource does not support. */
export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

/** unsupportedMediaType is the 415 for a body type the resource cannot take. */
export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", message);
}

/** unauthorized is the 401 for a request without the cluster's bearer token. */
export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

/** pageNotFound is the 404 for a path that names no resource. */
export function pageNotFound(path: string): ApiError {
  return new ApiError(404, "NotFound", `the server could not find the requested resource (${path})`, { causes: [{ reason: "UnexpectedServerResponse", message: "404 page not found" }] });
}
