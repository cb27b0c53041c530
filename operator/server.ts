// server: the operator's one HTTP listener — /healthz (the process serves), /readyz (caches
// synced), /metrics (Prometheus), and the trainers' report endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Metrics } from "./metrics.ts";

/** ServerOptions wires the handlers. */
export interface ServerOptions {
  host: string;
  /** port to listen on; undefined tries 8080 and falls back to a free port when it is taken. */
  port: number | undefined;
  metrics: Metrics;
  ready: () => boolean;
  log: Logger;
  /** reports handles the report endpoint's paths; return false when the path is not one. */
  reports: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** startServer listens and resolves with the server and its port. */
export async function startServer(o: ServerOptions): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    if (path === "/readyz") {
      const ok = o.ready();
      return void res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" }).end(ok ? "ok" : "caches not synced");
    }
    if (path === "/metrics") {
      o.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": o.metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
      return;
    }
    if (o.reports(req, res)) return;
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, o.host, () => (server.off("error", reject), resolve()));
    });
  try {
    await listen(o.port ?? 8080);
  } catch (err) {
    if (o.port !== undefined || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    o.log.warn({ port: 8080 }, "Port 8080 is taken; listening on a free port instead");
    await listen(0);
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : (o.port ?? 0);
  o.log.info({ host: o.host, port }, "Serving health, metrics and reports");
  return { server, port };
}
