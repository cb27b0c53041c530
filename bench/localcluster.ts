// bench:localcluster — figures for the local API server, printed as JSON: create and get
// requests per second over HTTPS (keep-alive, concurrent clients), watch fan-out latency to
// many watchers, and the server process's memory holding 10,000 objects. The server runs as
// its own process (`temper cluster up --detach`), so its memory is measured alone.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);

const dir = mkdtempSync(join(tmpdir(), "lc-bench-"));
const kc = join(dir, "kubeconfig");
const bin = new URL("../bin/temper.ts", import.meta.url).pathname;
execFileSync(process.execPath, [bin, "cluster", "up", "--detach", "--port", "0", "--kubeconfig", kc, "--data", join(dir, "data")], { stdio: "ignore", env: { ...process.env, TEMPER_LOG_LEVEL: "warn" } });
const config = parse(readFileSync(kc, "utf8"));
const url: string = config.clusters[0].cluster.server;
const ca = Buffer.from(config.clusters[0].cluster["certificate-authority-data"], "base64").toString();
const token: string = config.users[0].user.token;
const pid = Number(readFileSync(`${kc}.pid`, "utf8"));
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });

function call(method: string, path: string, body?: unknown): Promise<number> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, agent, headers: { Authorization: `Bearer ${token}`, ...(payload ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {}) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

async function rate(n: number, op: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) {
      const i = next++;
      const code = await op(i);
      if (code >= 300) throw new Error(`request ${i} answered ${code}`);
    }
  }));
  return Math.round(n / ((performance.now() - began) / 1000));
}

function rssMiB(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? -1 : Math.round(Number(m[1]) / 1024);
}

const CM = "/api/v1/namespaces/default/configmaps";
const cm = (i: number): unknown => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, labels: { bench: "yes", shard: String(i % 10) } }, data: { index: String(i), payload: "x".repeat(200) } });

async function watchFanOut(): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  const arrivals: number[] = [];
  let sentAt = 0;
  const streams = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<() => void>((resolve) => {
    const req = request(new URL(`${CM}?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dfanout`, url), { agent: new Agent({ ca }), headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.on("data", (d: Buffer) => {
        if (d.toString().includes('"ADDED"')) arrivals.push(performance.now() - sentAt);
      });
      resolve(() => req.destroy());
    });
    req.end();
  })));
  sentAt = performance.now();
  await call("POST", CM, { metadata: { name: "fanout" }, data: {} });
  while (arrivals.length < WATCHERS && performance.now() - sentAt < 10_000) await new Promise((r) => setTimeout(r, 5));
  for (const close of streams) close();
  arrivals.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(arrivals[Math.min(arrivals.length - 1, Math.floor(q * arrivals.length))] * 100) / 100;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

try {
  const rssEmpty = rssMiB();
  const createPerSec = await rate(OBJECTS, (i) => call("POST", CM, cm(i)));
  const getPerSec = await rate(OBJECTS, (i) => call("GET", `${CM}/cm-${i % OBJECTS}`));
  const listOfShardMs = await (async () => {
    const began = performance.now();
    await call("GET", `${CM}?labelSelector=shard%3D3`);
    return Math.round(performance.now() - began);
  })();
  const watch = await watchFanOut();
  const result = {
    objects: OBJECTS,
    concurrency: CONCURRENCY,
    createPerSec,
    getPerSec,
    labelSelectedListMs: listOfShardMs,
    watchFanOut: { watchers: WATCHERS, ...watch },
    memory: { rssEmptyMiB: rssEmpty, rssWithObjectsMiB: rssMiB() },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} finally {
  agent.destroy();
  execFileSync(process.execPath, [bin, "cluster", "down", "--kubeconfig", kc], { stdio: "ignore" });
}
