// The trainer's report client against a real HTTP server standing in for the operator's endpoint.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { reportHooks, sendReport } from "./report-client.ts";

const report = { attempt: 2, stage: "s1", stageIndex: 0, epoch: 1, epochs: 3, temperature: 0.6, entropy: 0.2, entropyCurve: [{ temperature: 0.7, entropy: 0.26 }], reward: 0.4, final: false };

async function server(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const s = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/reports/v1/namespaces/ns/rljobs/a`, close: () => s.close() };
}

function tokenFile(token: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "token-")), "token");
  writeFileSync(p, `${token}\n`);
  return p;
}

test("posts the report with the bearer token and returns the next temperature", async () => {
  let seen: { auth?: string; body?: unknown } = {};
  const s = await server((req, body, res) => {
    seen = { auth: req.headers.authorization, body: JSON.parse(body) };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ temperature: 0.7, reason: "entropy below target" }));
  });
  const reply = await sendReport({ url: s.url, tokenFile: tokenFile("sekret"), attempt: 2 }, report);
  s.close();
  assert.deepEqual(reply, { temperature: 0.7, reason: "entropy below target", replay: false });
  assert.equal(seen.auth, "Bearer sekret");
  assert.equal((seen.body as { entropy: number }).entropy, 0.2);
});

test("retries while the operator is unavailable, then succeeds", async () => {
  let calls = 0;
  const s = await server((_req, _body, res) => {
    calls++;
    if (calls < 3) res.writeHead(503).end("restarting");
    else res.writeHead(200).end(JSON.stringify({ temperature: 0.65, reason: "held" }));
  });
  const reply = await sendReport({ url: s.url, tokenFile: tokenFile("t"), attempt: 1 }, report, { baseDelayMs: 5, random: () => 1 });
  s.close();
  assert.equal(calls, 3);
  assert.equal(reply?.temperature, 0.65);
});

test("gives up on a rejected report without retrying, and says why", async () => {
  let calls = 0;
  const events: Record<string, unknown>[] = [];
  const s = await server((_req, _body, res) => {
    calls++;
    res.writeHead(400).end('{"message":"entropy: too big"}');
  });
  const reply = await sendReport({ url: s.url, tokenFile: tokenFile("t"), attempt: 1 }, report, { baseDelayMs: 5, log: (e) => events.push(e) });
  s.close();
  assert.equal(reply, undefined);
  assert.equal(calls, 1);
  assert.equal(events[0]?.event, "report-rejected");
  assert.match(String(events[0]?.error), /entropy: too big/);
});

test("gives up after the retry budget when nothing answers", async () => {
  const s = await server(() => {});
  const url = s.url;
  s.close();
  const events: Record<string, unknown>[] = [];
  const reply = await sendReport({ url, tokenFile: tokenFile("t"), attempt: 1 }, report, { retries: 2, baseDelayMs: 5, log: (e) => events.push(e) });
  assert.equal(reply, undefined);
  assert.equal(events.filter((e) => e.event === "report-retry").length, 2);
  assert.equal(events.at(-1)?.event, "report-failed");
});

test("refuses to send a report that breaks the protocol", async () => {
  await assert.rejects(() => sendReport({ url: "http://127.0.0.1:1/", tokenFile: "/nonexistent", attempt: 1 }, { ...report, epoch: 0 }), /epoch/);
});

test("maps the SFT loop's epoch onto the protocol, leaving out figures not measured", async () => {
  const { epochReportOfSft } = await import("./report-client.ts");
  const r = epochReportOfSft({ epoch: 2, epochs: 5, step: 40, loss: 0.5, accuracy: NaN, tokensPerSecond: 3000, checkpoint: "/checkpoints/step-000040", final: false }, 3);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), { attempt: 3, stage: "sft", stageIndex: 0, epoch: 2, epochs: 5, checkpoint: "/checkpoints/step-000040", final: false, loss: 0.5, tokensPerSecond: 3000 });
});

test("RL hooks send the entropy curve and hand the operator's temperature to the loop", async () => {
  const { reportHooks } = await import("./report-client.ts");
  let sent: { entropyCurve?: unknown; temperature?: number } = {};
  const s = await server((_req, body, res) => {
    sent = JSON.parse(body);
    res.writeHead(200).end(JSON.stringify({ temperature: 0.75, reason: "raised" }));
  });
  const hooks = reportHooks({ url: s.url, tokenFile: tokenFile("t"), attempt: 1 });
  const next = await hooks.onRlEpoch?.({ stage: "s1", stageIndex: 0, epoch: 1, epochs: 2, step: 3, temperature: 0.7, entropy: 0.21, entropyCurve: [{ temperature: 0.6, entropy: 0.15 }, { temperature: 0.8, entropy: 0.28 }], reward: 0.3, accuracy: NaN, responseLength: 30, truncationRate: 0.1, activePrompts: 16, final: false });
  s.close();
  assert.deepEqual(next, { temperature: 0.75 });
  assert.equal(sent.temperature, 0.7);
  assert.deepEqual(sent.entropyCurve, [{ temperature: 0.6, entropy: 0.15 }, { temperature: 0.8, entropy: 0.28 }]);
  assert.deepEqual(reportHooks(undefined), {});
});

test("every report of a run started with a sandbox report carries it, so a degraded sandbox reaches the operator", async () => {
  const bodies: { sandbox?: unknown }[] = [];
  const s = await server((_req, body, res) => {
    bodies.push(JSON.parse(body) as { sandbox?: unknown });
    res.writeHead(200).end(JSON.stringify({ temperature: 0.7, reason: "ok" }));
  });
  const target = { url: s.url, tokenFile: tokenFile("t"), attempt: 1 };
  const sandbox = { isolation: "None" as const, reason: "no network namespace as uid 1000: user namespaces are disabled" };
  const epoch = { epoch: 1, epochs: 2, step: 4, loss: 1.5, tokensPerSecond: 100, final: false };
  await reportHooks(target, {}, sandbox).onSftEpoch?.(epoch);
  await reportHooks(target, {}).onSftEpoch?.(epoch);
  s.close();
  assert.deepEqual(bodies.map((b) => b.sandbox), [sandbox, undefined]);
});
