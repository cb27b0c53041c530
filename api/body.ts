// body: reading an HTTP request body with a size limit, as both of temper's servers do — the
// local API server (localcluster/) and the operator's report endpoint (operator/report.ts),
// which must not import each other. Over the limit it throws the API server's 413 Status error.
// Decoding (JSON, YAML, protobuf) is each server's own business.
import { requestEntityTooLarge } from "./status.ts";

/** readBody collects a request body of at most limit bytes; a longer one throws a 413 RequestEntityTooLarge StatusError. */
export async function readBody(req: AsyncIterable<Uint8Array | string>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += b.length;
    if (size > limit) throw requestEntityTooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
