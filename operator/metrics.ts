// metrics: the operator's Prometheus metrics on its own prom-client registry — queue depth,
// reconcile duration and errors, jobs by phase, gang restarts, API writes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Metrics are the operator's instruments. */
export interface Metrics {
  registry: Registry;
  reconcileDuration: Histogram<"controller" | "outcome">;
  reconcileErrors: Counter<"controller">;
  restarts: Counter<"kind" | "reason">;
  queueDepth: Gauge<"controller">;
  jobsByPhase: Gauge<"kind" | "phase">;
  apiWrites: Gauge;
}

/** newMetrics registers the instruments; collect callbacks fill gauges at scrape time. */
export function newMetrics(collect: { queueDepth: () => Record<string, number>; jobsByPhase: () => { kind: string; phase: string; n: number }[]; apiWrites: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "temper_operator_" });
  const queueDepth = new Gauge({
    name: "temper_workqueue_depth", help: "Keys waiting in each controller's workqueue.", labelNames: ["controller"] as const, registers: [registry],
    collect() {
      for (const [c, n] of Object.entries(collect.queueDepth())) this.set({ controller: c }, n);
    },
  });
  const jobsByPhase = new Gauge({
    name: "temper_jobs", help: "Jobs by kind and phase.", labelNames: ["kind", "phase"] as const, registers: [registry],
    collect() {
      this.reset();
      for (const j of collect.jobsByPhase()) this.inc({ kind: j.kind, phase: j.phase }, j.n);
    },
  });
  const apiWrites = new Gauge({
    name: "temper_api_writes", help: "Mutating API requests sent since start.", registers: [registry],
    collect() {
      this.set(collect.apiWrites());
    },
  });
  return {
    registry,
    queueDepth,
    jobsByPhase,
    apiWrites,
    reconcileDuration: new Histogram({ name: "temper_reconcile_duration_seconds", help: "Duration of reconcile passes.", labelNames: ["controller", "outcome"] as const, registers: [registry] }),
    reconcileErrors: new Counter({ name: "temper_reconcile_errors_total", help: "Reconcile passes that threw.", labelNames: ["controller"] as const, registers: [registry] }),
    restarts: new Counter({ name: "temper_gang_restarts_total", help: "Gangs replaced after a failure or a missed progress deadline.", labelNames: ["kind", "reason"] as const, registers: [registry] }),
  };
}
