// report-client: the trainer's side of the epoch-report protocol (api/report.ts). At each epoch
// end rank 0 POSTs an EpochReport to the operator and, for RL, uses the temperature in the
// reply for the next epoch. The operator may be restarting or failing over when a report is
// due, so transient failures are retried with jittered backoff; replays are safe because the
// operator answers a repeated (attempt, stage, epoch) with the same decision. A report the
// operator rejects (4xx) is logged and training goes on: status lags, the run is not lost.
import { readFile } from "node:fs/promises";
import { EpochReport, ReportReply, type ReportReply as Reply } from "../api/report.ts";
import type { Hooks, WithTest } from "./cli.ts";
import type { RlEpochReport } from "./grpo.ts";
import type { SandboxReport } from "./sandbox/isolation.ts";
import type { SftEpochReport } from "./sft.ts";

/** ReportTarget is where and how to report: the TrainerConfig's report block and attempt. */
export interface ReportTarget {
  url: string;
  tokenFile: string;
  attempt: number;
}

/** ReportOptions tune retries (tests shorten them). */
export interface ReportOptions {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: (event: Record<string, unknown>) => void;
  random?: () => number;
}

const transient = (status: number) => status >= 500 || status === 429 || status === 409;

/**
 * sendReport POSTs one report and returns the operator's reply, or undefined when the operator
 * rejected it or could not be reached within the retry budget; those never throw. A report that
 * breaks the protocol is the trainer's own bug and throws before anything is sent.
 */
export async function sendReport(target: ReportTarget, report: EpochReport, o: ReportOptions = {}): Promise<Reply | undefined> {
  const retries = o.retries ?? 8;
  const base = o.baseDelayMs ?? 500;
  const max = o.maxDelayMs ?? 10_000;
  const random = o.random ?? Math.random;
  const log = o.log ?? (() => {});
  const body = JSON.stringify(EpochReport.parse(report));
  for (let i = 0; ; i++) {
    let why: string;
    try {
      // The token is read at each try: the Secret may be rotated while the pod runs.
      const token = (await readFile(target.tokenFile, "utf8")).trim();
      const res = await fetch(target.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      if (res.ok) {
        const reply = ReportReply.safeParse(JSON.parse(text));
        if (reply.success) return reply.data;
        log({ event: "report-rejected", status: res.status, error: `unexpected reply: ${reply.error.issues[0]?.message}` });
        return undefined;
      }
      if (!transient(res.status)) {
        log({ event: "report-rejected", status: res.status, error: text.slice(0, 500) });
        return undefined;
      }
      why = `HTTP ${res.status}`;
    } catch (err) {
      why = (err as Error).message;
    }
    if (i >= retries) {
      log({ event: "report-failed", error: why, tries: i + 1 });
      return undefined;
    }
    const delay = Math.min(max, base * 2 ** i) * (0.5 + random() / 2);
    log({ event: "report-retry", error: why, inMs: Math.round(delay) });
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** epochReportOfSft maps the SFT loop's epoch report onto the protocol. */
export function epochReportOfSft(r: WithTest<SftEpochReport>, attempt: number): EpochReport {
  return EpochReport.parse({
    attempt, stage: "sft", stageIndex: 0, epoch: r.epoch, epochs: r.epochs, checkpoint: r.checkpoint, final: r.final,
    loss: finite(r.loss), accuracy: finite(r.accuracy), testAccuracy: finite(r.testAccuracy), tokensPerSecond: finite(r.tokensPerSecond),
  });
}

/** epochReportOfRl maps the GRPO loop's epoch report onto the protocol. */
export function epochReportOfRl(r: WithTest<RlEpochReport>, attempt: number): EpochReport {
  return EpochReport.parse({
    attempt, stage: r.stage, stageIndex: r.stageIndex, epoch: r.epoch, epochs: r.epochs, checkpoint: r.checkpoint, final: r.final,
    accuracy: finite(r.accuracy), testAccuracy: finite(r.testAccuracy), temperature: r.temperature, entropy: r.entropy, reward: finite(r.reward),
    responseLength: finite(r.responseLength), truncationRate: finite(r.truncationRate),
    entropyCurve: r.entropyCurve.filter((p) => Number.isFinite(p.entropy) && p.temperature > 0).map((p) => ({ temperature: p.temperature, entropy: p.entropy })),
  });
}

// A figure that was not measured this epoch (NaN) is left out rather than sent.
const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);

/** reportHooks connects a run's epoch ends to the operator, every report carrying sandbox when given; without a target it returns no hooks. */
export function reportHooks(target: ReportTarget | undefined, o: ReportOptions = {}, sandbox?: SandboxReport): Hooks {
  if (target === undefined) return {};
  const stamp = (r: EpochReport): EpochReport => (sandbox === undefined ? r : { ...r, sandbox });
  return {
    onSftEpoch: async (r) => {
      await sendReport(target, stamp(epochReportOfSft(r, target.attempt)), o);
    },
    onRlEpoch: async (r) => {
      const reply = await sendReport(target, stamp(epochReportOfRl(r, target.attempt)), o);
      return reply?.temperature === undefined ? undefined : { temperature: reply.temperature };
    },
  };
}
