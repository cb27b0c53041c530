// operator: assembles the running operator from its parts — client, informers, the SFTJob and
// RLJob controllers, leader election, the node-cron sweep, and the HTTP server — and takes it
// apart again on stop. Controllers run only while this replica leads; informers and the report
// endpoint run on every replica.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { hostname } from "node:os";
import cron from "node-cron";
import type { Logger } from "pino";
import { labels as L, managerName } from "../api/meta.ts";
import type { Config } from "./config.ts";
import { controller, startController, type ControllerConfig, type RunningController } from "./controller.ts";
import { newInformer, type Informer } from "./informer.ts";
import { newKube, loadKubeConfig, type Kube, type KubeObject } from "./kube.ts";
import { newElector, type Elector } from "./leader.ts";
import { newMetrics, type Metrics } from "./metrics.ts";
import type { Caches, Ctx } from "./client.ts";
import { reconcileJob } from "./reconcile.ts";
import { handleReport, isReportPath } from "./report.ts";
import { keyOf, resources, type Resource } from "./resources.ts";
import { startServer } from "./server.ts";
import type { Outcome } from "./workqueue.ts";

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
  const kube = await newKube(loadKubeConfig(cfg.kubeconfig));
  const caches = newCaches(cfg, kube, log, deps.random ?? Math.random);
  const running: RunningController[] = [];
  const metrics = operatorMetrics(kube, caches, running);
  let synced = false;
  const ctx: Ctx = {
    kube, caches, log, now, image: cfg.image, reportBaseUrl: cfg.reportUrl ?? advertisedUrl(cfg, cfg.metricsPort ?? 8080),
    newToken: () => randomBytes(24).toString("base64url"),
    onRestart: (kind, reason) => metrics.restarts.inc({ kind, reason }),
  };
  const { server, port } = await startServer({ host: cfg.metricsHost, port: cfg.metricsPort, metrics, log, ready: () => synced, reports: reportRoute(ctx) });
  // With port 0 the advertised URL follows the port actually bound.
  if (cfg.reportUrl === undefined) ctx.reportBaseUrl = advertisedUrl(cfg, port);
  const leading = newLeading(cfg, ctx, metrics, running);

  await syncCaches(cfg, caches, log);
  synced = true;
  const elector = cfg.leaderElect ? startElection(cfg, kube, log, now, leading) : undefined;
  if (elector === undefined) leading.start();

  return {
    port,
    kube,
    caches,
    isLeader: () => running.length > 0,
    async stop() {
      await leading.destroy();
      await elector?.stop();
      for (const i of Object.values(caches)) i.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      log.info({}, "Stopped operator");
    },
  };
}

/** newCaches creates (stopped) the informers the controllers read: the two kinds, and the children the operator labels as its own. */
function newCaches(cfg: Config, kube: Kube, log: Logger, random: () => number): Caches {
  const owned = `${L.managedBy}=${managerName}`;
  const inf = (resource: Resource, labelSelector?: string): Informer =>
    newInformer({ kube, resource, namespace: cfg.namespace, log, random, resyncMs: cfg.resyncSeconds * 1000, ...(labelSelector !== undefined ? { labelSelector } : {}) });
  return { SFTJob: inf(resources.SFTJob), RLJob: inf(resources.RLJob), Job: inf(resources.Job, owned), Secret: inf(resources.Secret, owned), Pod: inf(resources.Pod, owned) };
}

/** syncCaches starts every informer and resolves once each has listed. */
async function syncCaches(cfg: Config, caches: Caches, log: Logger): Promise<void> {
  for (const i of Object.values(caches)) i.start();
  await Promise.all(Object.values(caches).map((i) => i.synced()));
  log.info({ namespace: cfg.namespace === "" ? "(all)" : cfg.namespace }, "Synced caches");
}

/** operatorMetrics registers the metrics, with gauges read from the running controllers and the caches at scrape time. */
function operatorMetrics(kube: Kube, caches: Caches, running: RunningController[]): Metrics {
  return newMetrics({
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
}

/** advertisedUrl is the base URL pods reach this replica's server at on port. */
function advertisedUrl(cfg: Config, port: number): string {
  return `http://${cfg.metricsHost === "0.0.0.0" ? (process.env.POD_IP ?? "127.0.0.1") : cfg.metricsHost}:${port}`;
}

/** reportRoute serves the report endpoint's paths and declines every other path. */
function reportRoute(ctx: Ctx) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!isReportPath((req.url ?? "").split("?")[0])) return false;
    // handleReport never rejects: it answers every failure itself, as a metav1 Status.
    void handleReport(ctx, req, res);
    return true;
  };
}

/** controllerConfigs wires the SFTJob and RLJob reconcilers to the events that wake them. */
function controllerConfigs(ctx: Ctx): ControllerConfig[] {
  return [
    controller("sftjob").for(resources.SFTJob).owns(resources.Job).owns(resources.Secret).watches(resources.Pod, podToJob("SFTJob")).reconcile((key) => reconcileJob(ctx, "SFTJob", key)),
    controller("rljob").for(resources.RLJob).owns(resources.Job).owns(resources.Secret).watches(resources.Pod, podToJob("RLJob"))
      .watches(resources.SFTJob, rlJobsInitializedFrom(ctx.caches.RLJob))
      .reconcile((key) => reconcileJob(ctx, "RLJob", key)),
  ];
}

/** Leading is what runs only while this replica leads: the controllers and the sweep. */
interface Leading {
  start(): void;
  stop(): Promise<void>;
  /** destroy stops for good: a later start (a late leadership callback) does nothing. */
  destroy(): Promise<void>;
}

/** newLeading prepares the controllers and the node-cron sweep; running receives the started controllers. */
function newLeading(cfg: Config, ctx: Ctx, metrics: Metrics, running: RunningController[]): Leading {
  const configs = controllerConfigs(ctx);
  // The sweep re-checks every job's TTL and progress deadline, in case a timed requeue was lost.
  const sweep = cron.createTask(cfg.sweepCron, () => enqueueAll(running, ctx.caches), { name: "temper-sweep", noOverlap: true });
  let destroyed = false;
  const stop = async (): Promise<void> => {
    void sweep.stop();
    await Promise.all(running.splice(0).map((c) => c.stop()));
  };
  return {
    start() {
      if (running.length > 0 || destroyed) return;
      for (const c of configs) running.push(startController(c, informerLookup(ctx.caches), ctx.log, { concurrency: cfg.concurrency, onOutcome: outcomeRecorder(c.name, ctx.log, metrics) }));
      // Listing every key once on start is the level-triggered catch-up after a restart or failover.
      enqueueAll(running, ctx.caches);
      void sweep.start();
    },
    stop,
    async destroy() {
      destroyed = true;
      await stop();
      await sweep.destroy();
    },
  };
}

/** informerLookup finds the cache that holds resource r. */
function informerLookup(caches: Caches) {
  return (r: Resource): Informer => {
    const i = Object.values(caches).find((c) => c.resource === r);
    if (i === undefined) throw new Error(`no informer for ${r.plural}`);
    return i;
  };
}

/** outcomeRecorder counts and times each reconcile of one controller, and logs its failures. */
function outcomeRecorder(name: string, log: Logger, metrics: Metrics) {
  return (key: string, outcome: Outcome, ms: number, err?: unknown): void => {
    metrics.reconcileDuration.observe({ controller: name, outcome }, ms / 1000);
    if (outcome === "error" || outcome === "terminal") {
      metrics.reconcileErrors.inc({ controller: name });
      log.warn({ controller: name, key, err: (err as Error | undefined)?.message }, outcome === "error" ? "Reconcile failed; will retry" : "Reconcile failed for good");
    }
  };
}

/** enqueueAll adds the key of every cached job to its controller's queue. */
function enqueueAll(running: RunningController[], caches: Caches): void {
  for (const c of running) {
    const kind = c.name === "sftjob" ? "SFTJob" : "RLJob";
    for (const o of caches[kind].list()) c.queue.add(keyOf(o.metadata.namespace, o.metadata.name));
  }
}

/** startElection campaigns for the lease and runs the controllers while this replica holds it. */
function startElection(cfg: Config, kube: Kube, log: Logger, now: () => Date, leading: Leading): Elector {
  const elector = newElector({
    kube, namespace: cfg.leaseNamespace, name: cfg.leaseName, identity: cfg.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    log, now, leaseDurationMs: cfg.leaseDurationSeconds * 1000, renewDeadlineMs: cfg.renewDeadlineSeconds * 1000, retryPeriodMs: cfg.retryPeriodSeconds * 1000,
    onStartedLeading: () => leading.start(),
    // Fire and forget: stopping only waits for in-flight reconciles (workqueue shutdown never rejects).
    onStoppedLeading: () => void leading.stop(),
  });
  elector.start();
  return elector;
}
