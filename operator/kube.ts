// kube: the operator's HTTP client for the Kubernetes API. Credentials, CA and server come from
// @kubernetes/client-node's KubeConfig (a kubeconfig file or the in-cluster service account);
// requests and watch streams are plain node:http(s) so the informer controls every byte of a
// watch (timeouts, aborts, line framing). It is not a typed client: callers parse what they read.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import * as k8s from "@kubernetes/client-node";

/** KubeError is a non-2xx answer from the API server, with the Status reason when it sent one. */
export class KubeError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = "KubeError";
    this.code = code;
    this.reason = reason;
  }
}

/** isNotFound says whether err is a 404 from the API server. */
export const isNotFound = (err: unknown): boolean => err instanceof KubeError && err.code === 404;
/** isConflict says whether err is a 409 (already exists or stale resourceVersion). */
export const isConflict = (err: unknown): boolean => err instanceof KubeError && err.code === 409;

/** KubeObject is any object the API serves; callers parse the parts they use. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** WatchStream is an open watch: lines arrive through onLine; close() aborts it. */
export interface WatchStream {
  /** done resolves when the stream ends for any reason (server close, error, close()). */
  done: Promise<Error | undefined>;
  close(): void;
}

/** Kube is what the operator needs from an API server. */
export interface Kube {
  /** request sends one JSON request and returns the parsed body; non-2xx throws KubeError. */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  /** stream opens a long-lived GET and calls onLine for every newline-terminated line. */
  stream(path: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<WatchStream>;
  /** writes counts the mutating requests sent (for the quiet-minute figure). */
  writes(): number;
}

/** loadKubeConfig reads a kubeconfig file, or the in-cluster service account when path is empty. */
export function loadKubeConfig(path: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path !== undefined && path !== "") kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST !== undefined) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

async function errorFrom(res: IncomingMessage, text: string, method: string, path: string): Promise<KubeError> {
  let reason = "";
  let message = text.slice(0, 500);
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    reason = s.reason ?? "";
    message = s.message ?? message;
  } catch {
    // not a Status; keep the raw text
  }
  return new KubeError(res.statusCode ?? 0, reason, `${method} ${path}: ${res.statusCode} ${reason} ${message}`.trim());
}

/** newKube makes a Kube from a KubeConfig; timeoutMs bounds each plain request. */
export async function newKube(kc: k8s.KubeConfig, timeoutMs = 30_000): Promise<Kube> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error("kubeconfig has no current cluster");
  const base = new URL(cluster.server);
  const secure = base.protocol === "https:";
  let writeCount = 0;

  const options = async (method: string, path: string, headers: Record<string, string>): Promise<RequestOptions> => {
    const opts: RequestOptions & { ca?: unknown; rejectUnauthorized?: boolean } = { method, headers: { Accept: "application/json", ...headers } };
    await kc.applyToHTTPSOptions(opts);
    const u = new URL(base.pathname.replace(/\/$/, "") + path, base);
    opts.protocol = u.protocol;
    opts.hostname = u.hostname;
    opts.port = u.port;
    opts.path = u.pathname + u.search;
    if (!secure) delete opts.agent;
    return opts;
  };
  const open = (opts: RequestOptions, payload?: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(opts, resolve);
      req.on("error", reject);
      req.end(payload);
    });

  return {
    writes: () => writeCount,
    async request<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = payload === undefined ? {} : { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(payload)) };
      if (method !== "GET") writeCount++;
      const opts = await options(method, path, headers);
      opts.timeout = timeoutMs;
      const res = await open(opts, payload);
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      const code = res.statusCode ?? 0;
      if (code < 200 || code >= 300) throw await errorFrom(res, text, method, path);
      return (text === "" ? undefined : JSON.parse(text)) as T;
    },
    async stream(path, onLine, signal) {
      const opts = await options("GET", path, {});
      if (signal !== undefined) opts.signal = signal;
      let req: ReturnType<typeof httpRequest> | undefined;
      let settle: (e: Error | undefined) => void = () => {};
      const done = new Promise<Error | undefined>((r) => (settle = r));
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        req = (secure ? httpsRequest : httpRequest)(opts, resolve);
        req.on("error", (e) => {
          reject(e);
          settle(e);
        });
        req.end();
      });
      const code = res.statusCode ?? 0;
      if (code < 200 || code >= 300) {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        throw await errorFrom(res, Buffer.concat(chunks).toString("utf8"), "GET", path);
      }
      let buf = "";
      res.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim() !== "") onLine(line);
        }
      });
      res.on("error", (e) => settle(e));
      res.on("close", () => settle(undefined));
      return { done, close: () => req?.destroy() };
    },
  };
}
