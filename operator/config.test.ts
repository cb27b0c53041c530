import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "./config.ts";

test("fills every default from an empty command line", () => {
  const r = parseConfig([], {});
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.config.image, "ghcr.io/temper-dev/temper-trainer:0.1.0");
  assert.equal(r.config.leaseDurationSeconds, 15);
  assert.equal(r.config.renewDeadlineSeconds, 10);
  assert.equal(r.config.retryPeriodSeconds, 2);
  assert.equal(r.config.leaderElect, true);
});

test("lets flags win over environment variables", () => {
  const r = parseConfig(["--concurrency", "8", "--kubeconfig", "/k"], { TEMPER_CONCURRENCY: "3", TEMPER_NAMESPACE: "team", TEMPER_LEADER_ELECT: "false" });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.config.concurrency, 8);
  assert.equal(r.config.namespace, "team");
  assert.equal(r.config.kubeconfig, "/k");
  assert.equal(r.config.leaderElect, false);
});

test("rejects an out-of-range concurrency naming the setting", () => {
  const r = parseConfig(["--concurrency", "0"], {});
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /concurrency/);
});

test("rejects an unknown flag", () => {
  assert.equal(parseConfig(["--colour", "red"], {}).ok, false);
});

test("listens on every address inside a cluster unless told otherwise", () => {
  const r = parseConfig([], { KUBERNETES_SERVICE_HOST: "10.0.0.1" });
  assert.ok(r.ok && r.config.metricsHost === "0.0.0.0");
  const local = parseConfig([], {});
  assert.ok(local.ok && local.config.metricsHost === "127.0.0.1");
});
