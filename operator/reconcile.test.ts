// The pod signals the reconcilers read beside the Job's counters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { unrunnableExitCode } from "../api/report.ts";
import type { KubeObject } from "./kube.ts";
import { podSignals } from "./reconcile.ts";

const pod = (exitCode: number, message?: string): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name: "r-a1-0", namespace: "ns" },
  status: { phase: "Failed", containerStatuses: [{ name: "trainer", state: { terminated: { exitCode, ...(message !== undefined ? { message } : {}) } } }] },
});

test("a worker that exited with the trainer's unrunnable code is unrunnable, for the reason in its log's last line", () => {
  const log = '{"event":"failed","error":"spec.reward.code.isolation is Required, but …"}\ntemper-trainer: spec.reward.code.isolation is Required, but the code sandbox cannot isolate the network on this node\n';
  assert.equal(podSignals([pod(unrunnableExitCode, log)])?.unrunnable, "spec.reward.code.isolation is Required, but the code sandbox cannot isolate the network on this node");
  assert.match(podSignals([pod(unrunnableExitCode)])?.unrunnable ?? "", /the trainer exited 3: the job cannot run on this node as specified; its log says why/);
  assert.equal(podSignals([pod(1, "boom")])?.unrunnable, undefined);
  assert.equal(podSignals([pod(1, "boom")])?.failed, 1);
});
