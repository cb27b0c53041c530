import { test } from "node:test";
import assert from "node:assert/strict";
import { parseQuantity } from "./quantity.ts";
import { placePod } from "./scheduler.ts";
import type { Node, Pod } from "./types.ts";

const node = (name: string, gpus: number, labels: Record<string, string> = {}): Node => ({
  metadata: { name, uid: name, resourceVersion: "1", labels },
  status: { allocatable: { cpu: "4", memory: "8Gi", "nvidia.com/gpu": String(gpus) } },
});
const pod = (name: string, requests: Record<string, string>, nodeName?: string, phase: "Running" | "Succeeded" = "Running"): Pod => ({
  metadata: { name, uid: name, resourceVersion: "1" },
  spec: { nodeName, containers: [{ name: "main", resources: { limits: requests } }] },
  status: { phase },
});

test("reads cpu, memory and plain quantities", () => {
  assert.equal(parseQuantity("500m"), 0.5);
  assert.equal(parseQuantity("4Gi"), 4 * 2 ** 30);
  assert.equal(parseQuantity("1e3"), 1000);
  assert.equal(parseQuantity(2), 2);
  assert.throws(() => parseQuantity("lots"), /invalid quantity/);
});

test("places a pod on the node with the most free GPUs", () => {
  const placed = placePod(pod("p", { "nvidia.com/gpu": "1" }), [node("a", 2), node("b", 2)], [pod("q", { "nvidia.com/gpu": "1" }, "a")]);
  assert.deepEqual(placed, { node: "b" });
});

test("explains why no node fits, counted per reason", () => {
  const placed = placePod(pod("p", { "nvidia.com/gpu": "2", cpu: "8" }), [node("a", 1), node("b", 4)], []);
  assert.deepEqual(placed, { message: "0/2 nodes are available: 2 Insufficient cpu, 1 Insufficient nvidia.com/gpu." });
});

test("frees the resources of finished pods", () => {
  const placed = placePod(pod("p", { "nvidia.com/gpu": "2" }), [node("a", 2)], [pod("done", { "nvidia.com/gpu": "2" }, "a", "Succeeded")]);
  assert.deepEqual(placed, { node: "a" });
});

test("honours nodeSelector", () => {
  const p = pod("p", {});
  p.spec.nodeSelector = { zone: "x" };
  assert.deepEqual(placePod(p, [node("a", 0), node("b", 0, { zone: "x" })], []), { node: "b" });
  assert.deepEqual(placePod(p, [node("a", 0)], []), { message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." });
});
