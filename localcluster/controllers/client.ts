// client: the small HTTPS client the node-side controllers use to speak to the API server, as
// kube-scheduler and the kubelet do: bearer token, the cluster's CA, JSON bodies, merge patches,
// and list + watch (newline-delimited JSON) with resourceVersion resume and a relist on 410 Gone.
// It is not a general Kubernetes client: no protobuf, no discovery, paths are given whole. It is
// not the operator's operator/kube.ts either: docs/adr/0003-local-cluster-keeps-its-own-client.md
// says why the two stay apart.
import { Agent, request } from "node:https";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import { KubeObject } from "./types.ts";

/** ApiError is a non-2xx answer: the HTTP code and the Status reason and message. */
class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** Client speaks to one API server. */
export interface Client {
  get<T>(path: string): Promise<T | undefined>;
  list<T>(path: string): Promise<{ items: T[]; resourceVersion: string }>;
  create<T>(path: string, body: unknown): Promise<T>;
  /** patch sends a JSON merge patch. */
  patch<T>(path: string, body: unknown): Promise<T>;
  remove(path: string, body?: unknown): Promise<void>;
  /** watch streams events from resourceVersion until the stream ends or signal aborts; throws ApiError 410 when expired. It returns the last resourceVersion seen. */
  watch(path: string, resourceVersion: string, onEvent: (type: string, obj: unknown) => void, signal: AbortSignal): Promise<string>;
}

/** ClientOptions is how to reach the API server. */
export interface ClientOptions {
  apiUrl: string;
  token: string;
  caPem: string;
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function errorOf(code: number, text: string): ApiError {
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    return new ApiError(code, s.reason ?? "Unknown", s.message ?? text);
  } catch {
    return new ApiError(code, "Unknown", text.slice(0, 200));
  }
}

/** newClient builds a Client over one keep-alive HTTPS agent trusting only the cluster's CA. */
export function newClient(opts: ClientOptions): Client & { close(): void } {
  const agent = new Agent({ keepAlive: true, ca: opts.caPem, maxSockets: 16 });
  const open = (method: string, path: string, body: unknown, contentType: string, signal?: AbortSignal): Promise<IncomingMessage> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${opts.token}`, Accept: "application/json" };
    if (payload !== undefined) {
      headers["Content-Type"] = contentType;
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, opts.apiUrl), { method, agent, headers, signal }, resolve);
      req.on("error", reject);
      req.end(payload);
    });
  };
  const call = async <T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> => {
    const res = await open(method, path, body, contentType);
    const text = await readAll(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorOf(code, text);
    return JSON.parse(text) as T;
  };
  return {
    async get<T>(path: string) {
      try {
        return await call<T>("GET", path);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
    async list<T>(path: string) {
      const out = await call<{ items?: unknown[]; metadata?: { resourceVersion?: string } }>("GET", path);
      const items = (out.items ?? []).map((i) => KubeObject.parse(i) as unknown as T);
      return { items, resourceVersion: out.metadata?.resourceVersion ?? "" };
    },
    create: (path, body) => call("POST", path, body),
    patch: (path, body) => call("PATCH", path, body, "application/merge-patch+json"),
    async remove(path, body) {
      try {
        await call("DELETE", path, body);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    },
    async watch(path, resourceVersion, onEvent, signal) {
      const q = new URLSearchParams({ watch: "true", allowWatchBookmarks: "true", resourceVersion });
      const res = await open("GET", `${path}?${q.toString()}`, undefined, "", signal);
      if ((res.statusCode ?? 0) !== 200) throw errorOf(res.statusCode ?? 0, await readAll(res));
      let rv = resourceVersion;
      let buf = "";
      try {
        for await (const chunk of res) {
          buf += (chunk as Buffer).toString("utf8");
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (line === "") continue;
            const ev = JSON.parse(line) as { type: string; object: { metadata?: { resourceVersion?: string }; code?: number; reason?: string; message?: string } };
            // An ERROR event carries a Status; 410 Expired means the resourceVersion is gone.
            if (ev.type === "ERROR") throw new ApiError(ev.object.code ?? 500, ev.object.reason ?? "Unknown", ev.object.message ?? "watch error");
            rv = ev.object.metadata?.resourceVersion ?? rv;
            if (ev.type !== "BOOKMARK") onEvent(ev.type, KubeObject.parse(ev.object));
          }
        }
      } catch (err) {
        if (signal.aborted) return rv;
        throw err;
      }
      return rv;
    },
    close() {
      agent.destroy();
    },
  };
}

/** Informer keeps a local copy of one collection, kept fresh by list + watch. */
export interface Informer<T> {
  /** items returns the cached objects. */
  items(): T[];
  /** get returns one cached object by "namespace/name". */
  get(key: string): T | undefined;
  /** synced resolves once the first list has been loaded. */
  synced: Promise<void>;
  stop(): void;
}

/** InformerOptions: the collection path and the change callback. */
export interface InformerOptions<T> {
  client: Client;
  path: string;
  log: Logger;
  /** onChange runs after each change with the object that changed (the deleted one for DELETED). */
  onChange: (type: string, obj: T) => void;
}

/** newInformer lists then watches path forever, relisting on 410 Gone and retrying after errors. */
export function newInformer<T extends { metadata: { name: string; namespace?: string } }>(opts: InformerOptions<T>): Informer<T> {
  const cache = new Map<string, T>();
  const ctl = new AbortController();
  const key = (o: T): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((r) => (markSynced = r));
  const relist = async (): Promise<string> => {
    const { items, resourceVersion } = await opts.client.list<T>(opts.path);
    const seen = new Set<string>();
    for (const o of items) {
      seen.add(key(o));
      cache.set(key(o), o);
      opts.onChange("SYNC", o);
    }
    for (const [k, o] of [...cache]) {
      if (!seen.has(k)) {
        cache.delete(k);
        opts.onChange("DELETED", o);
      }
    }
    markSynced();
    return resourceVersion;
  };
  const run = async (): Promise<void> => {
    let rv = "";
    while (!ctl.signal.aborted) {
      try {
        if (rv === "") rv = await relist();
        rv = await opts.client.watch(opts.path, rv, (type, obj) => {
          const o = obj as T;
          if (type === "DELETED") cache.delete(key(o));
          else cache.set(key(o), o);
          opts.onChange(type, o);
        }, ctl.signal);
      } catch (err) {
        if (ctl.signal.aborted) return;
        if (err instanceof ApiError && err.code === 410) {
          opts.log.info({ path: opts.path }, "Relisted after the watch expired");
          rv = "";
          continue;
        }
        opts.log.warn({ path: opts.path, err: String(err) }, "Watch failed; retrying");
        rv = "";
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  void run();
  return {
    items: () => [...cache.values()],
    get: (k) => cache.get(k),
    synced,
    stop: () => ctl.abort(),
  };
}
