// Structural-schema processing: pruning, defaulting and validation messages, case by case.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyDefaults, pruneUnknown, validateAgainst } from "./schema.ts";
import type { Obj } from "./types.ts";

const schema: Obj = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["size"],
      properties: {
        size: { type: "integer", minimum: 1, maximum: 5 },
        name: { type: "string", pattern: "^[a-z]+$", maxLength: 5 },
        mode: { type: "string", enum: ["A", "B"], default: "A" },
        ratio: { type: "number", minimum: 0, exclusiveMinimum: true },
        items: { type: "array", maxItems: 2, items: { type: "object", properties: { v: { type: "integer" } } } },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        range: { type: "object", properties: { lo: { type: "integer" }, hi: { type: "integer" } }, "x-kubernetes-validations": [{ rule: "self.lo + 1 <= self.hi", message: "lo must be below hi" }] },
        fixed: { type: "string", "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "fixed is immutable" }] },
      },
    },
  },
};

// A blocking cause (missing, wrong type, unsupported, too long, too many) stops the CEL rules, as in the apiserver.
const notChecked = ": Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

const cases: { name: string; spec: Obj; old?: Obj; causes: string[] }[] = [
  { name: "accepts a valid object", spec: { size: 3 }, causes: [] },
  { name: "reports a missing required field", spec: {}, causes: ["spec.size: Required value", notChecked] },
  { name: "reports a wrong type", spec: { size: "x" }, causes: ['spec.size: Invalid value: "x": spec.size in body must be of type integer: "string"', notChecked] },
  { name: "reports a value above the maximum", spec: { size: 9 }, causes: ["spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5"] },
  { name: "reports an exclusive minimum", spec: { size: 1, ratio: 0 }, causes: ["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"] },
  { name: "reports an unsupported enum value", spec: { size: 1, mode: "C" }, causes: ['spec.mode: Unsupported value: "C": supported values: "A", "B"', notChecked] },
  { name: "reports a pattern mismatch", spec: { size: 1, name: "A1" }, causes: ["spec.name: Invalid value: \"A1\": spec.name in body should match '^[a-z]+$'"] },
  { name: "reports too many items", spec: { size: 1, items: [{}, {}, {}] }, causes: ["spec.items: Too many: 3: must have at most 2 items", notChecked] },
  { name: "reports a failed CEL rule with integer arithmetic", spec: { size: 1, range: { lo: 4, hi: 4 } }, causes: ['spec.range: Invalid value: "object": lo must be below hi'] },
  { name: "checks a transition rule against the old object", spec: { size: 1, fixed: "b" }, old: { spec: { size: 1, fixed: "a" } }, causes: ['spec.fixed: Invalid value: "b": fixed is immutable'] },
  { name: "skips a transition rule on create", spec: { size: 1, fixed: "b" }, causes: [] },
];

for (const c of cases) {
  test(c.name, () => {
    const got = validateAgainst({ metadata: { name: "x" }, spec: c.spec }, c.old === undefined ? undefined : { metadata: { name: "x" }, ...c.old }, schema);
    assert.deepEqual(got.map((x) => `${x.field ?? ""}: ${x.message}`), c.causes);
  });
}

test("prunes unknown fields but keeps preserved subtrees and metadata", () => {
  const o: Obj = { apiVersion: "v", kind: "K", metadata: { name: "x" }, spec: { size: 1, junk: 1, free: { any: { thing: 1 } }, items: [{ v: 1, w: 2 }] }, extra: true };
  assert.deepEqual(pruneUnknown(o, schema).sort(), ["extra", "spec.items[0].w", "spec.junk"]);
  assert.deepEqual(o, { apiVersion: "v", kind: "K", metadata: { name: "x" }, spec: { size: 1, free: { any: { thing: 1 } }, items: [{ v: 1 }] } });
});

test("fills defaults of absent fields only", () => {
  const a: Obj = { spec: { size: 1 } };
  applyDefaults(a, schema);
  assert.equal(a.spec.mode, "A");
  const b: Obj = { spec: { size: 1, mode: "B" } };
  applyDefaults(b, schema);
  assert.equal(b.spec.mode, "B");
});
