// bench/operator: the operator's figures on the local cluster with its scheduler, Job controller
// and kubelet running the gang's pods (a stand-in trainer, test/operator/fake-trainer.ts, that
// starts and then sleeps through a long epoch), printed as JSON:
// - reconcile latency: kubectl apply of an SFTJob -> the gang's Job exists (operator's cache),
//   and -> SFTJob phase Running, i.e. every worker pod running and ready;
// - API writes per job over a quiet minute with every job Running (target: zero).
// Usage: npm run bench:operator  (BENCH_JOBS=N, BENCH_WORKERS=W, BENCH_QUIET_SECONDS=S)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { startLocalCluster } from "../localcluster/cluster.ts";
import { Config } from "../operator/config.ts";
import { startOperator } from "../operator/operator.ts";
import { eventually } from "../test/eventually.ts";
import { kubectlFor } from "../test/kubectl.ts";
import { sftJob } from "../test/operator/builders.ts";

// The local node has 8 GPUs: 4 jobs of 2 one-GPU workers fill it exactly.
const jobs = Number(process.env.BENCH_JOBS ?? 4);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const quietSeconds = Number(process.env.BENCH_QUIET_SECONDS ?? 60);
const ns = "bench";
const image = "temper-bench-trainer";

// The local kubelet refuses runAsNonRoot pods when it runs as root (it cannot switch users).
if (process.getuid?.() === 0) {
  process.setgid?.(65534);
  process.setuid?.(65534);
}
const dir = mkdtempSync(join(tmpdir(), "temper-bench-op-"));
const trainer = new URL("../test/operator/fake-trainer.ts", import.meta.url).pathname;
const cluster = await startLocalCluster({ dataDir: join(dir, "data"), log: pino({ level: "silent" }), controllerOptions: { images: { [image]: [process.execPath, trainer] } } });
const kubectl = kubectlFor(cluster.kubeconfigPath);
const ok = async (args: string[]): Promise<string> => {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
try {
  await ok(["apply", "-f", new URL("../crds", import.meta.url).pathname]);
  await ok(["create", "namespace", ns]);
  const op = await startOperator(Config.parse({ kubeconfig: cluster.kubeconfigPath, metricsPort: 0, leaderElect: "false", logLevel: "silent" }), { log: pino({ level: "silent" }) });
  const toGang: number[] = [];
  const toRunning: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const name = `b${i}`;
    const f = join(dir, `${name}.json`);
    // One epoch of ten minutes: the pods run and stay quiet for the whole measurement.
    writeFileSync(f, JSON.stringify(sftJob(ns, name).workers(workers).spec({ image, epochs: 1, batchSize: 32, podTemplate: { env: [{ name: "FAKE_EPOCH_MS", value: "600000" }] } }).manifest()));
    const t0 = performance.now();
    await ok(["-n", ns, "apply", "-f", f]);
    await eventually(() => {
      if (op.caches.Job.get(`${ns}/${name}-a1`) === undefined) throw new Error("no Job yet");
    }, 30_000, 2);
    toGang.push(performance.now() - t0);
    await eventually(() => {
      const p = (op.caches.SFTJob.get(`${ns}/${name}`)?.status as { phase?: string } | undefined)?.phase;
      if (p !== "Running") throw new Error(String(p));
    }, 60_000, 2);
    toRunning.push(performance.now() - t0);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const before = op.kube.writes();
  await new Promise((r) => setTimeout(r, quietSeconds * 1000));
  const writes = op.kube.writes() - before;
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { medianMs: Math.round(s[Math.floor(s.length / 2)]), maxMs: Math.round(s[s.length - 1]) };
  };
  await op.stop();
  process.stdout.write(JSON.stringify({
    jobs,
    workersPerJob: workers,
    createToGangCreated: stats(toGang),
    createToGangRunning: stats(toRunning),
    quietSeconds,
    apiWritesDuringQuiet: writes,
    apiWritesPerJobPerQuietMinute: (writes / jobs) * (60 / quietSeconds),
    note: "latencies start before kubectl apply (one kubectl process start, ~0.2-0.4 s, included) and end when the operator's watch cache sees the Job / phase Running; pods are local processes started by the local kubelet",
  }, null, 2) + "\n");
} finally {
  await cluster.stop();
}
