// CEL rules: every rule the project's CRDs carry compiles here, and integers are CEL ints.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { checkRule as evalRule, compileRule } from "./cel.ts";
import { isObj, type Obj } from "../localcluster/types.ts";

function rulesIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) rulesIn(x, out);
  else if (isObj(v)) {
    for (const r of (v["x-kubernetes-validations"] ?? []) as Obj[]) out.push(String(r.rule));
    for (const x of Object.values(v)) rulesIn(x, out);
  }
  return out;
}

test("compiles every CEL rule in the project's CRDs", () => {
  const dir = new URL("../crds/", import.meta.url);
  const rules = readdirSync(dir).filter((f) => f.endsWith(".yaml")).flatMap((f) => parseAllDocuments(readFileSync(new URL(f, dir), "utf8")).flatMap((d) => rulesIn(d.toJS())));
  assert.ok(rules.length > 0);
  for (const r of rules) assert.doesNotThrow(() => compileRule(r), r);
});

test("evaluates integer fields as CEL ints so arithmetic type-checks", () => {
  const schema = { type: "object", properties: { n: { type: "integer" } } };
  assert.deepEqual(evalRule({ rule: "self.n + 1 == 4" }, { n: 3 }, undefined, schema), { ok: true });
});

test("reports the rule's message, or the rule itself when there is none", () => {
  const schema = { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } };
  const failed = evalRule({ rule: "self.a <= self.b", message: "a must not exceed b" }, { a: 2, b: 1 }, undefined, schema);
  assert.deepEqual(failed, { ok: false, message: "a must not exceed b", reason: undefined, fieldPath: undefined });
  const bare = evalRule({ rule: "self.a <= self.b" }, { a: 2, b: 1 }, undefined, schema);
  assert.equal(bare.ok === false && bare.message, "failed rule: self.a <= self.b");
});
