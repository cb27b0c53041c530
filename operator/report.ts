// report: the HTTP handler of the trainer→operator report endpoint,
// POST /reports/v1/namespaces/NS/{sftjobs|rljobs}/NAME. It checks the bearer token against the
// job's Secret, validates the EpochReport with zod (400 names the field), records it in status
// (and the progress time on the attempt's Job), and only then replies. Replays write nothing.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EpochReport } from "../api/report.ts";
import { parseJob, type JobKind } from "./job.ts";
import { isConflict, type KubeObject } from "./kube.ts";
import { gangJobName, tokenSecretName } from "./names.ts";
import { patchStatus, lastReportAnnotation, type Ctx } from "./reconcile.ts";
import { recordReport } from "./record.ts";
import { keyOf, objectPath, resources } from "./resources.ts";

const route = /^\/reports\/v1\/namespaces\/([a-z0-9-]{1,63})\/(sftjobs|rljobs)\/([a-z0-9.-]{1,253})$/;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tokenMatches(secret: KubeObject | undefined, header: string | undefined): boolean {
  const want = (secret?.data as Record<string, string> | undefined)?.token;
  const got = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  if (want === undefined || got === undefined) return false;
  const a = Buffer.from(want, "base64");
  const b = Buffer.from(got, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** isReportPath says whether a request path is the report endpoint's. */
export function isReportPath(path: string): boolean {
  return route.test(path);
}

/** handleReport serves one report request. */
export async function handleReport(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const m = route.exec((req.url ?? "").split("?")[0]);
  if (m === null) return send(res, 404, { error: "not found" });
  if (req.method !== "POST") return send(res, 405, { error: "use POST" });
  const [, ns, plural, name] = m;
  const kind: JobKind = plural === "sftjobs" ? "SFTJob" : "RLJob";
  const key = keyOf(ns, name);
  if (ctx.caches[kind].get(key) === undefined) return send(res, 404, { error: `${kind} ${key} not found` });
  if (!tokenMatches(ctx.caches.Secret.get(keyOf(ns, tokenSecretName(name))), req.headers.authorization)) return send(res, 401, { error: "bad or missing bearer token" });
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return send(res, 400, { error: `body is not JSON: ${(err as Error).message}` });
  }
  const parsed = EpochReport.safeParse(body);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return send(res, 400, { error: "invalid report", field: i?.path.join(".") ?? "", message: i?.message ?? "" });
  }
  const report = parsed.data;
  // A conflicting status write means our cached copy was stale: read it fresh and decide again.
  let raw: KubeObject | undefined = ctx.caches[kind].get(key);
  for (let i = 0; i < 4 && raw !== undefined; i++) {
    const p = parseJob(kind, raw);
    if (!p.ok) return send(res, 409, { error: `job cannot be parsed: ${p.error}` });
    const job = p.job;
    if (job.status.phase === "Succeeded" || job.status.phase === "Failed") return send(res, 409, { error: `job is ${job.status.phase}` });
    if (report.attempt < (job.status.attempt ?? 0)) return send(res, 409, { error: `attempt ${report.attempt} was replaced by attempt ${job.status.attempt}` });
    const rec = recordReport(job, report);
    if (rec.status === undefined) return send(res, 200, rec.reply);
    try {
      await patchStatus(ctx, job, rec.status);
    } catch (err) {
      if (!isConflict(err)) throw err;
      raw = await ctx.kube.request<KubeObject>("GET", objectPath(resources[kind], ns, name));
      continue;
    }
    await markProgress(ctx, ns, gangJobName(name, report.attempt));
    ctx.log.info({ [kind.toLowerCase()]: key, attempt: report.attempt, stage: report.stage, epoch: report.epoch, temperature: rec.reply.temperature }, "Recorded epoch report");
    return send(res, 200, rec.reply);
  }
  send(res, 503, { error: "status kept changing; retry" });
}

async function markProgress(ctx: Ctx, ns: string, jobName: string): Promise<void> {
  try {
    await ctx.kube.request("PATCH", objectPath(resources.Job, ns, jobName), { metadata: { annotations: { [lastReportAnnotation]: ctx.now().toISOString() } } }, "application/merge-patch+json");
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, job: jobName }, "Failed to mark progress on Job");
  }
}
