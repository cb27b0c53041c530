// The node side of the local cluster: what kube-scheduler, kube-controller-manager (Job and a
// PersistentVolume binder) and the kubelet do on a real cluster, as HTTPS clients of the local
// API server. cluster.ts calls startControllers once the server serves.
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { newClient } from "./client.ts";
import { newRecorder } from "./events.ts";
import { startJobController } from "./jobcontroller.ts";
import type { DecideOptions } from "./jobdecision.ts";
import { startKubelet, type NodeConfig } from "./kubelet.ts";
import { startPvController } from "./pvcontroller.ts";
import { startScheduler } from "./scheduler.ts";

/** trainerImage is the image the operator's pods run; the kubelet maps it to the project's trainer. */
export const trainerImage = "ghcr.io/temper-dev/temper-trainer";

/** defaultNodes is one node with 8 GPUs sized to fit a development gang. */
export const defaultNodes: NodeConfig = { count: 1, gpusPerNode: 8, cpu: "32", memory: "128Gi" };

/** trainerEntryPoints are where the trainer's command line may live in the repository, first found wins. */
export const trainerEntryPoints = ["bin/temper-trainer.ts", "trainer/cli.ts"];

/** defaultImages maps the trainer image (any tag) to the trainer entry point run by this Node. */
export function defaultImages(): Record<string, string[]> {
  const paths = trainerEntryPoints.map((p) => new URL(`../../${p}`, import.meta.url).pathname);
  const trainer = paths.find((p) => existsSync(p)) ?? paths[0];
  return { [trainerImage]: [process.execPath, trainer] };
}

/** ControllerOptions configures startControllers. */
export interface ControllerOptions {
  apiUrl: string;
  token: string;
  caPem: string;
  dataDir: string;
  log: Logger;
  nodes?: NodeConfig;
  /** images adds to (and overrides) defaultImages. */
  images?: Record<string, string[]>;
  now?: () => Date;
  /** restartBackoffBaseMs and jobBackoff shorten Kubernetes' backoffs in tests. */
  restartBackoffBaseMs?: number;
  jobBackoff?: DecideOptions;
}

/** startControllers starts the scheduler, Job controller, PV binder and kubelet; resolves once their caches are loaded. */
export async function startControllers(opts: ControllerOptions): Promise<{ stop(): Promise<void> }> {
  const now = opts.now ?? (() => new Date());
  const random = (): number => randomInt(2 ** 47) / 2 ** 47;
  const client = newClient(opts);
  const log = opts.log;
  const recorder = (component: string, kind: string, apiVersion: string) => newRecorder({ client, log, component, now, random, defaultKind: { apiVersion, kind }, host: component === "kubelet" ? "local" : undefined });
  const kubelet = startKubelet({
    client, log: log.child({ component: "kubelet" }), events: recorder("kubelet", "Pod", "v1"), dataDir: opts.dataDir, apiUrl: opts.apiUrl,
    nodes: opts.nodes ?? defaultNodes, images: { ...defaultImages(), ...(opts.images ?? {}) }, now, restartBackoffBaseMs: opts.restartBackoffBaseMs,
    ipBlock: 1 + Math.floor(random() * 254),
  });
  // Nodes exist before the scheduler's first pass, so pending pods are not reported unschedulable at startup.
  await kubelet.synced;
  const scheduler = startScheduler({ client, log: log.child({ component: "scheduler" }), events: recorder("default-scheduler", "Pod", "v1"), now });
  const jobs = startJobController({ client, log: log.child({ component: "job-controller" }), events: recorder("job-controller", "Job", "batch/v1"), now, decide: opts.jobBackoff });
  const pv = startPvController({ client, log: log.child({ component: "pv-controller" }), events: recorder("persistentvolume-controller", "PersistentVolumeClaim", "v1"), dataDir: opts.dataDir });
  await Promise.all([scheduler.synced, jobs.synced, pv.synced]);
  log.info({ nodes: (opts.nodes ?? defaultNodes).count }, "Started the scheduler, job controller and kubelet");
  return {
    async stop() {
      scheduler.stop();
      jobs.stop();
      pv.stop();
      await kubelet.stop();
      client.close();
    },
  };
}

/** parseImageMap reads --image-map values ("IMAGE=COMMAND ARG...", one image per value) into an images map; throws on a value without "=" or command. */
export function parseImageMap(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const at = v.indexOf("=");
    const argv = v.slice(at + 1).trim().split(/\s+/).filter((a) => a !== "");
    if (at <= 0 || argv.length === 0) throw new Error(`--image-map wants IMAGE=COMMAND [ARGS...], got "${v}"`);
    out[v.slice(0, at)] = argv;
  }
  return out;
}
