// reconcile: the SFTJob and RLJob reconcilers. One function of a key: read the job and its
// children from the informer caches, ask decide() what to do, apply its actions, write status
// once when it changed, record Events. A vanished job returns {}; errors throw and the workqueue
// retries with backoff. The context it runs in and the writes it makes are client.ts's.
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { conditionTypes as C, reasons as R } from "../api/conditions.ts";
import { annotations, group, labels as L } from "../api/meta.ts";
import { unrunnableExitCode } from "../api/report.ts";
import { resumeTemperature } from "../api/temperature-policy.ts";
import { checkpointClaimName, checkpointUri } from "./checkpoint-uri.ts";
import { createIgnoringExists, deleteIgnoringMissing, mergeStatus, patchStatus, recordEvent, type Ctx } from "./client.ts";
import { setCondition } from "./conditions.ts";
import { decide, type Action, type AttemptState, type Observed, type PodSignals } from "./decide.ts";
import { desiredGang, tokenSecret } from "./gang.ts";
import type { Informer } from "./informer.ts";
import { parseJob, type JobKind, type TemperJob } from "./job.ts";
import type { KubeObject } from "./kube.ts";
import { tokenSecretName } from "./names.ts";
import { collectionPath, keyOf, objectPath, resources, splitKey } from "./resources.ts";
import type { Result } from "./workqueue.ts";

/** rbac lists what the reconcilers need, for the chart's ClusterRole. */
export const rbac = [
  { group, resources: ["sftjobs", "rljobs"], verbs: ["get", "list", "watch"] },
  { group, resources: ["sftjobs/status", "rljobs/status"], verbs: ["get", "patch", "update"] },
  { group: "batch", resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete", "patch", "deletecollection"] },
  { group: "", resources: ["services", "secrets", "configmaps", "persistentvolumeclaims"], verbs: ["get", "list", "watch", "create", "delete", "deletecollection"] },
  { group: "", resources: ["pods"], verbs: ["get", "list", "watch"] },
  { group: "", resources: ["events"], verbs: ["create"] },
  { group: "coordination.k8s.io", resources: ["leases"], verbs: ["get", "create", "update"] },
];

function attemptState(o: KubeObject): AttemptState | undefined {
  const attempt = Number(o.metadata.labels?.[L.attempt]);
  if (!Number.isInteger(attempt) || attempt < 1) return undefined;
  const st = (o.status ?? {}) as { active?: number; ready?: number; succeeded?: number; failed?: number; conditions?: { type: string; status: string }[] };
  const cond = (t: string): boolean => st.conditions?.some((c) => c.type === t && c.status === "True") ?? false;
  return {
    attempt,
    name: o.metadata.name,
    created: o.metadata.creationTimestamp ?? new Date(0).toISOString(),
    active: st.active ?? 0,
    ready: st.ready ?? 0,
    succeeded: st.succeeded ?? 0,
    failed: st.failed ?? 0,
    complete: cond("Complete"),
    failedCondition: cond("Failed"),
    deleting: o.metadata.deletionTimestamp !== undefined,
  };
}

/** childrenOf lists the cached children of kind owned by job. */
function childrenOf(cache: Informer, job: TemperJob): KubeObject[] {
  return cache.list(job.namespace).filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === job.uid && r.controller === true));
}

/** podSignals summarises the pods of one attempt (pods are matched by labels: their owner is the batch Job). */
export function podSignals(pods: KubeObject[]): PodSignals | undefined {
  if (pods.length === 0) return undefined;
  let failed = 0;
  let unschedulable: string | undefined;
  let unrunnable: string | undefined;
  let last = 0;
  for (const p of pods) {
    const st = (p.status ?? {}) as { phase?: string; startTime?: string; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[]; containerStatuses?: ContainerStatus[] };
    unrunnable ??= unrunnableOf(st.containerStatuses);
    const running = st.phase === "Running" || st.phase === "Pending";
    if (st.phase === "Failed" || (p.metadata.deletionTimestamp !== undefined && running && st.startTime !== undefined)) failed++;
    for (const c of st.conditions ?? []) {
      if (c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable") unschedulable = c.message ?? "no node fits";
      if (c.lastTransitionTime !== undefined) last = Math.max(last, Date.parse(c.lastTransitionTime));
    }
  }
  return { failed, ...(unschedulable !== undefined ? { unschedulable } : {}), ...(unrunnable !== undefined ? { unrunnable } : {}), ...(last > 0 ? { lastActivity: new Date(last).toISOString() } : {}) };
}

type ContainerStatus = { state?: { terminated?: { exitCode?: number; message?: string } } };

/**
 * unrunnableOf is why a container exited with the trainer's unrunnableExitCode: the last line of
 * its termination message (the trainer's last log line, by FallbackToLogsOnError), or a pointer
 * to the log where the kubelet kept none.
 */
function unrunnableOf(statuses: ContainerStatus[] | undefined): string | undefined {
  const t = statuses?.map((c) => c.state?.terminated).find((x) => x?.exitCode === unrunnableExitCode);
  if (t === undefined) return undefined;
  const line = (t.message ?? "").trim().split("\n").pop()?.replace(/^temper-trainer: /, "") ?? "";
  return (line || `the trainer exited ${unrunnableExitCode}: the job cannot run on this node as specified; its log says why`).slice(0, 1024);
}

/** observe reads what decide needs from the caches. */
export function observe(ctx: Ctx, job: TemperJob): Observed {
  const jobs = childrenOf(ctx.caches.Job, job);
  const attempts = jobs.map(attemptState).filter((a): a is AttemptState => a !== undefined);
  const current = jobs.find((j) => Number(j.metadata.labels?.[L.attempt]) === Math.max(job.status.attempt ?? 0, ...attempts.map((a) => a.attempt)));
  const lastProgress = current?.metadata.annotations?.[annotations.lastReport];
  const secrets = childrenOf(ctx.caches.Secret, job);
  const o: Observed = { attempts, hasChildren: jobs.length > 0 || secrets.length > 0, ...(lastProgress !== undefined ? { lastProgress } : {}) };
  const currentAttempt = current?.metadata.labels?.[L.attempt];
  if (currentAttempt !== undefined) {
    const pods = ctx.caches.Pod.list(job.namespace).filter((p) => {
      const l = p.metadata.labels ?? {};
      return l[L.jobName] === job.name && l[L.jobKind] === job.kind && l[L.attempt] === currentAttempt;
    });
    const signals = podSignals(pods);
    if (signals !== undefined) o.pods = signals;
  }
  if (job.kind === "RLJob" && job.obj.spec.initFrom.sftJob !== undefined) {
    const raw = ctx.caches.SFTJob.get(keyOf(job.namespace, job.obj.spec.initFrom.sftJob));
    const sft = raw === undefined ? undefined : parseJob("SFTJob", raw);
    if (sft === undefined || !sft.ok) o.sftJob = { found: false };
    else {
      const ck = sft.job.status.latestCheckpoint;
      o.sftJob = { found: true, ...(sft.job.status.phase !== undefined ? { phase: sft.job.status.phase } : {}), ...(ck !== undefined ? { checkpoint: checkpointUri(ck, checkpointClaimName(sft.job)) } : {}) };
    }
  }
  return o;
}

async function apply(ctx: Ctx, job: TemperJob, a: Action, log: Logger): Promise<void> {
  const ns = job.namespace;
  if (a.type === "createGang") {
    if (ctx.caches.Secret.get(keyOf(ns, tokenSecretName(job.name))) === undefined) {
      await createIgnoringExists(ctx, collectionPath(resources.Secret, ns), tokenSecret(job, ctx.newToken()));
    }
    const temperature = job.kind === "RLJob" ? resumeTemperature(job.obj.spec, job.status) : undefined;
    const gang = desiredGang(job, a.attempt, {
      image: ctx.image,
      reportBaseUrl: ctx.reportBaseUrl,
      ...(a.resumeFrom !== undefined ? { resumeFrom: a.resumeFrom } : {}),
      ...(a.initCheckpoint !== undefined ? { initCheckpoint: a.initCheckpoint } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    });
    if (gang.claim !== undefined) await createIgnoringExists(ctx, collectionPath(resources.PersistentVolumeClaim, ns), gang.claim);
    await createIgnoringExists(ctx, collectionPath(resources.Service, ns), gang.service);
    await createIgnoringExists(ctx, collectionPath(resources.ConfigMap, ns), gang.configMap);
    if (await createIgnoringExists(ctx, collectionPath(resources.Job, ns), gang.job)) log.info({ attempt: a.attempt, workers: job.obj.spec.workers }, "Created Job");
  } else if (a.type === "deleteAttempts") {
    for (const n of a.attempts) {
      const j = childrenOf(ctx.caches.Job, job).find((o) => o.metadata.labels?.[L.attempt] === String(n));
      if (j !== undefined) {
        await deleteIgnoringMissing(ctx, objectPath(resources.Job, ns, j.metadata.name));
        log.info({ attempt: n }, "Deleted Job");
      }
    }
  } else {
    const sel = `labelSelector=${encodeURIComponent(`${L.jobName}=${job.name},${L.jobKind}=${job.kind}`)}`;
    for (const r of [resources.Job, resources.ConfigMap, resources.Service, resources.Secret]) {
      const list = await ctx.kube.request<{ items: KubeObject[] }>("GET", `${collectionPath(r, ns)}?${sel}`);
      for (const o of list.items) {
        if (o.metadata.ownerReferences?.some((ref) => ref.uid === job.uid)) await deleteIgnoringMissing(ctx, objectPath(r, ns, o.metadata.name));
      }
    }
    log.info({}, "Deleted children after ttlSecondsAfterFinished");
  }
}

/** reconcileJob reconciles one SFTJob or RLJob named by key. */
export async function reconcileJob(ctx: Ctx, kind: JobKind, key: string): Promise<Result> {
  const raw = ctx.caches[kind].get(key);
  if (raw === undefined || raw.metadata.deletionTimestamp !== undefined) return {};
  const parsed = parseJob(kind, raw);
  const { namespace, name } = splitKey(key);
  if (!parsed.ok) {
    // The CRD schema normally rejects this; say so once in status and stop retrying.
    const now = ctx.now().toISOString();
    const gen = raw.metadata.generation ?? 1;
    const prev = ((raw.status ?? {}) as { conditions?: Parameters<typeof setCondition>[0] }).conditions ?? [];
    const msg = `spec cannot be run: ${parsed.error}`;
    const conditions = setCondition(prev, C.Stalled, "True", R.InvalidSpec, msg, gen, now);
    if (!isDeepStrictEqual(conditions.map((c) => ({ ...c, lastTransitionTime: "" })), prev.map((c) => ({ ...c, lastTransitionTime: "" })))) {
      await mergeStatus(ctx, kind, namespace, name, { status: { conditions, message: msg } });
    }
    return {};
  }
  const job = parsed.job;
  const log = ctx.log.child({ [kind.toLowerCase()]: key, attempt: job.status.attempt ?? 0 });
  const d = decide(job, observe(ctx, job), ctx.now().toISOString());
  const logWith = log.child({ attempt: d.status.attempt ?? 0 });
  for (const a of d.actions) await apply(ctx, job, a, logWith);
  if (!isDeepStrictEqual(job.status, d.status)) {
    await patchStatus(ctx, job, d.status);
    if (d.status.phase !== job.status.phase) logWith.info({ from: job.status.phase ?? "", to: d.status.phase }, "Changed phase");
  }
  for (const e of d.events) {
    if (e.reason === R.PodFailed || e.reason === R.ProgressDeadlineExceeded) ctx.onRestart?.(kind, e.reason);
    await recordEvent(ctx, job, e);
  }
  return d.requeueAfterMs === undefined ? {} : { requeueAfterMs: d.requeueAfterMs };
}
