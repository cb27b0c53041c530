// Table rows of built-in kinds: the columns kubectl prints come from the server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtinKinds } from "./builtin-kinds.ts";
import { toTable } from "./table.ts";
import type { Obj, ResourceType } from "./types.ts";

const podType = builtinKinds().find((t) => t.plural === "pods") as ResourceType;
const now = Date.parse("2026-01-01T01:00:00Z");

function row(status: Obj, extra: Obj = {}): unknown[] {
  const pod = { metadata: { name: "p", creationTimestamp: "2026-01-01T00:00:00Z", ...extra }, spec: { containers: [{ name: "a" }, { name: "b" }] }, status };
  return toTable(podType, [pod], "1", { includeObject: false, now, withHeader: true }).rows[0].cells;
}

const cases: [string, Obj, string][] = [
  ["shows Pending before any status", {}, "Pending"],
  ["shows the waiting reason of a container", { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }] }, "ContainerCreating"],
  ["shows Completed for a pod that succeeded", { phase: "Succeeded", containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }] }, "Completed"],
  ["shows the exit code of a container that died without a reason", { phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }, "ExitCode:3"],
  ["shows Running with ready counts", { phase: "Running", containerStatuses: [{ ready: true, state: { running: {} } }, { ready: false, state: { running: {} } }] }, "Running"],
];
for (const [name, status, want] of cases) test(name, () => assert.equal(row(status)[2], want));

test("counts ready containers and restarts and renders the age", () => {
  const cells = row({ phase: "Running", containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1 }] });
  assert.deepEqual(cells.slice(0, 5), ["p", "1/2", "Running", 3, "60m"]);
});

test("shows Terminating once a deletion has begun", () => {
  assert.equal(row({ phase: "Running" }, { deletionTimestamp: "2026-01-01T00:59:00Z" })[2], "Terminating");
});
