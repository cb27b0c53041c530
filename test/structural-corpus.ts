// structural-corpus: one corpus of objects, valid and invalid, each with the structural schema it
// is judged against and the fields the apiserver names. Two validators must agree on every case:
// api/structural.ts (behind `temper validate`) and localcluster/schema.ts (behind the local API
// server); api/structural.test.ts runs each case through both. Small synthetic schemas cover one
// rule each; the real CRDs in crds/ carry the cases a temper user meets.
import { readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { rlJob, sftJob, withPath } from "./builders/manifests.ts";

type Obj = Record<string, unknown>;

/** SchemaCase is one object and the apiserver's verdict on it. */
export interface SchemaCase {
  /** name says what the case shows, as a sentence. */
  name: string;
  /** schema is an openAPIV3Schema, as a CRD version carries it. */
  schema: Obj;
  object: Obj;
  /** fields are the paths the apiserver names, sorted ("" is the object itself, unknown fields included); [] when it accepts the object. */
  fields: string[];
  /** after, when given, is the object once pruned and defaulted. */
  after?: Obj;
}

/** crdSchema reads the openAPIV3Schema of a generated CRD in crds/. */
function crdSchema(file: string): Obj {
  const crd = parse(readFileSync(new URL(`../crds/${file}`, import.meta.url), "utf8")) as { spec: { versions: { schema: { openAPIV3Schema: Obj } }[] } };
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

/** examples reads every document of a manifest in examples/. */
function examples(file: string): Obj[] {
  return parseAllDocuments(readFileSync(new URL(`../examples/${file}`, import.meta.url), "utf8")).map((d) => d.toJS() as Obj);
}

const RL = crdSchema("temper.dev_rljobs.yaml");
const SFT = crdSchema("temper.dev_sftjobs.yaml");
const crdOf = (o: Obj): Obj => (o.kind === "RLJob" ? RL : SFT);

/** root wraps a schema for spec in the root schema every CRD has. */
const root = (spec: Obj, rules?: Obj[]): Obj => ({
  type: "object",
  properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec },
  ...(rules === undefined ? {} : { "x-kubernetes-validations": rules }),
});
/** widget is an object of the synthetic kind with the given spec. */
const widget = (spec: unknown, extra: Obj = {}): Obj => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec, ...extra });
/** one builds the case of a synthetic schema for spec. */
const one = (name: string, spec: Obj, value: unknown, fields: string[], after?: unknown): SchemaCase => ({
  name, schema: root(spec), object: widget(value), fields, ...(after === undefined ? {} : { after: widget(after) }),
});
const obj = (properties: Obj, more: Obj = {}): Obj => ({ type: "object", properties, ...more });
const intOrString = { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] };
const notChecked = ""; // the apiserver's "some validation rules were not checked" cause names no field

const synthetic: SchemaCase[] = [
  // types
  one("an integer rejects a string", { type: "integer" }, "1", ["spec"]),
  one("an integer rejects a fraction", { type: "integer" }, 1.5, ["spec"]),
  one("a number accepts an integer", { type: "number" }, 2, []),
  one("a boolean rejects the string true", { type: "boolean" }, "true", ["spec"]),
  one("an object rejects an array", { type: "object" }, [], ["spec"]),
  one("an array rejects an object", { type: "array", items: { type: "string" } }, {}, ["spec"]),
  one("a string rejects a number", { type: "string" }, 5, ["spec"]),
  one("an array checks every item's type", { type: "array", items: { type: "integer" } }, [1, "2", 3, true], ["spec[1]", "spec[3]"]),
  // required
  one("a missing required field is named", obj({ a: { type: "string" }, b: { type: "string" } }, { required: ["a", "b"] }), { b: "x" }, ["spec.a"]),
  one("a required field that is present passes", obj({ a: { type: "string" } }, { required: ["a"] }), { a: "" }, []),
  // enums
  one("an enum rejects a value outside it", { type: "string", enum: ["A", "B"] }, "C", ["spec"]),
  one("an enum accepts a value inside it", { type: "string", enum: ["A", "B"] }, "B", []),
  one("an integer enum rejects another integer", { type: "integer", enum: [1, 2] }, 3, ["spec"]),
  // bounds
  one("a minimum admits its bound", { type: "integer", minimum: 1 }, 1, []),
  one("a minimum rejects a smaller value", { type: "integer", minimum: 1 }, 0, ["spec"]),
  one("an exclusive minimum rejects its bound", { type: "number", minimum: 0, exclusiveMinimum: true }, 0, ["spec"]),
  one("a maximum rejects a larger value", { type: "number", maximum: 1 }, 1.5, ["spec"]),
  one("an exclusive maximum rejects its bound", { type: "number", maximum: 1, exclusiveMaximum: true }, 1, ["spec"]),
  one("multipleOf rejects a value off the step", { type: "number", multipleOf: 0.5 }, 0.7, ["spec"]),
  // lengths and counts
  one("maxLength admits a string of that length", { type: "string", maxLength: 3 }, "abc", []),
  one("maxLength rejects a longer string", { type: "string", maxLength: 3 }, "abcd", ["spec"]),
  one("maxLength counts characters, not UTF-16 units", { type: "string", maxLength: 2 }, "😀😀", []),
  one("minLength rejects a shorter string", { type: "string", minLength: 2 }, "a", ["spec"]),
  one("maxItems rejects a longer list", { type: "array", maxItems: 2, items: { type: "integer" } }, [1, 2, 3], ["spec"]),
  one("minItems rejects an empty list", { type: "array", minItems: 1, items: { type: "integer" } }, [], ["spec"]),
  one("maxProperties rejects a larger map", { type: "object", maxProperties: 1, additionalProperties: { type: "string" } }, { a: "x", b: "y" }, ["spec"]),
  one("minProperties rejects an empty map", { type: "object", minProperties: 1, additionalProperties: { type: "string" } }, {}, ["spec"]),
  // patterns and formats
  one("a pattern rejects a string that does not match", { type: "string", pattern: "^[a-z]+$" }, "Abc", ["spec"]),
  one("a pattern with a class escape accepts a match", { type: "string", pattern: "^\\d+(\\.\\d+)?$" }, "12.5", []),
  one("a map value's pattern is checked under its key", { type: "object", additionalProperties: { type: "string", pattern: "^\\d+$" } }, { a: "1", b: "x" }, ["spec.b"]),
  one("a date-time rejects a string that is not a time", { type: "string", format: "date-time" }, "yesterday", ["spec"]),
  one("a date-time accepts an RFC 3339 time", { type: "string", format: "date-time" }, "2025-01-02T03:04:05Z", []),
  one("an int32 format is only a hint", { type: "integer", format: "int32" }, 7, []),
  // nullable
  one("a nullable field keeps null", obj({ a: { type: "string", nullable: true } }), { a: null }, [], { a: null }),
  one("a nullable field keeps null over its default", obj({ a: { type: "string", nullable: true, default: "d" } }), { a: null }, [], { a: null }),
  one("a null in a non-nullable field with a default is defaulted", obj({ a: { type: "string", default: "d" } }), { a: null }, [], { a: "d" }),
  one("a null in a non-nullable field without a default is dropped", obj({ a: { type: "string" }, b: { type: "integer" } }), { a: null, b: 1 }, [], { b: 1 }),
  one("a null that was dropped still counts as missing when required", obj({ a: { type: "string" } }, { required: ["a"] }), { a: null }, ["spec.a"]),
  one("a null map value without a default is dropped", { type: "object", additionalProperties: { type: "string" } }, { a: null, b: "x" }, [], { b: "x" }),
  one("a null list item is a wrong type", { type: "array", items: { type: "string" } }, ["a", null], ["spec[1]"]),
  one("a nullable list item may be null", { type: "array", items: { type: "string", nullable: true } }, ["a", null], []),
  // int-or-string
  one("int-or-string accepts an integer", intOrString, 5, []),
  one("int-or-string accepts a string", intOrString, "25%", []),
  one("int-or-string rejects a fraction", intOrString, 1.5, ["spec"]),
  one("int-or-string rejects a boolean", intOrString, true, ["spec"]),
  one("int-or-string without anyOf rejects an object, whose fields are unknown", { "x-kubernetes-int-or-string": true }, { a: 1 }, ["spec", "spec.a"]),
  // preserve-unknown-fields, pruning, unknown fields
  one("preserve-unknown-fields keeps any subtree", obj({ free: { type: "object", "x-kubernetes-preserve-unknown-fields": true } }), { free: { a: [1, { b: null }] } }, [], { free: { a: [1, { b: null }] } }),
  one("preserve-unknown-fields still checks its declared fields", obj({ a: { type: "integer" } }, { "x-kubernetes-preserve-unknown-fields": true }), { a: "x", b: 1 }, ["spec.a"]),
  one("preserve-unknown-fields does not reach into a declared child", obj({ a: obj({ b: { type: "integer" } }) }, { "x-kubernetes-preserve-unknown-fields": true }), { a: { b: 1, c: 2 }, d: 3 }, ["spec.a.c"]),
  one("an unknown field is named by its path", obj({ a: { type: "string" } }), { a: "x", b: 1 }, ["spec.b"]),
  one("an unknown field in a list item is named with its index", { type: "array", items: obj({ a: { type: "string" } }) }, [{ a: "x" }, { a: "y", b: 1 }], ["spec[1].b"]),
  one("an unknown field in a map value is named under its key", { type: "object", additionalProperties: obj({ a: { type: "string" } }) }, { k: { a: "x", z: 1 } }, ["spec.k.z"]),
  one("an object that declares no fields keeps none", { type: "object" }, { a: 1 }, ["spec.a"], {}),
  one("additionalProperties true allows any key", { type: "object", additionalProperties: true }, { a: 1, b: { c: 2 } }, []),
  one("an embedded resource may carry apiVersion, kind and metadata", obj({ spec: obj({ a: { type: "string" } }) }, { "x-kubernetes-embedded-resource": true }), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, spec: { a: "x" } }, []),
  { name: "an unknown field at the root is named", schema: root({ type: "object" }), object: widget({}, { extra: 1 }), fields: ["extra"] },
  // defaults
  one("a default fills an absent field", obj({ a: { type: "integer", default: 3 }, b: { type: "integer", default: 4 } }), { b: 1 }, [], { a: 3, b: 1 }),
  one("an object default is defaulted inside as well", obj({ m: obj({ a: { type: "integer", default: 3 } }, { default: {} }) }), {}, [], { m: { a: 3 } }),
  one("defaults fill every list item", { type: "array", items: obj({ a: { type: "integer", default: 3 } }) }, [{}, { a: 1 }], [], [{ a: 3 }, { a: 1 }]),
  one("defaults fill every map value", { type: "object", additionalProperties: obj({ a: { type: "integer", default: 3 } }) }, { k: {} }, [], { k: { a: 3 } }),
  one("a default is checked like a value", obj({ a: { type: "integer", maximum: 2, default: 3 } }), {}, ["spec.a"]),
  // CEL rules
  one("a rule with a fieldPath names that field", obj({ lo: { type: "integer" }, hi: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.lo <= self.hi", fieldPath: ".hi", message: "hi must not be below lo" }] }), { lo: 2, hi: 1 }, ["spec.hi"]),
  one("a rule that holds passes", obj({ lo: { type: "integer" }, hi: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.lo <= self.hi" }] }), { lo: 1, hi: 2 }, []),
  one("a rule sees defaults", obj({ lo: { type: "integer", default: 5 }, hi: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.lo <= self.hi" }] }), { hi: 2 }, ["spec"]),
  one("a rule runs on every list item", { type: "array", items: obj({ n: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.n > 0" }] }) }, [{ n: 1 }, { n: 0 }], ["spec[1]"]),
  one("a wrong type stops the rules", obj({ lo: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.lo < 1" }] }), { lo: "x" }, ["spec.lo", notChecked]),
  one("an unsupported value stops the rules", obj({ mode: { type: "string", enum: ["A"] }, n: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.n < 1" }] }), { mode: "B", n: 5 }, ["spec.mode", notChecked]),
  one("a missing required field stops the rules", obj({ a: { type: "integer" }, b: { type: "integer" } }, { required: ["a"], "x-kubernetes-validations": [{ rule: "self.a < self.b" }] }), { b: 1 }, ["spec.a", notChecked]),
  one("a bound that is not blocking leaves the rules running", obj({ a: { type: "integer", minimum: 0 }, b: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.a < self.b" }] }), { a: -1, b: -2 }, ["spec", "spec.a"]),
  one("a rule does not see an unknown field, which is pruned first", obj({ a: { type: "integer" } }, { "x-kubernetes-validations": [{ rule: "self.a == 1" }] }), { a: 1, zz: 2 }, ["spec.zz"]),
  { name: "a root rule sees metadata.name", schema: root({ type: "object" }, [{ rule: "self.metadata.name.size() <= 3" }]), object: widget({}, { metadata: { name: "four" } }), fields: [""] },
  { name: "a root rule sees no other metadata", schema: root({ type: "object" }, [{ rule: "!has(self.metadata.labels)" }]), object: widget({}, { metadata: { name: "w", labels: { a: "b" } } }), fields: [] },
];

/** bent builds the case of a CRD object with one field set (or deleted, with undefined). */
const bent = (name: string, base: Obj, path: string, value: unknown, fields: string[]): SchemaCase => ({ name, schema: crdOf(base), object: withPath(base, path, value), fields });

const crds: SchemaCase[] = [
  ...["sftjob.yaml", "rljob.yaml", "pipeline.yaml"].flatMap((f) => examples(f).map((o) => ({ name: `examples/${f} ${String(o.kind)} is valid`, schema: crdOf(o), object: o, fields: [] }))),
  { name: "the minimal SFTJob is valid", schema: SFT, object: sftJob(), fields: [] },
  { name: "the minimal RLJob is valid", schema: RL, object: rlJob(), fields: [] },
  // RLJob
  bent("an RLJob without spec is rejected", rlJob(), "spec", undefined, ["spec", notChecked]),
  bent("an RLJob without stages names spec.stages and checks no rules", rlJob(), "spec.stages", undefined, ["spec.stages", notChecked]),
  bent("an RLJob without initFrom names spec.initFrom", rlJob(), "spec.initFrom", undefined, ["spec.initFrom", notChecked]),
  bent("empty stages break minItems", rlJob(), "spec.stages", [], ["spec.stages"]),
  bent("seventeen stages break maxItems", rlJob(), "spec.stages", Array.from({ length: 17 }, (_, i) => ({ name: `s${i}`, maxResponseLength: 64 })), ["spec.stages", notChecked]),
  bent("duplicate stage names break the uniqueness rule", rlJob(), "spec.stages", [{ name: "s", maxResponseLength: 64 }, { name: "s", maxResponseLength: 64 }], ["spec.stages"]),
  bent("a stage without maxResponseLength names it", rlJob(), "spec.stages", [{ name: "s" }], ["spec.stages[0].maxResponseLength", notChecked]),
  bent("a stage name that is not a DNS label breaks the pattern", rlJob(), "spec.stages", [{ name: "S_1", maxResponseLength: 64 }], ["spec.stages[0].name"]),
  bent("a zero learning rate breaks the exclusive minimum", rlJob(), "spec.stages", [{ name: "s", maxResponseLength: 64, learningRate: 0 }], ["spec.stages[0].learningRate"]),
  bent("a fractional level is a wrong type", rlJob(), "spec.stages", [{ name: "s", maxResponseLength: 64, data: { levels: [1.5] } }], ["spec.stages[0].data.levels[0]", notChecked]),
  bent("a code level above 3 breaks the data rule", rlJob(), "spec.stages", [{ name: "s", maxResponseLength: 64, data: { task: "code", levels: [4] } }], ["spec.stages[0].data.levels"]),
  bent("temperature min above max breaks two rules", rlJob(), "spec.temperature", { min: 2, max: 1, initial: 1.5 }, ["spec.temperature.initial", "spec.temperature.max"]),
  bent("an unknown temperature policy stops the temperature rules", rlJob(), "spec.temperature", { policy: "Adaptive", min: 2, max: 1, initial: 1.5 }, ["spec.temperature.policy", notChecked]),
  bent("policy Schedule without a schedule breaks the schedule rule", rlJob(), "spec.temperature", { policy: "Schedule" }, ["spec.temperature.schedule"]),
  bent("a schedule entry without a temperature names it", rlJob(), "spec.temperature", { policy: "Schedule", schedule: [{ epoch: 0 }] }, ["spec.temperature.schedule[0].temperature", notChecked]),
  bent("initFrom with both sftJob and checkpoint breaks the one-of rule", rlJob(), "spec.initFrom", { sftJob: "a", checkpoint: "file:///c" }, ["spec.initFrom"]),
  bent("workers as a string is a wrong type", rlJob(), "spec.workers", "2", ["spec.workers", notChecked]),
  bent("workers as null is defaulted", rlJob(), "spec.workers", null, []),
  bent("ttlSecondsAfterFinished as null is dropped", rlJob(), "spec.ttlSecondsAfterFinished", null, []),
  bent("an unknown temperature field is named", rlJob(), "spec.temperature", { temprature: 1 }, ["spec.temperature.temprature"]),
  bent("a CPU request that is not a quantity breaks the pattern", rlJob(), "spec.resources", { requests: { cpu: "4 cores" } }, ["spec.resources.requests.cpu"]),
  bent("a queue name of 64 characters is too long", rlJob(), "spec.queueName", "q".repeat(64), ["spec.queueName", notChecked]),
  bent("a toleration operator outside the enum is unsupported", rlJob(), "spec.podTemplate", { tolerations: [{ operator: "Maybe" }] }, ["spec.podTemplate.tolerations[0].operator", notChecked]),
  bent("an env entry without a name names it", rlJob(), "spec.podTemplate", { env: [{ value: "x" }] }, ["spec.podTemplate.env[0].name", notChecked]),
  bent("affinity and volumes keep whatever they hold", rlJob(), "spec.podTemplate", { affinity: { nodeAffinity: { anything: [1, { x: 2 }] } }, volumes: [{ name: "v", emptyDir: {} }] }, []),
  bent("a name of 41 characters breaks the root rule", rlJob(), "metadata.name", "x".repeat(41), [""]),
  bent("a status phase outside the enum is unsupported", rlJob(), "status", { phase: "Bogus" }, ["status.phase", notChecked]),
  // SFTJob
  bent("dModel not divisible by heads breaks the architecture rule", sftJob(), "spec.model", { architecture: { dModel: 100, heads: 3 } }, ["spec.model.architecture.dModel"]),
  bent("heads as a string stops the architecture rule", sftJob(), "spec.model", { architecture: { heads: "4" } }, ["spec.model.architecture.heads", notChecked]),
  bent("a model with both architecture and from breaks the one-of rule", sftJob(), "spec.model", { architecture: {}, from: "file:///c" }, ["spec.model"]),
  bent("a model with neither architecture nor from breaks the one-of rule", sftJob(), "spec.model", {}, ["spec.model"]),
  bent("a null model is defaulted to the demo architecture", sftJob(), "spec.model", null, []),
  bent("a null data block is defaulted", sftJob(), "spec.data", null, []),
  bent("a sequence longer than the context breaks the spec rule", sftJob("a", { model: { architecture: { contextLength: 64 } } }), "spec.maxSequenceLength", 128, ["spec.maxSequenceLength"]),
  bent("a batch smaller than the number of workers breaks the spec rule", sftJob("a", { workers: 4 }), "spec.batchSize", 2, ["spec.batchSize"]),
  bent("an unknown decay is unsupported", sftJob(), "spec.schedule", { decay: "linear" }, ["spec.schedule.decay", notChecked]),
  bent("a spec that is a list is a wrong type", sftJob(), "spec", [], ["spec", notChecked]),
  bent("an unknown field at the root is named", sftJob(), "extra", 1, ["extra"]),
];

/** structuralCases is the whole corpus. */
export const structuralCases: SchemaCase[] = [...synthetic, ...crds];
