// Request bodies: JSON, YAML (apply patches may be YAML) and Kubernetes protobuf (what
// kubectl's imperative `create` generators send), read with a size limit.
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest, unsupportedMediaType, ApiError } from "./errors.ts";
import { decodeProtobufObject, PROTOBUF_TYPE } from "./protobuf.ts";

const MAX_BODY = 16 * 1024 * 1024;

/** readBody collects the raw request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "RequestEntityTooLarge", "the request body is too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

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
