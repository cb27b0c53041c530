// The keys other programs read are spelled here once more, as those programs spell them: the rest
// of the tree uses meta.ts's constants, so this is where a typo in one of them is caught.
import assert from "node:assert/strict";
import { test } from "node:test";
import { annotations, apiVersion, labels } from "./meta.ts";

test("spells the keys Kubernetes tools and Kueue read as they do", () => {
  assert.equal(labels.managedBy, "app.kubernetes.io/managed-by");
  assert.equal(labels.queueName, "kueue.x-k8s.io/queue-name");
  assert.deepEqual([labels.appName, labels.partOf], ["app.kubernetes.io/name", "app.kubernetes.io/part-of"]);
});

test("keeps the keys users select and tools read on temper's own objects", () => {
  assert.equal(apiVersion, "temper.dev/v1alpha1");
  assert.deepEqual([labels.jobName, labels.jobKind, labels.attempt], ["temper.dev/job-name", "temper.dev/job-kind", "temper.dev/attempt"]);
  assert.equal(annotations.lastReport, "temper.dev/last-report");
});
