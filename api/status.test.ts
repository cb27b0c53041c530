// Status failures as the API server writes them, and zod's findings in its words.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { fieldCauses, fieldPath, invalid, notFound, StatusError } from "./status.ts";

test("renders a failure as a metav1 Status with code, reason, message and details", () => {
  assert.deepEqual(notFound({ group: "temper.dev", plural: "rljobs", name: "a" }).status(), {
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
    message: 'rljobs.temper.dev "a" not found', reason: "NotFound", code: 404,
    details: { name: "a", group: "temper.dev", kind: "rljobs" },
  });
});

test("leaves details out when a failure names no object", () => {
  assert.equal("details" in new StatusError(400, "BadRequest", "no").status(), false);
});

test("summarises causes with their fields in an Invalid message, as kubectl prints them", () => {
  const one = invalid("", "EpochReport", "a", [{ reason: "FieldValueInvalid", field: "epoch", message: "Invalid value: 0: too small" }]);
  assert.equal(one.code, 422);
  assert.equal(one.message, 'EpochReport "a" is invalid: epoch: Invalid value: 0: too small');
  const two = invalid("temper.dev", "RLJob", "a", [{ reason: "R", field: "x", message: "m" }, { reason: "R", message: "n" }]);
  assert.equal(two.message, 'RLJob.temper.dev "a" is invalid: [x: m, n]');
});

test("writes field paths with list indices in brackets", () => {
  assert.equal(fieldPath(["entropyCurve", 0, "temperature"]), "entropyCurve[0].temperature");
  assert.equal(fieldPath([]), "");
});

test("turns zod's issues into causes naming each field: invalid, required and unknown", () => {
  const schema = z.strictObject({ epoch: z.int().min(1), stage: z.string(), curve: z.array(z.object({ t: z.number() })) });
  const input = { epoch: 0, curve: [{ t: "hot" }], extra: true };
  const causes = fieldCauses(schema.safeParse(input).error?.issues ?? [], input);
  const byField = new Map(causes.map((c) => [c.field, c]));
  assert.equal(byField.get("epoch")?.reason, "FieldValueInvalid");
  assert.match(byField.get("epoch")?.message ?? "", /^Invalid value: 0: /);
  assert.equal(byField.get("stage")?.reason, "FieldValueRequired");
  assert.equal(byField.get("curve[0].t")?.reason, "FieldValueInvalid");
  assert.equal(byField.get("extra")?.message, 'unknown field "extra"');
  assert.equal(causes.length, 4);
});

test("names no field when the whole input is wrong", () => {
  const causes = fieldCauses(z.object({}).safeParse([1]).error?.issues ?? [], [1]);
  assert.deepEqual(causes.map((c) => [c.reason, c.field]), [["FieldValueInvalid", undefined]]);
});
