// Label and field selector parsing and matching.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";

const obj = { metadata: { name: "n", labels: { app: "x", tier: "web" } }, involvedObject: { uid: "u1" } };

const labelCases: [string, boolean][] = [
  ["app=x", true], ["app==x", true], ["app!=x", false], ["app in (x,y)", true], ["app notin (x)", false],
  ["tier", true], ["!tier", false], ["missing", false], ["!missing", true], ["app=x,tier=db", false], ["app in (y, x),tier", true],
];
for (const [sel, want] of labelCases) test(`label selector "${sel}" ${want ? "matches" : "does not match"}`, () => assert.equal(parseLabelSelector(sel)(obj), want));

test("field selectors match dotted paths and negations", () => {
  assert.equal(parseFieldSelector("metadata.name=n,involvedObject.uid=u1")(obj), true);
  assert.equal(parseFieldSelector("involvedObject.uid!=u1")(obj), false);
  assert.equal(parseFieldSelector("status.phase=")(obj), true);
});

test("rejects an unparsable label selector with 400", () => {
  assert.throws(() => parseLabelSelector("a in b"), (e: { code?: number }) => e.code === 400);
});
