// safetensors.ts: reads and writes the safetensors format (8-byte little-endian header length,
// a JSON header of name → {dtype, shape, data_offsets}, then raw little-endian data). Only F32,
// the one dtype the trainer stores. Not a general-purpose implementation.

/** NamedArray is one stored tensor. */
export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

/** encodeSafetensors serialises tensors (in the map's order) with optional string metadata. */
export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8);
  const head = Buffer.from(json, "utf8");
  const buf = Buffer.alloc(8 + head.length + offset);
  buf.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(buf, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, at);
    at += t.data.byteLength;
  }
  return buf;
}

/** decodeSafetensors parses a buffer into tensors (copied, aligned) and metadata. */
export function decodeSafetensors(buf: Buffer): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, unknown>;
  const tensors = new Map<string, NamedArray>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (e.dtype !== "F32") throw new Error(`safetensors: ${name} has dtype ${e.dtype}, only F32 is supported`);
    const [s, t] = e.data_offsets;
    const bytes = buf.subarray(8 + n + s, 8 + n + t);
    const data = new Float32Array(bytes.length / 4);
    Buffer.from(data.buffer).set(bytes);
    tensors.set(name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}
