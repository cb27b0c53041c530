import assert from "node:assert/strict";
import { test } from "node:test";
import { eventually } from "../test/eventually.ts";
import { newWorkqueue, terminal } from "./workqueue.ts";

test("processes a key added many times while queued once", async () => {
  const q = newWorkqueue();
  const seen: string[] = [];
  for (let i = 0; i < 5; i++) q.add("a");
  q.start(async (k) => (seen.push(k), {}));
  await eventually(() => assert.deepEqual(seen, ["a"]));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ["a"]);
  await q.shutdown();
});

test("never runs one key on two workers at once and reprocesses a key added meanwhile", async () => {
  const q = newWorkqueue({ concurrency: 4 });
  let inFlight = 0;
  let maxInFlight = 0;
  let runs = 0;
  q.start(async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    runs++;
    await new Promise((r) => setTimeout(r, 30));
    inFlight--;
    return {};
  });
  q.add("k");
  await new Promise((r) => setTimeout(r, 5));
  q.add("k");
  q.add("k");
  await eventually(() => assert.equal(runs, 2));
  assert.equal(maxInFlight, 1);
  await q.shutdown();
});

test("retries a throwing key with growing delays and forgets failures on success", async () => {
  const q = newWorkqueue({ baseDelayMs: 20 });
  const at: number[] = [];
  q.start(async () => {
    at.push(performance.now());
    if (at.length < 4) throw new Error("boom");
    return {};
  });
  q.add("k");
  await eventually(() => assert.equal(at.length, 4), 5000);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(gaps[1] > gaps[0] && gaps[2] > gaps[1], `gaps grow: ${gaps.join(",")}`);
  assert.ok(gaps[2] >= 75, `third retry waits about 80 ms: ${gaps[2]}`);
  assert.equal(q.failures("k"), 0);
  await q.shutdown();
});

test("drops a key that failed with a terminal error", async () => {
  const outcomes: string[] = [];
  const q = newWorkqueue({ baseDelayMs: 5, onOutcome: (_k, o) => outcomes.push(o) });
  q.start(async () => {
    throw terminal(new Error("spec cannot be run"));
  });
  q.add("k");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(outcomes, ["terminal"]);
  await q.shutdown();
});

test("requeues a key after requeueAfterMs", async () => {
  const q = newWorkqueue();
  const at: number[] = [];
  q.start(async () => (at.push(performance.now()), at.length === 1 ? { requeueAfterMs: 80 } : {}));
  q.add("k");
  await eventually(() => assert.equal(at.length, 2));
  assert.ok(at[1] - at[0] >= 75);
  await q.shutdown();
});

test("limits the overall rate to ratePerSecond after the burst", async () => {
  const q = newWorkqueue({ ratePerSecond: 20, burst: 2, concurrency: 8 });
  let n = 0;
  q.start(async () => (n++, {}));
  for (let i = 0; i < 10; i++) q.add(`k${i}`);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(n >= 4 && n <= 7, `about 2 + 20/s * 0.2 s started, got ${n}`);
  await eventually(() => assert.equal(n, 10), 3000);
  await q.shutdown();
});

test("runs up to concurrency keys in parallel", async () => {
  const q = newWorkqueue({ concurrency: 3 });
  let inFlight = 0;
  let maxInFlight = 0;
  q.start(async () => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, 40));
    inFlight--;
    return {};
  });
  for (let i = 0; i < 6; i++) q.add(`k${i}`);
  await eventually(() => assert.equal(maxInFlight, 3));
  await q.shutdown();
});
