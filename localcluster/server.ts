// The HTTPS front of the local API server: bearer-token auth, the non-resource endpoints
// (/version, /healthz, discovery, OpenAPI) and the REST verbs on resource paths, answering
// every failure as a Status object. The resource rules themselves live in api.ts.
import { createServer as createHttpsServer, type Server } from "node:https";
import type { Duplex } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { readBody } from "../api/body.ts";
import type { Api, WriteOptions, DeleteOptions } from "./api.ts";
import { decodeBody, maxBody } from "./body.ts";
import { aggregatedDiscovery, AGGREGATED_TYPE, legacyApi, legacyApis, legacyGroup, resourceList, wantsAggregated } from "./discovery.ts";
import { ApiError, badRequest, methodNotAllowed, pageNotFound, unauthorized } from "./errors.ts";
import { serveLog } from "./logs.ts";
import { groupVersionDocument, openapiIndex } from "./openapi.ts";
import { resolveRoute, splitGroupVersion, type ResourceRoute } from "./routes.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { toTable, wantsTable } from "./table.ts";
import { apiVersionOf, type Obj } from "./types.ts";
import { startWatchStream, writeWatchError, type WatchHub } from "./watch.ts";
import type { FieldValidation } from "./admission.ts";

/** ServerOptions configures the HTTP layer. */
export interface ServerOptions {
  api: Api;
  hub: WatchHub;
  token: string;
  certPem: string;
  keyPem: string;
  dataDir: string;
  log: Logger;
  /** version is the /version answer (its minor picks the kubectl binary on some machines). */
  version: { major: string; minor: string; gitVersion: string };
  bookmarkIntervalMs: number;
  maxWatchSeconds: number;
  /** now is the clock tables render ages against. */
  now: () => number;
}

function send(res: ServerResponse, code: number, body: Obj, contentType = "application/json", warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { "Content-Type": contentType, "Cache-Control": "no-cache, private" };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
}

function writeOptions(q: URLSearchParams, subresource?: string): WriteOptions {
  return {
    dryRun: q.getAll("dryRun").includes("All"),
    fieldManager: q.get("fieldManager") ?? undefined,
    fieldValidation: fieldValidationOf(q),
    force: q.get("force") === "true",
    subresource,
  };
}

interface Continue {
  after: string;
}

function keyOf(o: Obj): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

/** newServer builds the HTTPS server; call listen on it. */
export function newServer(opts: ServerOptions): Server {
  const { log } = opts;
  const server = createHttpsServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => {
    log.debug({ method: req.method, url: req.url }, "Received a request");
    handle(opts, req, res).catch((err: unknown) => {
      const e = err instanceof ApiError ? err : new ApiError(500, "InternalError", `Internal error occurred: ${(err as Error).message}`);
      if (e.code >= 500) log.error({ err, method: req.method, url: req.url }, "Failed a request");
      if (res.headersSent) res.end();
      else send(res, e.code, e.status());
    });
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
  return server;
}

/**
 * answerClientError answers a request Node's parser refused before any handler saw it, as the
 * API server does: a request line or headers over the limit (a 100 KB label selector) get 431
 * with a Status body, anything else 400; the connection is then closed, never just reset.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const e = tooLarge
    ? new ApiError(431, "RequestHeaderFieldsTooLarge", "the request's URL or headers are too large: send a shorter label or field selector")
    : new ApiError(400, "BadRequest", `the request could not be parsed: ${err.code ?? err.message}`);
  const body = JSON.stringify(e.status());
  socket.end(`HTTP/1.1 ${e.code} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** handle serves one request: health, version and discovery paths, OpenAPI, then resources. */
async function handle(opts: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { api } = opts;
  const url = new URL(req.url ?? "/", "https://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (["/healthz", "/readyz", "/livez"].includes(path)) {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    return;
  }
  if (path === "/version") return send(res, 200, { ...opts.version, gitCommit: "0000000000000000000000000000000000000000", gitTreeState: "clean", buildDate: "2026-01-01T00:00:00Z", goVersion: "go1.23", compiler: "gc", platform: "linux/amd64" });
  if (req.headers.authorization !== `Bearer ${opts.token}`) throw unauthorized();
  if (path === "/api" || path === "/apis") {
    if (wantsAggregated(String(req.headers.accept ?? ""))) return send(res, 200, aggregatedDiscovery(api.registry, path === "/api"), AGGREGATED_TYPE);
    return send(res, 200, path === "/api" ? legacyApi() : legacyApis(api.registry));
  }
  if (path.startsWith("/openapi/")) return openapi(opts, res, path);
  const gv = splitGroupVersion(path);
  if (gv === undefined) {
    const group = /^\/apis\/([^/]+)$/.exec(path);
    const g = group ? legacyGroup(api.registry, group[1]) : undefined;
    if (g !== undefined) return send(res, 200, g);
    throw pageNotFound(path);
  }
  if (gv.rest.length === 0) {
    const list = resourceList(api.registry, gv.group, gv.version);
    if (list === undefined) throw pageNotFound(path);
    return send(res, 200, list);
  }
  const route = resolveRoute(api.registry, gv);
  if (route === undefined) throw pageNotFound(path);
  return resource(opts, req, res, route, url.searchParams);
}

/** openapi serves the OpenAPI v3 index and each group-version's document. */
function openapi(opts: ServerOptions, res: ServerResponse, path: string): void {
  const { api } = opts;
  if (path === "/openapi/v3") return send(res, 200, openapiIndex(api.registry, api.builtinSchemas));
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  const doc = m === null ? undefined : m[1] !== undefined ? groupVersionDocument(api.registry, "", m[1], api.builtinSchemas) : groupVersionDocument(api.registry, m[2], m[3], api.builtinSchemas);
  if (doc === undefined) throw pageNotFound(path);
  send(res, 200, doc);
}

/** resource serves a resource path: list, watch, create and delete-collection on a collection; get, update, patch, delete and the log and binding subresources on an object. */
async function resource(opts: ServerOptions, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): Promise<void> {
  const { api } = opts;
  const { rt, namespace, name, subresource } = route;
  const method = req.method ?? "GET";
  if (subresource !== undefined && !(subresource === "status" && rt.hasStatus) && !rt.extraSubresources.includes(subresource)) throw pageNotFound(req.url ?? "");
  if (name === undefined) {
    if (method === "GET") return q.get("watch") === "true" || q.get("watch") === "1" ? watch(opts, req, res, route, q) : listObjects(opts, req, res, route, q);
    if (method === "POST") {
      if (route.allNamespaces && rt.namespaced) throw methodNotAllowed();
      const body = decodeBody(await readBody(req, maxBody), String(req.headers["content-type"] ?? ""));
      const r = api.create(rt, namespace, body, writeOptions(q));
      return send(res, r.code, r.object, "application/json", r.warnings);
    }
    if (method === "DELETE") return deleteCollection(opts, req, res, route, q);
    throw methodNotAllowed();
  }
  if (subresource === "log") {
    const pod = api.get(rt, namespace, name);
    return serveLog(res, opts.dataDir, pod, {
      container: q.get("container"),
      previous: q.get("previous") === "true",
      follow: q.get("follow") === "true",
      tailLines: q.has("tailLines") ? Number(q.get("tailLines")) : undefined,
      limitBytes: q.has("limitBytes") ? Number(q.get("limitBytes")) : undefined,
    }, () => api.store.get(api.bucket(rt), namespace, name));
  }
  if (subresource === "binding") {
    if (method !== "POST") throw methodNotAllowed();
    const binding = decodeBody(await readBody(req, maxBody), String(req.headers["content-type"] ?? "")) as Obj | undefined;
    api.bind(rt, namespace, name, String(binding?.target?.name ?? ""));
    return send(res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  }
  if (method === "GET") {
    const o = api.get(rt, namespace, name);
    if (wantsTable(String(req.headers.accept ?? ""))) return send(res, 200, toTable(rt, [o], o.metadata.resourceVersion, { includeObject: q.get("includeObject") === "Object", now: opts.now(), withHeader: true }));
    return send(res, 200, o);
  }
  const body = decodeBody(await readBody(req, maxBody), String(req.headers["content-type"] ?? ""));
  if (method === "PUT") {
    const r = api.update(rt, namespace, name, body, writeOptions(q, subresource));
    return send(res, r.code, r.object, "application/json", r.warnings);
  }
  if (method === "PATCH") {
    const r = api.patch(rt, namespace, name, String(req.headers["content-type"] ?? ""), body, writeOptions(q, subresource));
    return send(res, r.code, r.object, "application/json", r.warnings);
  }
  if (method === "DELETE") {
    const d = (body ?? {}) as DeleteOptions;
    if (q.getAll("dryRun").includes("All")) d.dryRun = ["All"];
    if (q.has("propagationPolicy")) d.propagationPolicy = q.get("propagationPolicy") as DeleteOptions["propagationPolicy"];
    const r = api.delete(rt, namespace, name, d);
    return send(res, r.code, r.object);
  }
  throw methodNotAllowed();
}

/** matching is the namespace, label and field selector filter of a list or watch. */
function matching(route: ResourceRoute, q: URLSearchParams): (o: Obj) => boolean {
  const labels = parseLabelSelector(q.get("labelSelector"));
  const fields = parseFieldSelector(q.get("fieldSelector"));
  const ns = route.rt.namespaced && !route.allNamespaces ? route.namespace : undefined;
  return (o) => (ns === undefined || o.metadata.namespace === ns) && labels(o) && fields(o);
}

/** listObjects answers a list, paged by limit and continue, as a list or a Table. */
function listObjects(opts: ServerOptions, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): void {
  const { api } = opts;
  const { rt } = route;
  const rv = String(api.store.currentRv());
  let items = api.list(rt, route.allNamespaces ? undefined : route.namespace).filter(matching(route, q));
  const token = q.get("continue");
  if (token) {
    let after: string;
    try {
      after = (JSON.parse(Buffer.from(token, "base64url").toString()) as Continue).after;
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data");
    }
    items = items.filter((o) => keyOf(o) > after);
  }
  const limit = Number(q.get("limit") ?? 0);
  let next: string | undefined;
  if (limit > 0 && items.length > limit) {
    items = items.slice(0, limit);
    next = Buffer.from(JSON.stringify({ after: keyOf(items[items.length - 1]) })).toString("base64url");
  }
  if (wantsTable(String(req.headers.accept ?? ""))) {
    return send(res, 200, toTable(rt, items, rv, { includeObject: q.get("includeObject") === "Object", now: opts.now(), withHeader: true }, next), "application/json;as=Table;v=v1;g=meta.k8s.io");
  }
  send(res, 200, { kind: rt.listKind, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) }, items });
}

/** watch streams a watch: from now (after an ADDED event per object), or from a resourceVersion (410 Gone when it is too old). */
function watch(opts: ServerOptions, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): void {
  const { api, hub } = opts;
  const { rt } = route;
  const table = wantsTable(String(req.headers.accept ?? ""));
  const rvParam = q.get("resourceVersion");
  const fromRv = rvParam === null || rvParam === "" || rvParam === "0" ? undefined : Number(rvParam);
  if (fromRv !== undefined && Number.isNaN(fromRv)) throw badRequest(`invalid resource version: ${rvParam}`);
  const timeout = q.has("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : opts.maxWatchSeconds;
  const render = (o: Obj): Obj => {
    const typed: Obj = api.present(rt, o);
    return table ? toTable(rt, [typed], typed.metadata.resourceVersion, { includeObject: q.get("includeObject") === "Object", now: opts.now(), withHeader: false }) : typed;
  };
  let cancel = (): void => {};
  let sender: ReturnType<typeof startWatchStream> | undefined;
  const start = (): ReturnType<typeof startWatchStream> =>
    startWatchStream(res, {
      bookmarks: q.get("allowWatchBookmarks") === "true",
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      timeoutMs: Math.max(0, timeout) * 1000,
      render,
      matches: matching(route, q),
      bookmarkObject: (rv) => ({ kind: rt.kind, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: rv === "0" ? String(api.store.currentRv()) : rv } }),
    }, () => cancel());
  const bucket = api.bucket(rt);
  if (fromRv === undefined) {
    sender = start();
    const s = sender;
    for (const o of api.store.list(bucket, rt.namespaced && !route.allNamespaces ? route.namespace : undefined)) s({ type: "ADDED", object: o });
    if (q.get("sendInitialEvents") === "true" && q.get("allowWatchBookmarks") === "true") {
      // A watch-list client waits for this bookmark to know the initial state is complete.
      const end = { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(api.store.currentRv()), annotations: { "k8s.io/initial-events-end": "true" } } };
      res.write(JSON.stringify({ type: "BOOKMARK", object: end }) + "\n");
    }
    cancel = hub.subscribe(bucket, api.store.currentRv(), s);
    return;
  }
  try {
    const buffered: Parameters<ReturnType<typeof startWatchStream>>[0][] = [];
    cancel = hub.subscribe(bucket, fromRv, (ev) => (sender === undefined ? buffered.push(ev) : sender(ev)));
    sender = start();
    for (const ev of buffered) sender(ev);
  } catch (err) {
    if (err instanceof ApiError && err.code === 410) return writeWatchError(res, err.status());
    throw err;
  }
}

/** deleteCollection deletes every object a list with the same selectors would return. */
async function deleteCollection(opts: ServerOptions, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): Promise<void> {
  const { api } = opts;
  const body = (decodeBody(await readBody(req, maxBody), String(req.headers["content-type"] ?? "")) ?? {}) as DeleteOptions;
  const items = api.list(route.rt, route.allNamespaces ? undefined : route.namespace).filter(matching(route, q));
  const deleted = items.map((o) => api.delete(route.rt, o.metadata.namespace ?? "", o.metadata.name, body).object);
  send(res, 200, { kind: route.rt.listKind, apiVersion: apiVersionOf(route.rt), metadata: { resourceVersion: String(api.store.currentRv()) }, items: deleted });
}
