// The two structural-schema validators agree: every case of test/structural-corpus.ts goes
// through api/structural.ts (as `temper validate` runs it) and localcluster/schema.ts (as the
// local API server's admission runs it), and both must name the same fields for the same reasons,
// name the fields the apiserver names, and leave the same pruned and defaulted object. Their
// messages may differ: `temper validate` quotes the offending value of a rule's field.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyDefaults, pruneUnknown, validateAgainst } from "../localcluster/schema.ts";
import { structuralCases, type SchemaCase } from "../test/structural-corpus.ts";
import { structuralValidator } from "./structural.ts";

type Obj = Record<string, unknown>;

/** Verdict is what one validator made of a case: "field reason" findings (sorted) and the object after. */
interface Verdict {
  findings: string[];
  after: Obj;
}

/** unknown is the reason the verdicts give an unknown field: a Status cause for one, a strict-decoding error for the other. */
const unknown = "UnknownField";

function viaValidate(c: SchemaCase): Verdict {
  const after = structuredClone(c.object);
  const problems = structuralValidator(c.schema)(after);
  const findings = problems.map((p) => `${p.field} ${p.message.startsWith("unknown field") ? unknown : p.reason}`);
  return { findings: [...new Set(findings)].sort(), after };
}

function viaLocalCluster(c: SchemaCase): Verdict {
  // admission.ts's order: unknown fields found on a copy (fieldValidation), pruned, defaulted, validated.
  const after = structuredClone(c.object);
  const unknownFields = pruneUnknown(structuredClone(after), c.schema);
  pruneUnknown(after, c.schema);
  applyDefaults(after, c.schema);
  const causes = validateAgainst(after, undefined, c.schema);
  const findings = [...unknownFields.map((f) => `${f} ${unknown}`), ...causes.map((x) => `${x.field ?? ""} ${x.reason}`)];
  return { findings: [...new Set(findings)].sort(), after };
}

const fieldsOf = (v: Verdict): string[] => [...new Set(v.findings.map((f) => f.slice(0, f.lastIndexOf(" "))))].sort();

test("the corpus holds valid and invalid cases for the synthetic schemas and both CRDs", () => {
  const crdCases = structuralCases.filter((c) => (c.object.apiVersion as string).startsWith("temper.dev/"));
  for (const set of [structuralCases.filter((c) => !crdCases.includes(c)), crdCases]) {
    assert.ok(set.filter((c) => c.fields.length === 0).length >= 5);
    assert.ok(set.filter((c) => c.fields.length > 0).length >= 20);
  }
});

for (const c of structuralCases) {
  test(`both validators: ${c.name}`, () => {
    const v = viaValidate(c);
    const l = viaLocalCluster(c);
    assert.deepEqual(v.findings, l.findings, "temper validate and the local API server disagree");
    assert.deepEqual(fieldsOf(v), [...c.fields].sort(), "the fields differ from the apiserver's");
    if (c.after !== undefined) assert.deepEqual(v.after, c.after, "the pruned and defaulted object differs from the apiserver's");
    assert.deepEqual(v.after, l.after, "temper validate and the local API server prune or default differently");
  });
}
