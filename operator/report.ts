// report: the HTTP handler of the trainer→operator report endpoint,
// POST /reports/v1/namespaces/NS/{sftjobs|rljobs}/NAME (the route is api/report.ts's). It checks
// the bearer token against the job's Secret, validates the EpochReport with zod, records it in
// status (and the progress time on the attempt's Job), and only then replies. Replays write
// nothing. It fails as the API server does, with a metav1 Status (api/status.ts): 404 NotFound,
// 405 MethodNotAllowed, 401 Unauthorized, 400 BadRequest (not JSON), 413 RequestEntityTooLarge,
// 422 Invalid with one cause per bad field, 409 Conflict (job finished, attempt replaced), 503
// ServiceUnavailable (status kept changing) and 500 InternalError.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "../api/body.ts";
import { annotations, group } from "../api/meta.ts";
import { EpochReport, parseReportPath, type ReportedJob, type ReportReply } from "../api/report.ts";
import { badRequest, conflict, fieldCauses, invalid, methodNotAllowed, notFound, pageNotFound, serviceUnavailable, StatusError, unauthorized, type Target } from "../api/status.ts";
import { patchStatus, recordEvent, type Ctx } from "./client.ts";
import { parseJob } from "./job.ts";
import { isConflict, type KubeObject } from "./kube.ts";
import { gangJobName, tokenSecretName } from "./names.ts";
import { recordReport } from "./record.ts";
import { keyOf, objectPath, resources } from "./resources.ts";

/** maxReportBytes bounds a report body; a real one is a few hundred bytes. */
const maxReportBytes = 1 << 20;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
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
  return parseReportPath(path) !== undefined;
}

/** handleReport serves one report request; it never rejects, every failure is answered as a Status. */
export async function handleReport(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    send(res, 200, await serveReport(ctx, req));
  } catch (err) {
    if (err instanceof StatusError) return send(res, err.code, err.status());
    ctx.log.error({ err: (err as Error).message }, "Report handler failed");
    const internal = new StatusError(500, "InternalError", `Internal error occurred: ${(err as Error).message}`);
    send(res, internal.code, internal.status());
  }
}

/** serveReport checks, parses and records one report and returns the reply; failures throw StatusErrors. */
async function serveReport(ctx: Ctx, req: IncomingMessage): Promise<ReportReply> {
  const path = (req.url ?? "").split("?")[0];
  const job = parseReportPath(path);
  if (job === undefined) throw pageNotFound(path);
  if (req.method !== "POST") throw methodNotAllowed();
  const target: Target = { group, plural: resources[job.kind].plural, name: job.name };
  if (ctx.caches[job.kind].get(keyOf(job.namespace, job.name)) === undefined) throw notFound(target);
  if (!tokenMatches(ctx.caches.Secret.get(keyOf(job.namespace, tokenSecretName(job.name))), req.headers.authorization)) throw unauthorized();
  const report = parseReport(await readBody(req, maxReportBytes), job.name);
  return record(ctx, job, target, report);
}

/** parseReport decodes and validates a report body: 400 when it is not JSON, 422 naming each bad field. */
function parseReport(raw: Buffer, name: string): EpochReport {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw badRequest(`body is not JSON: ${(err as Error).message}`);
  }
  const parsed = EpochReport.safeParse(body);
  if (!parsed.success) throw invalid("", "EpochReport", name, fieldCauses(parsed.error.issues, body));
  return parsed.data;
}

/** record writes report into the job's status and returns the reply; a replay writes nothing. */
async function record(ctx: Ctx, j: ReportedJob, target: Target, report: EpochReport): Promise<ReportReply> {
  const key = keyOf(j.namespace, j.name);
  // A conflicting status write means our cached copy was stale: read it fresh and decide again.
  let raw: KubeObject | undefined = ctx.caches[j.kind].get(key);
  for (let i = 0; i < 4 && raw !== undefined; i++) {
    const p = parseJob(j.kind, raw);
    if (!p.ok) throw conflict(target, `job cannot be parsed: ${p.error}`);
    const job = p.job;
    if (job.status.phase === "Succeeded" || job.status.phase === "Failed") throw conflict(target, `job is ${job.status.phase}`);
    if (report.attempt < (job.status.attempt ?? 0)) throw conflict(target, `attempt ${report.attempt} was replaced by attempt ${job.status.attempt}`);
    const rec = recordReport(job, report, ctx.now().toISOString());
    if (rec.status === undefined) return rec.reply;
    try {
      await patchStatus(ctx, job, rec.status);
    } catch (err) {
      if (!isConflict(err)) throw err;
      raw = await ctx.kube.request<KubeObject>("GET", objectPath(resources[j.kind], j.namespace, j.name));
      continue;
    }
    await markProgress(ctx, j.namespace, gangJobName(j.name, report.attempt));
    for (const e of rec.events) await recordEvent(ctx, job, e);
    ctx.log.info({ [j.kind.toLowerCase()]: key, attempt: report.attempt, stage: report.stage, epoch: report.epoch, temperature: rec.reply.temperature }, "Recorded epoch report");
    return rec.reply;
  }
  throw serviceUnavailable("status kept changing; retry");
}

async function markProgress(ctx: Ctx, ns: string, jobName: string): Promise<void> {
  try {
    await ctx.kube.request("PATCH", objectPath(resources.Job, ns, jobName), { metadata: { annotations: { [annotations.lastReport]: ctx.now().toISOString() } } }, "application/merge-patch+json");
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, job: jobName }, "Failed to mark progress on Job");
  }
}
