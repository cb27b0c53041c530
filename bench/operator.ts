// bench/operator: the operator's figures on the local cluster, printed as JSON.
// - reconcile latency: SFTJob created (kubectl apply returns) -> its gang's Job exists, and
//   Job reports every worker ready -> SFTJob phase Running (the operator's reaction time);
// - API writes per job over a quiet minute with every job Running (target: zero).
// No kubelet runs pods here, so the bench writes the Job's ready count as the Job controller would.
// Usage: npm run bench:operator  (BENCH_JOBS=N, BENCH_QUIET_SECONDS=S to change the sizes)
import { eventually } from "../test/eventually.ts";
import { sftJob } from "../test/operator/builders.ts";
import { startHarness } from "../test/operator/harness.ts";

const jobs = Number(process.env.BENCH_JOBS ?? 5);
const quietSeconds = Number(process.env.BENCH_QUIET_SECONDS ?? 60);
const ns = "bench";

const h = await startHarness();
try {
  await h.ok(["create", "namespace", ns]);
  const op = await h.operator({ leaderElect: "false", sweepCron: "*/15 * * * * *", resyncSeconds: 300 });
  const toGang: number[] = [];
  const toRunning: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const name = `b${i}`;
    const t0 = performance.now();
    await h.apply(ns, sftJob(ns, name).workers(2).manifest());
    // Observed through the operator's own watch cache, so no kubectl start-up is counted.
    await eventually(() => {
      if (op.caches.Job.get(`${ns}/${name}-a1`) === undefined) throw new Error("no Job yet");
    }, 20_000, 2);
    toGang.push(performance.now() - t0);
    const t1 = performance.now();
    await h.ok(["-n", ns, "patch", "job", `${name}-a1`, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { active: 2, ready: 2 } })]);
    await eventually(() => {
      const p = (op.caches.SFTJob.get(`${ns}/${name}`)?.status as { phase?: string } | undefined)?.phase;
      if (p !== "Running") throw new Error(String(p));
    }, 20_000, 2);
    toRunning.push(performance.now() - t1);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const before = op.kube.writes();
  await new Promise((r) => setTimeout(r, quietSeconds * 1000));
  const writes = op.kube.writes() - before;
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { medianMs: Math.round(s[Math.floor(s.length / 2)]), maxMs: Math.round(s[s.length - 1]) };
  };
  process.stdout.write(JSON.stringify({
    jobs,
    createToGangCreated: stats(toGang),
    jobReadyToPhaseRunning: stats(toRunning),
    quietSeconds,
    apiWritesDuringQuiet: writes,
    apiWritesPerJobPerQuietMinute: (writes / jobs) * (60 / quietSeconds),
    note: "create latency starts before kubectl apply (one kubectl process start included); both end when the operator's watch cache sees the change; no kubelet: Job readiness is written by the bench",
  }, null, 2) + "\n");
} finally {
  await h.stop();
}
