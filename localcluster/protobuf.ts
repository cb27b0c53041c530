// Kubernetes protobuf request bodies, which kubectl's imperative generators send (`kubectl
// create namespace|secret|configmap|job|service|serviceaccount`). A small wire-format reader plus the field numbers of
// the messages those generators fill, from the Kubernetes generated.proto files; fields this
// table does not list are skipped. Not a general protobuf codec: decode only, these kinds only.
import { unsupportedMediaType, badRequest } from "./errors.ts";
import type { Obj } from "./types.ts";

/** PROTOBUF_TYPE is the media type of Kubernetes protobuf bodies. */
export const PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf";

type FieldType = "string" | "int" | "bool" | "bytes" | "time" | "quantity" | `map:${"string" | "bytes" | "quantity"}` | { msg: string };
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** omitZero drops 0: Go writes non-pointer ints even when unset. */
  omitZero?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: FieldType, repeated = false, omitZero = false): Field => ({ name, type, repeated, omitZero });
const m = (msg: string): FieldType => ({ msg });

const messages: Record<string, Message> = {
  ObjectMeta: {
    1: f("name", "string"), 2: f("generateName", "string"), 3: f("namespace", "string"), 5: f("uid", "string"),
    6: f("resourceVersion", "string"), 8: f("creationTimestamp", "time"), 11: f("labels", "map:string"), 12: f("annotations", "map:string"),
    13: f("ownerReferences", m("OwnerReference"), true), 14: f("finalizers", "string", true),
  },
  OwnerReference: { 1: f("kind", "string"), 3: f("name", "string"), 4: f("uid", "string"), 5: f("apiVersion", "string"), 6: f("controller", "bool"), 7: f("blockOwnerDeletion", "bool") },
  Namespace: { 1: f("metadata", m("ObjectMeta")), 2: f("spec", m("NamespaceSpec")) },
  NamespaceSpec: { 1: f("finalizers", "string", true) },
  Secret: { 1: f("metadata", m("ObjectMeta")), 2: f("data", "map:bytes"), 3: f("type", "string"), 4: f("stringData", "map:string"), 5: f("immutable", "bool") },
  ConfigMap: { 1: f("metadata", m("ObjectMeta")), 2: f("data", "map:string"), 3: f("binaryData", "map:bytes"), 4: f("immutable", "bool") },
  Job: { 1: f("metadata", m("ObjectMeta")), 2: f("spec", m("JobSpec")) },
  Pod: { 1: f("metadata", m("ObjectMeta")), 2: f("spec", m("PodSpec")) },
  ServiceAccount: { 1: f("metadata", m("ObjectMeta")) },
  Service: { 1: f("metadata", m("ObjectMeta")), 2: f("spec", m("ServiceSpec")) },
  ServiceSpec: { 1: f("ports", m("ServicePort"), true), 2: f("selector", "map:string"), 3: f("clusterIP", "string"), 4: f("type", "string"), 7: f("externalName", "string") },
  ServicePort: { 1: f("name", "string"), 2: f("protocol", "string"), 3: f("port", "int"), 4: f("targetPort", m("IntOrString")), 5: f("nodePort", "int", false, true) },
  IntOrString: { 1: f("type", "int"), 2: f("intVal", "int"), 3: f("strVal", "string") },
  JobSpec: {
    1: f("parallelism", "int"), 2: f("completions", "int"), 3: f("activeDeadlineSeconds", "int"), 4: f("selector", m("LabelSelector")),
    5: f("manualSelector", "bool"), 6: f("template", m("PodTemplateSpec")), 7: f("backoffLimit", "int"), 8: f("ttlSecondsAfterFinished", "int"),
    9: f("completionMode", "string"), 10: f("suspend", "bool"),
  },
  LabelSelector: { 1: f("matchLabels", "map:string"), 2: f("matchExpressions", m("LabelSelectorRequirement"), true) },
  LabelSelectorRequirement: { 1: f("key", "string"), 2: f("operator", "string"), 3: f("values", "string", true) },
  PodTemplateSpec: { 1: f("metadata", m("ObjectMeta")), 2: f("spec", m("PodSpec")) },
  PodSpec: {
    2: f("containers", m("Container"), true), 3: f("restartPolicy", "string"), 4: f("terminationGracePeriodSeconds", "int"),
    5: f("activeDeadlineSeconds", "int"), 6: f("dnsPolicy", "string"), 7: f("nodeSelector", "map:string"), 8: f("serviceAccountName", "string"),
    10: f("nodeName", "string"), 20: f("initContainers", m("Container"), true),
  },
  Container: {
    1: f("name", "string"), 2: f("image", "string"), 3: f("command", "string", true), 4: f("args", "string", true), 5: f("workingDir", "string"),
    6: f("ports", m("ContainerPort"), true), 7: f("env", m("EnvVar"), true), 8: f("resources", m("ResourceRequirements")), 13: f("terminationMessagePath", "string"),
    14: f("imagePullPolicy", "string"), 20: f("terminationMessagePolicy", "string"),
  },
  EnvVar: { 1: f("name", "string"), 2: f("value", "string") },
  ContainerPort: { 1: f("name", "string"), 2: f("hostPort", "int", false, true), 3: f("containerPort", "int"), 4: f("protocol", "string") },
  ResourceRequirements: { 1: f("limits", "map:quantity"), 2: f("requests", "map:quantity") },
};

const topLevel = ["Namespace", "Secret", "ConfigMap", "Job", "Pod", "Service", "ServiceAccount"];

/** intOrString turns a decoded IntOrString message into the JSON number or string it stands for. */
function intOrString(v: Obj): number | string {
  return v.type === 1 ? String(v.strVal ?? "") : Number(v.intVal ?? 0);
}

interface WireField {
  num: number;
  wire: number;
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw badRequest("protobuf body ends inside a varint");
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** readFields splits one message into its raw fields. */
function readFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = readVarint(buf, pos);
    pos = p;
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ num, wire, value: v });
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      out.push({ num, wire, value: buf.subarray(p2, p2 + Number(len)) });
      pos = p2 + Number(len);
    } else if (wire === 1 || wire === 5) pos += wire === 1 ? 8 : 4;
    else throw badRequest(`protobuf wire type ${wire} is not supported`);
  }
  return out;
}

function asBuffer(v: bigint | Buffer): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.alloc(0);
}

function toSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeMapEntry(raw: Buffer, valueType: string): [string, string] {
  let key = "";
  let value = "";
  for (const fl of readFields(raw)) {
    if (fl.num === 1) key = asBuffer(fl.value).toString("utf8");
    if (fl.num === 2) {
      const b = asBuffer(fl.value);
      value = valueType === "bytes" ? b.toString("base64") : valueType === "quantity" ? String(decodeMessage(b, { 1: f("string", "string") }).string ?? "") : b.toString("utf8");
    }
  }
  return [key, value];
}

function decodeTime(raw: Buffer): string | undefined {
  let seconds = 0;
  for (const fl of readFields(raw)) if (fl.num === 1 && typeof fl.value === "bigint") seconds = toSigned(fl.value);
  return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function decodeValue(fl: WireField, type: FieldType): unknown {
  if (typeof type === "object") {
    const v = decodeMessage(asBuffer(fl.value), messages[type.msg]);
    return type.msg === "IntOrString" ? intOrString(v) : v;
  }
  switch (type) {
    case "string": return asBuffer(fl.value).toString("utf8");
    case "bytes": return asBuffer(fl.value).toString("base64");
    case "int": return typeof fl.value === "bigint" ? toSigned(fl.value) : 0;
    case "bool": return fl.value === 1n;
    case "time": return decodeTime(asBuffer(fl.value));
    default: return undefined;
  }
}

function decodeMessage(buf: Buffer, schema: Message): Obj {
  const out: Obj = {};
  for (const fl of readFields(buf)) {
    const field = schema[fl.num];
    if (field === undefined) continue;
    if (typeof field.type === "string" && field.type.startsWith("map:")) {
      const [k, v] = decodeMapEntry(asBuffer(fl.value), field.type.slice(4));
      out[field.name] = { ...(out[field.name] ?? {}), [k]: v };
      continue;
    }
    const v = decodeValue(fl, field.type);
    // Generated Go code writes empty strings and zero times for unset fields; treat them as unset.
    if (v === undefined || v === "" || (field.omitZero === true && v === 0)) continue;
    if (field.repeated) out[field.name] = [...(out[field.name] ?? []), v];
    else out[field.name] = v;
  }
  return out;
}

/** decodeProtobufObject decodes a `k8s\0`-prefixed protobuf body into a JSON object. */
export function decodeProtobufObject(raw: Buffer): Obj {
  if (raw.length < 4 || raw.subarray(0, 4).toString("latin1") !== "k8s\0") throw badRequest("protobuf body lacks the k8s envelope prefix");
  let apiVersion = "";
  let kind = "";
  let inner: Buffer = Buffer.alloc(0);
  for (const fl of readFields(raw.subarray(4))) {
    if (fl.num === 1) {
      for (const t of readFields(asBuffer(fl.value))) {
        if (t.num === 1) apiVersion = asBuffer(t.value).toString("utf8");
        if (t.num === 2) kind = asBuffer(t.value).toString("utf8");
      }
    }
    if (fl.num === 2) inner = asBuffer(fl.value);
  }
  const schema = messages[kind];
  if (schema === undefined || !topLevel.includes(kind)) {
    throw unsupportedMediaType(`protobuf bodies of kind ${kind} are not supported; send JSON (kubectl create -f or apply -f)`);
  }
  return { apiVersion, kind, ...decodeMessage(inner, schema) };
}
