import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostsEntries, newIpAllocator, renderHosts, writeHosts } from "./podnet.ts";
import type { Pod, Service } from "./types.ts";

const meta = (name: string, labels: Record<string, string> = {}) => ({ name, namespace: "ns", uid: name, resourceVersion: "1", labels });
const pod = (name: string, ip: string, extra: Partial<Pod["spec"]> = {}, phase: "Running" | "Succeeded" = "Running"): Pod =>
  ({ metadata: meta(name, { app: "gang" }), spec: { containers: [], ...extra }, status: { phase, podIP: ip } });
const svc = (name: string, selector?: Record<string, string>): Service => ({ metadata: meta(name), spec: { selector, clusterIP: "None" } });

test("allocates distinct loopback addresses from the starting block", () => {
  const a = newIpAllocator(7);
  assert.equal(a.allocate(), "127.7.0.1");
  assert.equal(a.allocate(), "127.7.0.2");
  a.claim("127.7.0.3");
  assert.equal(a.allocate(), "127.7.0.4");
});

test("wraps to the first block after the last address and skips taken ones", () => {
  const a = newIpAllocator(254);
  const first = a.allocate();
  for (let i = 1; i < 254 * 254; i++) a.allocate();
  assert.equal(a.allocate(), "127.1.0.1");
  a.release(first);
  a.claim("127.1.0.2");
  assert.equal(a.allocate(), "127.1.0.3");
});

test("names pods by hostname and subdomain only when the Service exists", () => {
  const pods = [pod("j-0-abc", "127.1.0.1", { hostname: "j-0", subdomain: "j" }), pod("k-0-abc", "127.1.0.2", { hostname: "k-0", subdomain: "k" })];
  const e = hostsEntries(pods, [svc("j")]);
  assert.deepEqual(e.get("127.1.0.1"), ["j-0.j.ns.svc.cluster.local"]);
  assert.equal(e.get("127.1.0.2"), undefined);
});

test("resolves a Service name to the live pods it selects", () => {
  const pods = [pod("a", "127.1.0.1"), pod("b", "127.1.0.2"), pod("c", "127.1.0.3", {}, "Succeeded")];
  const e = hostsEntries(pods, [svc("gang", { app: "gang" })]);
  assert.deepEqual([...e.keys()].sort(), ["127.1.0.1", "127.1.0.2"]);
});

const preload = fileURLToPath(new URL("./dns-preload.ts", import.meta.url));
function runNode(code: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", preload, "--input-type=module", "-e", code], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), out: stdout + stderr });
    });
  });
}

test("lets two pod processes listen on one port and reach each other by cluster DNS name", async () => {
  const dir = mkdtempSync(join(tmpdir(), "podnet-"));
  const hosts = join(dir, "hosts");
  const pods = [pod("j-0-x", "127.1.0.1", { hostname: "j-0", subdomain: "j" }), pod("j-1-y", "127.1.0.2", { hostname: "j-1", subdomain: "j" })];
  writeHosts(hosts, renderHosts(hostsEntries(pods, [svc("j", { app: "gang" })])));
  const server = `
    import net from "node:net";
    const s = net.createServer((c) => { c.end("hello from " + process.env.TEMPER_POD_IP); s.close(); });
    s.listen(47311, () => console.log("listening", s.address().address));`;
  const client = (name: string) => `
    import net from "node:net";
    for (let i = 0; i < 100; i++) {
      try {
        const msg = await new Promise((res, rej) => { const c = net.connect(47311, "${name}"); let b = ""; c.on("data", (d) => b += d); c.on("end", () => res(b)); c.on("error", rej); });
        console.log(msg); process.exit(0);
      } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    process.exit(1);`;
  const env = (ip: string) => ({ TEMPER_HOSTS_FILE: hosts, TEMPER_POD_NAMESPACE: "ns", TEMPER_POD_IP: ip });
  const s0 = runNode(server, env("127.1.0.1"));
  const s1 = runNode(server, env("127.1.0.2"));
  const c0 = await runNode(client("j-0.j.ns.svc"), env("127.1.0.3"));
  const c1 = await runNode(client("j-1.j"), env("127.1.0.3"));
  assert.equal(c0.out.trim(), "hello from 127.1.0.1");
  assert.equal(c1.out.trim(), "hello from 127.1.0.2");
  assert.match((await s0).out, /listening 127\.1\.0\.1/);
  assert.match((await s1).out, /listening 127\.1\.0\.2/);
});

test("leaves names outside the cluster to the system resolver and rejects unknown cluster names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "podnet-"));
  const hosts = join(dir, "hosts");
  writeHosts(hosts, renderHosts(new Map()));
  const r = await runNode(`
    import dns from "node:dns/promises";
    console.log((await dns.lookup("localhost", { family: 4 })).address);
    try { await dns.lookup("nope.ns.svc"); console.log("resolved"); } catch (e) { console.log(e.code); }`, { TEMPER_HOSTS_FILE: hosts });
  assert.deepEqual(r.out.trim().split("\n"), ["127.0.0.1", "ENOTFOUND"]);
});
