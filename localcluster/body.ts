// Request bodies: JSON, YAML (apply patches may be YAML) and Kubernetes protobuf (what
// kubectl's imperative `create` generators send). They are read by api/body.ts's readBody, up
// to maxBody, which the operator's report endpoint shares.
import { parse as parseYaml } from "yaml";
import { badRequest, unsupportedMediaType } from "./errors.ts";
import { decodeProtobufObject, PROTOBUF_TYPE } from "./protobuf.ts";

/** maxBody is the largest request body the server reads (readBody answers 413 beyond it). */
export const maxBody = 16 * 1024 * 1024;

/** decodeBody turns a body into a JSON value according to its Content-Type. */
export function decodeBody(raw: Buffer, contentType: string): unknown {
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (raw.length === 0) return undefined;
  if (type === PROTOBUF_TYPE) return decodeProtobufObject(raw);
  const text = raw.toString("utf8");
  try {
    if (type.endsWith("yaml")) return parseYaml(text);
    if (type === "" || type.endsWith("json")) return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
  throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_TYPE}`);
}
