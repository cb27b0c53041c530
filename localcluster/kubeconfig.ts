// The kubeconfig the local cluster hands to kubectl and clients: one cluster with the CA
// inlined, one token user, one context whose namespace is "default". Written atomically
// (temp file, then rename) so a reader never sees half a file.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

/** kubeconfigYaml renders the kubeconfig for a server URL, CA and token. */
export function kubeconfigYaml(url: string, caPem: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "temper-local", cluster: { server: url, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name: "temper-local", user: { token } }],
    contexts: [{ name: "temper-local", context: { cluster: "temper-local", user: "temper-local", namespace: "default" } }],
    "current-context": "temper-local",
    preferences: {},
  });
}

/** writeKubeconfig writes the file atomically with owner-only permissions. */
export function writeKubeconfig(path: string, url: string, caPem: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, kubeconfigYaml(url, caPem, token), { mode: 0o600 });
  renameSync(tmp, path);
}
