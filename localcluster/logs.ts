// pods/log: serves the log files the kubelet writes at
// <dataDir>/pods/<namespace>/<pod>/<container>.log (and .previous.log), with tailLines,
// limitBytes and follow (tails the file until the pod finishes or the client goes away).
import { existsSync, openSync, readSync, closeSync, statSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { ApiError, badRequest } from "./errors.ts";
import type { Obj } from "./types.ts";

/** LogRequest is a parsed pods/log query. */
export interface LogRequest {
  container: string | null;
  previous: boolean;
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
}

/** logPath names the file the kubelet writes for one container. */
export function logPath(dataDir: string, namespace: string, pod: string, container: string, previous = false): string {
  return join(dataDir, "pods", namespace, pod, `${container}${previous ? ".previous" : ""}.log`);
}

function chooseContainer(pod: Obj, asked: string | null): string {
  const names: string[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c: Obj) => String(c.name));
  if (asked !== null && asked !== "") {
    if (!names.includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${pod.metadata.name}`);
    return asked;
  }
  const preferred = pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
  if (typeof preferred === "string" && names.includes(preferred)) return preferred;
  const main: string[] = (pod.spec?.containers ?? []).map((c: Obj) => String(c.name));
  if (main.length === 1) return main[0];
  throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${main.join(" ")}]`);
}

function tail(text: string, req: LogRequest): string {
  let out = text;
  if (req.tailLines !== undefined) {
    const lines = out.split("\n");
    const trailing = lines[lines.length - 1] === "" ? lines.pop() : undefined;
    out = lines.slice(Math.max(0, lines.length - req.tailLines)).join("\n") + (trailing !== undefined && req.tailLines > 0 ? "\n" : "");
  }
  if (req.limitBytes !== undefined) out = Buffer.from(out).subarray(0, req.limitBytes).toString();
  return out;
}

const finished = (pod: Obj | undefined): boolean => pod === undefined || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** serveLog answers a pods/log request; currentPod re-reads the pod while following. */
export function serveLog(res: ServerResponse, dataDir: string, pod: Obj, req: LogRequest, currentPod: () => Obj | undefined): void {
  const container = chooseContainer(pod, req.container);
  const path = logPath(dataDir, pod.metadata.namespace, pod.metadata.name, container, req.previous);
  if (!existsSync(path)) {
    if (req.previous) throw badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
    if ((pod.status?.phase ?? "Pending") === "Pending") throw new ApiError(400, "BadRequest", `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
  }
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  res.write(tail(text, req));
  if (!req.follow || req.limitBytes !== undefined) {
    res.end();
    return;
  }
  let offset = Buffer.byteLength(text);
  const poll = setInterval(() => {
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size > offset) {
      const fd = openSync(path, "r");
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      closeSync(fd);
      offset = size;
      res.write(buf);
    } else if (finished(currentPod())) {
      clearInterval(poll);
      res.end();
    }
  }, 200);
  res.on("close", () => clearInterval(poll));
}
