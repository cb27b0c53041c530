// A raw HTTPS client for tests that speak to an API server directly: JSON requests with the
// cluster's CA and bearer token, and watch streams read event by event.
import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";

/** Endpoint is where and how to reach an API server. */
export interface Endpoint {
  url: string;
  token: string;
  caPem: string;
}

/** Reply is one HTTP answer with its body parsed as JSON when it is JSON. */
export interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

function open(ep: Endpoint, method: string, path: string, headers: Record<string, string>, payload?: string | Buffer): Promise<IncomingMessage> {
  const u = new URL(path, ep.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(u, { method, ca: ep.caPem, headers: { Authorization: `Bearer ${ep.token}`, ...headers } }, resolve);
    req.on("error", reject);
    req.end(payload);
  });
}

/** call sends one request; a non-string body is sent as JSON (or contentType when given). */
export async function call(ep: Endpoint, method: string, path: string, body?: unknown, contentType = "application/json", headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === "string" ? body : JSON.stringify(body);
  const sized: Record<string, string> = payload === undefined ? {} : { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(payload)) };
  const res = await open(ep, method, path, { ...sized, ...headers }, payload);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode ?? 0, headers: res.headers, text, body: parsed };
}

/** WatchEvent is one line of a watch stream. */
export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

/** Watch is an open watch stream: next() waits for the next event (or undefined at the end). */
export interface Watch {
  status: number;
  next(timeoutMs?: number): Promise<WatchEvent | undefined>;
  close(): void;
}

/** watch opens a watch request and yields its events as they arrive. */
export async function watch(ep: Endpoint, path: string, headers: Record<string, string> = {}): Promise<Watch> {
  const res = await open(ep, "GET", path, headers);
  const queue: WatchEvent[] = [];
  const waiters: ((e: WatchEvent | undefined) => void)[] = [];
  let ended = false;
  let buf = "";
  const push = (e: WatchEvent | undefined): void => {
    const w = waiters.shift();
    if (w !== undefined) w(e);
    else if (e !== undefined) queue.push(e);
  };
  res.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim() !== "") push(JSON.parse(line) as WatchEvent);
    }
  });
  res.on("close", () => {
    ended = true;
    while (waiters.length > 0) push(undefined);
  });
  return {
    status: res.statusCode ?? 0,
    next(timeoutMs = 5000) {
      const e = queue.shift();
      if (e !== undefined || ended) return Promise.resolve(e);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((ev) => {
          clearTimeout(t);
          resolve(ev);
        });
      });
    },
    close() {
      res.destroy();
    },
  };
}
