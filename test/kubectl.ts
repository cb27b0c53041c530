// Running the real kubectl against a test cluster: the kubectl on PATH (or $KUBECTL), with a
// fresh discovery cache per cluster and the cluster's kubeconfig set explicitly.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
  const bin = process.env.KUBECTL ?? "kubectl";
  return (args, stdin) =>
    new Promise((resolve) => {
      const child = execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir }, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? Number((err as { code: number }).code) : 1;
        resolve({ code, stdout, stderr });
      });
      child.stdin?.end(stdin);
    });
}
