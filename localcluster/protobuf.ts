// Kubernetes protobuf request bodies (placeholder until the decoder lands).
import { unsupportedMediaType } from "./errors.ts";
import type { Obj } from "./types.ts";

/** PROTOBUF_TYPE is the media type of Kubernetes protobuf bodies. */
export const PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf";

/** decodeProtobufObject decodes a `k8s\0`-prefixed protobuf body into a JSON object. */
export function decodeProtobufObject(_raw: Buffer): Obj {
  throw unsupportedMediaType("protobuf bodies are not supported yet; use kubectl create -f or apply -f");
}
