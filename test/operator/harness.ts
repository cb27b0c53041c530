// harness: a local cluster with temper's CRDs, a real kubectl bound to it, and operators
// started in this process against it — what the operator's integration tests share.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { startLocalCluster, type LocalCluster } from "../../localcluster/cluster.ts";
import { Config } from "../../operator/config.ts";
import { startOperator, type Operator } from "../../operator/operator.ts";
import { kubectlFor, type Kubectl } from "../kubectl.ts";

/** Harness is a running test cluster. */
export interface Harness {
  cluster: LocalCluster;
  kubectl: Kubectl;
  /** ok runs kubectl and returns stdout, throwing with stderr on a non-zero exit. */
  ok(args: string[], stdin?: string): Promise<string>;
  /** json runs kubectl get ... -o json and parses the answer. */
  json(args: string[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** apply writes manifest to a file and applies it. */
  apply(ns: string, manifest: object): Promise<void>;
  /** operator starts an operator with test-sized timings; overrides change any setting. */
  operator(overrides?: Record<string, unknown>): Promise<Operator>;
  stop(): Promise<void>;
}

/** startHarness starts a local cluster and installs the CRDs. */
export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "temper-op-"));
  const cluster = await startLocalCluster({ dataDir: join(dir, "data"), log: pino({ level: "silent" }), controllers: false });
  const kubectl = kubectlFor(cluster.kubeconfigPath);
  const ok = async (args: string[], stdin?: string): Promise<string> => {
    const r = await kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  await ok(["apply", "-f", join(import.meta.dirname, "..", "..", "crds")]);
  const operators: Operator[] = [];
  let n = 0;
  return {
    cluster,
    kubectl,
    ok,
    json: async (args) => JSON.parse(await ok([...args, "-o", "json"])),
    async apply(ns, manifest) {
      const f = join(dir, `m${n++}.json`);
      writeFileSync(f, JSON.stringify(manifest));
      await ok(["-n", ns, "apply", "-f", f]);
    },
    async operator(overrides = {}) {
      const cfg = Config.parse({
        kubeconfig: cluster.kubeconfigPath, metricsPort: 0, leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.3,
        sweepCron: "* * * * * *", logLevel: "silent", image: "temper-test-trainer:1", ...overrides,
      });
      const op = await startOperator(cfg, { log: pino({ level: process.env.TEMPER_TEST_LOG ?? "silent" }) });
      operators.push(op);
      return op;
    },
    async stop() {
      for (const op of operators.splice(0)) await op.stop().catch(() => {});
      await cluster.stop();
    },
  };
}
