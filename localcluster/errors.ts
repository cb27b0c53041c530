// Errors as the apiserver speaks them: every failure leaves the server as a `kind: Status`
// object whose code is the HTTP status, whose reason kubectl prints in parentheses, and whose
// details.causes carry field paths for 422 Invalid.
// They are built by api/status.ts, which the operator's report endpoint shares, so both servers
// answer in one shape; this file keeps the names localcluster's files import.
export {
  StatusError as ApiError, type StatusCause as Cause, type Target,
  alreadyExists, badRequest, conflict, gone, invalid, methodNotAllowed, notFound, pageNotFound, requestEntityTooLarge, unauthorized, unsupportedMediaType,
} from "../api/status.ts";
