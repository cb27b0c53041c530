// operator: assembles the running operator from its parts — client, informers, the SFTJob and
// RLJob controllers, leader election, the node-cron sweep, and the HTTP server — and takes it
// apart again on stop. Controllers run only while this replica leads; informers and the report
// endpoint run on every replica.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import cron from "node-cron";
import type { Logger } from "pino";
import { labels as L, managerName } from "../api/meta.ts";
import type { Config } from "./config.ts";
import { controller, startController, type RunningController } from "./controller.ts";
import { newInformer, type Informer } from "./informer.ts";
import { newKube, loadKubeConfig, type Kube, type KubeObject } from "./kube.ts";
import { newElector, type Elector } from "./leader.ts";
import { newMetrics } from "./metrics.ts";
import type { Caches, Ctx } from "./client.ts";
import { reconcileJob } from "./reconcile.ts";
import { handleReport, isReportPath } from "./report.ts";
import { keyOf, resources, type Resource } from "./resources.ts";
import { startServer } from "./server.ts";

/** Deps are the operator's injected world. */
export interface Deps {
  log: Logger;
  now?: () => Date;
  random?: () => number;
}

/** Operator is a running operator. */
export interface Operator {
  port: number;
  kube: Kube;
  caches: Caches;
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** rlJobsInitializedFrom maps an SFTJob to the RLJobs whose initFrom names it. */
function rlJobsInitializedFrom(rl: Informer) {
  return (sft: KubeObject): string[] =>
    rl.list(sft.metadata.namespace)
      .filter((o) => ((o.spec as { initFrom?: { sftJob?: string } } | undefined)?.initFrom?.sftJob) === sft.metadata.name)
      .map((o) => keyOf(o.metadata.namespace, o.metadata.name));
}

/** podToJob maps a worker pod to its job's key through the labels the gang stamps on pods. */
function podToJob(kind: string) {
  return (pod: KubeObject): string[] => {
    const l = pod.metadata.labels ?? {};
    return l[L.jobKind] === kind && l[L.jobName] !== undefined ? [keyOf(pod.metadata.namespace, l[L.jobName])] : [];
  };
}

/** startOperator runs the operator until stop(). */
export async function startOperator(cfg: Config, deps: Deps): Promise<Operator> {
  const log = deps.log;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const kube = await newKube(loadKubeConfig(cfg.kubeconfig));
  const owned = `${L.managedBy}=${managerName}`;
  const inf = (resource: Resource, labelSelector?: string): Informer =>
    newInformer({ kube, resource, namespace: cfg.namespace, log, random, resyncMs: cfg.resyncSeconds * 1000, ...(labelSelector !== undefined ? { labelSelector } : {}) });
  const caches: Caches = { SFTJob: inf(resources.SFTJob), RLJob: inf(resources.RLJob), Job: inf(resources.Job, owned), Secret: inf(resources.Secret, owned), Pod: inf(resources.Pod, owned) };
  const informerFor = (r: Resource): Informer => {
    const i = Object.values(caches).find((c) => c.resource === r);
    if (i === undefined) throw new Error(`no informer for ${r.plural}`);
    return i;
  };
  let synced = false;
  const running: RunningController[] = [];
  const metrics = newMetrics({
    queueDepth: () => Object.fromEntries(running.map((c) => [c.name, c.queue.depth()])),
    jobsByPhase: () => {
      const out: { kind: string; phase: string; n: number }[] = [];
      for (const kind of ["SFTJob", "RLJob"] as const) {
        const counts = new Map<string, number>();
        for (const o of caches[kind].list()) {
          const p = (o.status as { phase?: string } | undefined)?.phase ?? "Pending";
          counts.set(p, (counts.get(p) ?? 0) + 1);
        }
        for (const [phase, n] of counts) out.push({ kind, phase, n });
      }
      return out;
    },
    apiWrites: () => kube.writes(),
  });
  const advertised = (port: number): string => `http://${cfg.metricsHost === "0.0.0.0" ? (process.env.POD_IP ?? "127.0.0.1") : cfg.metricsHost}:${port}`;
  const base = cfg.reportUrl ?? advertised(cfg.metricsPort ?? 8080);
  const ctx: Ctx = {
    kube, caches, log, now, image: cfg.image, reportBaseUrl: base,
    newToken: () => randomBytes(24).toString("base64url"),
    onRestart: (kind, reason) => metrics.restarts.inc({ kind, reason }),
  };
  const { server, port } = await startServer({
    host: cfg.metricsHost, port: cfg.metricsPort, metrics, log, ready: () => synced,
    reports: (req, res) => {
      if (!isReportPath((req.url ?? "").split("?")[0])) return false;
      handleReport(ctx, req, res).catch((err: Error) => {
        log.error({ err: err.message }, "Report handler failed");
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "internal error" }));
      });
      return true;
    },
  });
  // With port 0 the advertised URL follows the port actually bound.
  if (cfg.reportUrl === undefined) ctx.reportBaseUrl = advertised(port);

  const configs = [
    controller("sftjob").for(resources.SFTJob).owns(resources.Job).owns(resources.Secret).watches(resources.Pod, podToJob("SFTJob")).reconcile((key) => reconcileJob(ctx, "SFTJob", key)),
    controller("rljob").for(resources.RLJob).owns(resources.Job).owns(resources.Secret).watches(resources.Pod, podToJob("RLJob"))
      .watches(resources.SFTJob, rlJobsInitializedFrom(caches.RLJob))
      .reconcile((key) => reconcileJob(ctx, "RLJob", key)),
  ];
  const sweep = cron.createTask(cfg.sweepCron, () => {
    // The sweep re-checks every job's TTL and progress deadline, in case a timed requeue was lost.
    for (const c of running) {
      const kind = c.name === "sftjob" ? "SFTJob" : "RLJob";
      for (const o of caches[kind].list()) c.queue.add(keyOf(o.metadata.namespace, o.metadata.name));
    }
  }, { name: "temper-sweep", noOverlap: true });

  let stopping = false;
  const startControllers = (): void => {
    if (running.length > 0 || stopping) return;
    for (const cfgC of configs) {
      running.push(startController(cfgC, informerFor, log, {
        concurrency: cfg.concurrency,
        onOutcome: (key, outcome, ms, err) => {
          metrics.reconcileDuration.observe({ controller: cfgC.name, outcome }, ms / 1000);
          if (outcome === "error" || outcome === "terminal") {
            metrics.reconcileErrors.inc({ controller: cfgC.name });
            log.warn({ controller: cfgC.name, key, err: (err as Error | undefined)?.message }, outcome === "error" ? "Reconcile failed; will retry" : "Reconcile failed for good");
          }
        },
      }));
    }
    // Listing every key once on start is the level-triggered catch-up after a restart or failover.
    for (const c of running) {
      const kind = c.name === "sftjob" ? "SFTJob" : "RLJob";
      for (const o of caches[kind].list()) c.queue.add(keyOf(o.metadata.namespace, o.metadata.name));
    }
    void sweep.start();
  };
  const stopControllers = async (): Promise<void> => {
    void sweep.stop();
    await Promise.all(running.splice(0).map((c) => c.stop()));
  };

  for (const i of Object.values(caches)) i.start();
  await Promise.all(Object.values(caches).map((i) => i.synced()));
  synced = true;
  log.info({ namespace: cfg.namespace === "" ? "(all)" : cfg.namespace }, "Synced caches");

  let elector: Elector | undefined;
  if (cfg.leaderElect) {
    elector = newElector({
      kube, namespace: cfg.leaseNamespace, name: cfg.leaseName, identity: cfg.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
      log, now, leaseDurationMs: cfg.leaseDurationSeconds * 1000, renewDeadlineMs: cfg.renewDeadlineSeconds * 1000, retryPeriodMs: cfg.retryPeriodSeconds * 1000,
      onStartedLeading: startControllers,
      onStoppedLeading: () => void stopControllers(),
    });
    elector.start();
  } else startControllers();

  return {
    port,
    kube,
    caches,
    isLeader: () => running.length > 0,
    async stop() {
      stopping = true;
      await stopControllers();
      sweep.destroy();
      await elector?.stop();
      for (const i of Object.values(caches)) i.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      log.info({}, "Stopped operator");
    },
  };
}
