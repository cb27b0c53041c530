// config: the operator's settings from flags and environment, validated with zod at the start.
// Flags win over environment variables; every setting has a default that works on the local
// cluster, so `temper operator --kubeconfig PATH` needs nothing else.
import { parseArgs } from "node:util";
import { z } from "zod";

/** Config is the operator's validated configuration. */
export const Config = z.strictObject({
  kubeconfig: z.string().max(4096).optional().describe("kubeconfig file; in-cluster config when empty."),
  namespace: z.string().max(63).default("").describe("namespace to watch; empty watches all namespaces."),
  image: z.string().min(1).max(512).default("ghcr.io/temper-dev/temper-trainer:0.1.0").describe("default trainer image."),
  concurrency: z.coerce.number().int().min(1).max(64).default(4).describe("concurrent reconciles per controller."),
  leaderElect: z.stringbool().default(true).describe("run leader election (one active replica)."),
  leaseNamespace: z.string().max(63).default("default"),
  leaseName: z.string().max(253).default("temper-operator"),
  identity: z.string().max(253).optional().describe("leader identity; hostname-pid when empty."),
  leaseDurationSeconds: z.coerce.number().min(1).max(600).default(15),
  renewDeadlineSeconds: z.coerce.number().min(1).max(600).default(10),
  retryPeriodSeconds: z.coerce.number().min(0.1).max(600).default(2),
  metricsHost: z.string().max(253).default("127.0.0.1").describe("address of the metrics, health and report server."),
  metricsPort: z.coerce.number().int().min(0).max(65535).optional()
    .describe("port of the metrics, health and report server; default 8080, or a free port when 8080 is taken on a workstation."),
  reportUrl: z.string().max(2048).optional().describe("base URL pods use to reach the report endpoint; default http://METRICS_HOST:PORT."),
  resyncSeconds: z.coerce.number().min(0).max(86400).default(300),
  sweepCron: z.string().max(64).default("*/15 * * * * *").describe("node-cron schedule of the TTL and progress-deadline sweep."),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});
export type Config = z.output<typeof Config>;

const flagNames: Record<string, keyof Config> = {
  kubeconfig: "kubeconfig", namespace: "namespace", image: "image", concurrency: "concurrency",
  "leader-elect": "leaderElect", "lease-namespace": "leaseNamespace", "lease-name": "leaseName", identity: "identity",
  "lease-duration": "leaseDurationSeconds", "renew-deadline": "renewDeadlineSeconds", "retry-period": "retryPeriodSeconds",
  "metrics-host": "metricsHost", "metrics-port": "metricsPort", "report-url": "reportUrl", "resync": "resyncSeconds",
  "sweep-cron": "sweepCron", "log-level": "logLevel",
};

/** parseConfig reads flags (--name value) over environment (TEMPER_NAME) and validates them. */
export function parseConfig(args: string[], env: NodeJS.ProcessEnv): { ok: true; config: Config } | { ok: false; error: string } {
  let values: Record<string, string | undefined>;
  try {
    const p = parseArgs({ args, options: Object.fromEntries(Object.keys(flagNames).map((f) => [f, { type: "string" as const }])), strict: true, allowPositionals: false });
    values = p.values;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const raw: Record<string, string> = {};
  for (const [flag, field] of Object.entries(flagNames)) {
    const fromEnv = env[`TEMPER_${flag.toUpperCase().replace(/-/g, "_")}`];
    const v = values[flag] ?? fromEnv;
    if (v !== undefined && v !== "") raw[field] = v;
  }
  // In a cluster the server must be reachable from worker pods: listen on every address and
  // advertise the pod's own IP unless a report URL (the operator's Service) is given.
  if (env.KUBERNETES_SERVICE_HOST !== undefined && raw.metricsHost === undefined) raw.metricsHost = "0.0.0.0";
  if (raw.kubeconfig === undefined && env.KUBECONFIG !== undefined && env.KUBECONFIG !== "" && env.KUBERNETES_SERVICE_HOST === undefined) raw.kubeconfig = env.KUBECONFIG;
  const r = Config.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, error: `invalid ${i?.path.join(".")}: ${i?.message}` };
  }
  return { ok: true, config: r.data };
}
