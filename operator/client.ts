// client: the world the reconcilers and the report endpoint act through — Ctx (API client,
// informer caches, clock, token source, logger, settings) — and the writes they make with it:
// status patches, Events, and creates and deletes that tolerate a lost race. It decides nothing;
// reconcile.ts and report.ts say what to write.
import type { Logger } from "pino";
import { apiVersion, managerName } from "../api/meta.ts";
import type { JobEvent } from "./decide.ts";
import type { Informer } from "./informer.ts";
import type { JobKind, TemperJob } from "./job.ts";
import { isConflict, isNotFound, type Kube, type KubeObject } from "./kube.ts";
import { collectionPath, objectPath, resources } from "./resources.ts";

/** Caches are the informers the reconcilers read. */
export interface Caches {
  SFTJob: Informer;
  RLJob: Informer;
  Job: Informer;
  Secret: Informer;
  Pod: Informer;
}

/** Ctx is the world a reconciler sees: client, caches, clock, randomness, logger and settings. */
export interface Ctx {
  kube: Kube;
  caches: Caches;
  log: Logger;
  now: () => Date;
  /** newToken returns a fresh report token. */
  newToken: () => string;
  image: string;
  reportBaseUrl: string;
  /** onRestart is told when a gang is replaced (for the restarts metric). */
  onRestart?: (kind: JobKind, reason: string) => void;
}

/** createIgnoringExists creates obj in the collection at path; false when it already existed (a retry, or another replica won). */
export async function createIgnoringExists(ctx: Ctx, path: string, obj: KubeObject): Promise<boolean> {
  try {
    await ctx.kube.request("POST", `${path}?fieldManager=${managerName}`, obj);
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}

/** deleteIgnoringMissing deletes the object at path, its dependents in the background; one already gone is not an error. */
export async function deleteIgnoringMissing(ctx: Ctx, path: string): Promise<void> {
  try {
    await ctx.kube.request("DELETE", path, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** recordEvent creates a core/v1 Event about job. Failures are logged, never retried: Events are best effort. */
export async function recordEvent(ctx: Ctx, job: TemperJob, e: JobEvent): Promise<void> {
  const now = ctx.now().toISOString();
  const body = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { generateName: `${job.name}.`, namespace: job.namespace },
    involvedObject: { apiVersion, kind: job.kind, name: job.name, namespace: job.namespace, uid: job.uid },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: managerName },
    reportingComponent: managerName,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  try {
    await ctx.kube.request("POST", collectionPath(resources.Event, job.namespace), body);
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, reason: e.reason }, "Failed to record Event");
  }
}

/** mergeStatus merge-patches the status subresource of the kind job namespace/name with patch. */
export async function mergeStatus(ctx: Ctx, kind: JobKind, namespace: string, name: string, patch: object): Promise<KubeObject> {
  return ctx.kube.request<KubeObject>("PATCH", objectPath(resources[kind], namespace, name, "status"), patch, "application/merge-patch+json");
}

/** patchStatus writes status with a resourceVersion precondition, so a stale read gets 409 and a retry. */
export async function patchStatus(ctx: Ctx, job: TemperJob, status: unknown): Promise<KubeObject> {
  return mergeStatus(ctx, job.kind, job.namespace, job.name, { metadata: { resourceVersion: job.resourceVersion }, status });
}
