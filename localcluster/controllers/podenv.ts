// podenv: the environment of one container process, as the kubelet computes it: env (values,
// downward API fieldRef and resourceFieldRef, secretKeyRef, configMapKeyRef) and envFrom, with
// $(VAR) expansion, plus Kubernetes' service-discovery basics (KUBERNETES_SERVICE_HOST/PORT,
// HOSTNAME) and the local cluster's own variables for dns-preload.ts. Mount paths in values
// are rewritten to host directories (volumes.ts).
import type { Container, Pod } from "./types.ts";
import { fieldValue, rewritePaths, type Mount, type NotReady, type Sources } from "./volumes.ts";

/** expand replaces $(NAME) with env values and $$( with $(, as Kubernetes does; unknown names stay. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => (name === undefined ? "$" : (env[name] ?? whole)));
}

function resourceValue(c: Container, resource: string): string {
  const [kind, name] = resource.split(".");
  const q = (kind === "limits" ? c.resources?.limits : c.resources?.requests)?.[name ?? ""];
  return q === undefined ? "0" : String(q);
}

function decode(v: string | undefined, base64: boolean): string | undefined {
  return v === undefined ? undefined : base64 ? Buffer.from(v, "base64").toString("utf8") : v;
}

/** containerEnv computes the env of container c in pod (whose status.podIP is already set), or why it cannot. */
export function containerEnv(pod: Pod, c: Container, src: Sources, mounts: Mount[], base: Record<string, string>): { env: Record<string, string> } | NotReady {
  const ns = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = { ...base };
  for (const from of c.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (ref === undefined) continue;
    const obj = from.secretRef !== undefined ? src.secret(ns, ref.name) : src.configMap(ns, ref.name);
    if (obj === undefined) {
      if (ref.optional === true) continue;
      return { reason: "CreateContainerConfigError", message: `${from.secretRef !== undefined ? "secret" : "configmap"} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(obj.data ?? {})) env[`${from.prefix ?? ""}${k}`] = decode(v, from.secretRef !== undefined) ?? "";
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (vf === undefined) {
      env[e.name] = rewritePaths(expand(e.value ?? "", env), mounts);
    } else if (vf.fieldRef !== undefined) {
      env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath) ?? "";
    } else if (vf.resourceFieldRef !== undefined) {
      env[e.name] = resourceValue(c, vf.resourceFieldRef.resource);
    } else {
      const ref = vf.secretKeyRef ?? vf.configMapKeyRef;
      if (ref === undefined) continue;
      const isSecret = vf.secretKeyRef !== undefined;
      const obj = isSecret ? src.secret(ns, ref.name) : src.configMap(ns, ref.name);
      const value = decode(obj?.data?.[ref.key], isSecret);
      if (value === undefined) {
        if (ref.optional === true) continue;
        return { reason: "CreateContainerConfigError", message: obj === undefined ? `${isSecret ? "secret" : "configmap"} "${ref.name}" not found` : `couldn't find key ${ref.key} in ${isSecret ? "Secret" : "ConfigMap"} ${ns}/${ref.name}` };
      }
      env[e.name] = value;
    }
  }
  return { env };
}
