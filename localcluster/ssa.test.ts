// Server-side apply: ownership, conflicts, force, and removal of fields a manager stops applying.
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtinKinds } from "./builtin-kinds.ts";
import { serverSideApply } from "./ssa.ts";
import type { Obj, ResourceType } from "./types.ts";

const cmType = builtinKinds().find((t) => t.plural === "configmaps") as ResourceType;
const now = "2026-01-01T00:00:00Z";
const cfg = (data: Obj): Obj => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data });

test("a first apply creates the object owned by its manager", () => {
  const o = serverSideApply({ rt: cmType, live: undefined, config: cfg({ a: "1" }), manager: "m1", force: false, now });
  assert.deepEqual(o.data, { a: "1" });
  assert.deepEqual(o.metadata.managedFields.map((e: Obj) => [e.manager, e.operation]), [["m1", "Apply"]]);
  assert.deepEqual(o.metadata.managedFields[0].fieldsV1, { "f:data": { "f:a": {} } });
});

test("another manager changing an owned field conflicts unless forced", () => {
  const live = serverSideApply({ rt: cmType, live: undefined, config: cfg({ a: "1" }), manager: "m1", force: false, now });
  assert.throws(() => serverSideApply({ rt: cmType, live, config: cfg({ a: "2" }), manager: "m2", force: false, now }), (e: { code?: number; details?: Obj }) => e.code === 409 && e.details?.causes[0].field === ".data.a");
  const forced = serverSideApply({ rt: cmType, live, config: cfg({ a: "2" }), manager: "m2", force: true, now });
  assert.equal(forced.data.a, "2");
  assert.deepEqual(forced.metadata.managedFields.map((e: Obj) => e.manager), ["m2"]);
});

test("applying the same value shares ownership without conflict", () => {
  const live = serverSideApply({ rt: cmType, live: undefined, config: cfg({ a: "1" }), manager: "m1", force: false, now });
  const shared = serverSideApply({ rt: cmType, live, config: cfg({ a: "1" }), manager: "m2", force: false, now });
  assert.deepEqual(shared.metadata.managedFields.map((e: Obj) => e.manager), ["m1", "m2"]);
});

test("a field the manager stops applying is removed", () => {
  const live = serverSideApply({ rt: cmType, live: undefined, config: cfg({ a: "1", b: "2" }), manager: "m1", force: false, now });
  const next = serverSideApply({ rt: cmType, live, config: cfg({ a: "1" }), manager: "m1", force: false, now });
  assert.deepEqual(next.data, { a: "1" });
});
