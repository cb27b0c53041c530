// The generated CRDs: fresh, structural, and carrying what kubectl and GitOps tools read.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { renderCRDs } from "./crd-files.ts";
import { kindList } from "./kinds.ts";

type Node = Record<string, unknown>;

/** walk visits every schema node with its path. */
function walk(node: Node, path: string, visit: (n: Node, path: string) => void): void {
  visit(node, path);
  for (const [k, v] of Object.entries((node.properties ?? {}) as Node)) walk(v as Node, `${path}.${k}`, visit);
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) walk(node.additionalProperties as Node, `${path}{}`, visit);
  if (node.items !== undefined) walk(node.items as Node, `${path}[]`, visit);
}

const files = renderCRDs();
const crds = Object.values(files).map((t) => parse(t) as Node);
const schemaOf = (crd: Node) => ((crd.spec as Node).versions as Node[])[0].schema as { openAPIV3Schema: Node };

describe("generated CRDs", () => {
  test("crds/ matches what the zod schemas generate (run npm run gen:crds after changing api/)", () => {
    for (const [file, text] of Object.entries(files)) {
      assert.equal(readFileSync(new URL(`../crds/${file}`, import.meta.url), "utf8"), text, `crds/${file} is stale`);
    }
  });

  test("every schema is structural: no $ref, no properties beside additionalProperties, no unions, no null type", () => {
    for (const crd of crds) {
      walk(schemaOf(crd).openAPIV3Schema, "", (n, path) => {
        for (const k of ["$ref", "$defs", "oneOf", "anyOf", "allOf", "propertyNames", "const", "$schema"]) assert.ok(!(k in n), `${path} has ${k}`);
        if (n.properties !== undefined) assert.ok(!("additionalProperties" in n), `${path} has properties and additionalProperties`);
        assert.ok(n.type !== "null" && !Array.isArray(n.type), `${path} has a non-structural type`);
        if (path !== "" && path !== ".metadata") assert.ok(typeof n.type === "string" || n["x-kubernetes-preserve-unknown-fields"] === true, `${path} has no type`);
      });
    }
  });

  test("every field has a description for kubectl explain", () => {
    for (const crd of crds) {
      walk(schemaOf(crd).openAPIV3Schema, "", (n, path) => {
        if (path === "" || path === ".metadata" || path.endsWith("[]") || path.endsWith("{}")) return;
        assert.ok(typeof n.description === "string" && n.description.length > 0, `${path} has no description`);
      });
    }
  });

  test("every string and list is bounded, so CEL cost stays within the apiserver's budget", () => {
    for (const crd of crds) {
      walk(schemaOf(crd).openAPIV3Schema, "", (n, path) => {
        if (n.type === "string" && !path.startsWith(".apiVersion") && !path.startsWith(".kind") && n.enum === undefined) assert.ok(typeof n.maxLength === "number", `${path} is an unbounded string`);
        if (n.type === "array") assert.ok(typeof n.maxItems === "number", `${path} is an unbounded list`);
      });
    }
  });

  test("integers carry int32/int64 formats instead of zod's ±2^53 bounds", () => {
    for (const crd of crds) {
      walk(schemaOf(crd).openAPIV3Schema, "", (n, path) => {
        if (n.type !== "integer") return;
        assert.ok(n.format === "int32" || n.format === "int64", `${path} has no integer format`);
        assert.notEqual(n.maximum, Number.MAX_SAFE_INTEGER, `${path} keeps zod's bound`);
      });
    }
  });

  test("each CRD has the status subresource, short name, category and printer columns", () => {
    const byKind = new Map(crds.map((c) => [((c.spec as Node).names as Node).kind, c]));
    for (const info of kindList) {
      const crd = byKind.get(info.kind);
      assert.ok(crd !== undefined, `no CRD for ${info.kind}`);
      const spec = crd.spec as Node;
      const names = spec.names as Node;
      assert.equal(spec.scope, "Namespaced");
      assert.deepEqual(names.shortNames, [info.kind === "SFTJob" ? "sft" : "rl"]);
      assert.deepEqual(names.categories, ["temper"]);
      const v = (spec.versions as Node[])[0];
      assert.deepEqual(v.subresources, { status: {} });
      const columns = (v.additionalPrinterColumns as Node[]).map((c) => c.name);
      for (const c of ["Phase", "Epoch", "Age"]) assert.ok(columns.includes(c), `${info.kind} lacks ${c}`);
    }
    const rl = ((byKind.get("RLJob")?.spec as Node).versions as Node[])[0].additionalPrinterColumns as Node[];
    assert.deepEqual(rl.filter((c) => c.priority === undefined).map((c) => c.name), ["Phase", "Stage", "Epoch", "Temperature", "Entropy", "Age"]);
  });

  test("cross-field rules reach the CRD as x-kubernetes-validations", () => {
    const rl = crds.find((c) => ((c.spec as Node).names as Node).kind === "RLJob");
    assert.ok(rl !== undefined);
    const spec = (schemaOf(rl).openAPIV3Schema.properties as Node).spec as Node;
    const temp = (spec.properties as Node).temperature as Node;
    const rules = (temp["x-kubernetes-validations"] as Node[]).map((r) => r.rule);
    assert.ok(rules.includes("self.min <= self.max"));
    const initFrom = (spec.properties as Node).initFrom as Node;
    assert.equal((initFrom["x-kubernetes-validations"] as Node[]).length, 1);
  });
});
