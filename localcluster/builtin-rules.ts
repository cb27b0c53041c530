// Defaulting and validation of built-in kinds, the part of each kind's registry strategy the
// local cluster needs: the fields the real apiserver fills in (pod and job defaults, the job
// selector and labels, service cluster IPs, namespace finalizers) and the mistakes it rejects.
import type { Cause } from "./errors.ts";
import { updateCauses } from "./immutability.ts";
import { isObj, type Obj } from "./types.ts";

/** BuiltinContext gives the rules what they may not compute alone. */
export interface BuiltinContext {
  /** usedClusterIPs lists the cluster IPs already taken by services. */
  usedClusterIPs: () => Set<string>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  if (c.imagePullPolicy === undefined) {
    const image = String(c.image ?? "");
    c.imagePullPolicy = !/:[^/]+$/.test(image) || image.endsWith(":latest") ? "Always" : "IfNotPresent";
  }
}

function defaultPodSpec(spec: Obj, restartPolicy = "Always"): void {
  spec.restartPolicy ??= restartPolicy;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) if (isObj(c)) defaultContainer(c);
}

function validatePodSpec(spec: unknown, path: string): Cause[] {
  if (!isObj(spec)) return [{ reason: "FieldValueRequired", message: "Required value", field: path }];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [{ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers` }];
  const causes: Cause[] = [];
  containers.forEach((c: Obj, i: number) => {
    if (typeof c.name !== "string" || c.name === "") causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers[${i}].name` });
    else if (!DNS_LABEL.test(c.name)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(c.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`, field: `${path}.containers[${i}].name` });
    if (typeof c.image !== "string" || c.image === "") causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers[${i}].image` });
  });
  return causes;
}

function defaultJob(job: Obj): void {
  const spec: Obj = (job.spec ??= {});
  if (spec.parallelism === undefined && spec.completions === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex === undefined ? 6 : 2147483647;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= undefined;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  const template: Obj = (spec.template ??= {});
  template.metadata ??= {};
  if (spec.manualSelector !== true) {
    const uid = String(job.metadata.uid);
    spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    template.metadata.labels = {
      ...(template.metadata.labels ?? {}),
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": job.metadata.name,
      "controller-uid": uid,
      "job-name": job.metadata.name,
    };
  }
  if (spec.manualSelector === undefined) delete spec.manualSelector;
  if (isObj(template.spec)) defaultPodSpec(template.spec, "Never");
}

function validateJob(job: Obj): Cause[] {
  const causes = validatePodSpec(job.spec?.template?.spec, "spec.template.spec");
  const rp = job.spec?.template?.spec?.restartPolicy;
  if (rp !== undefined && rp !== "Never" && rp !== "OnFailure") {
    causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(rp)}: supported values: "OnFailure", "Never"`, field: "spec.template.spec.restartPolicy" });
  }
  for (const f of ["parallelism", "completions", "backoffLimit"]) {
    const v = job.spec?.[f];
    if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= 0)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(v)}: must be greater than or equal to 0`, field: `spec.${f}` });
  }
  if (job.spec?.completionMode === "Indexed" && job.spec?.completions == null) causes.push({ reason: "FieldValueRequired", message: "Required value: when completion mode is Indexed", field: "spec.completions" });
  return causes;
}

function nextClusterIP(used: Set<string>): string {
  for (let i = 10; i < 65000; i++) {
    const ip = `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    if (!used.has(ip)) return ip;
  }
  return "None";
}

function defaultService(svc: Obj, ctx: BuiltinContext): void {
  const spec: Obj = (svc.spec ??= {});
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  spec.ipFamilies ??= ["IPv4"];
  spec.ipFamilyPolicy ??= "SingleStack";
  spec.internalTrafficPolicy ??= "Cluster";
  if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = nextClusterIP(ctx.usedClusterIPs());
  spec.clusterIPs ??= [spec.clusterIP];
  for (const p of (spec.ports ?? []) as Obj[]) {
    p.protocol ??= "TCP";
    p.targetPort ??= p.port;
  }
}

function defaultSecret(secret: Obj): Cause[] {
  secret.type ??= "Opaque";
  if (isObj(secret.stringData)) {
    secret.data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v)).toString("base64");
    delete secret.stringData;
  }
  const causes: Cause[] = [];
  for (const [k, v] of Object.entries((secret.data ?? {}) as Obj)) {
    if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) causes.push({ reason: "FieldValueInvalid", message: "Invalid value: \"<secret contents redacted>\": illegal base64 data", field: `data[${k}]` });
  }
  return causes;
}

function validateCrd(crd: Obj): Cause[] {
  const spec = crd.spec ?? {};
  const causes: Cause[] = [];
  const req = (ok: boolean, field: string): void => {
    if (!ok) causes.push({ reason: "FieldValueRequired", message: "Required value", field });
  };
  req(typeof spec.group === "string" && spec.group !== "", "spec.group");
  req(typeof spec.names?.plural === "string", "spec.names.plural");
  req(typeof spec.names?.kind === "string", "spec.names.kind");
  req(Array.isArray(spec.versions) && spec.versions.length > 0, "spec.versions");
  const expected = `${spec.names?.plural}.${spec.group}`;
  if (causes.length === 0 && crd.metadata.name !== expected) {
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group`, field: "metadata.name" });
  }
  if (Array.isArray(spec.versions) && spec.versions.filter((v: Obj) => v.storage === true).length !== 1) {
    causes.push({ reason: "FieldValueInvalid", message: "Invalid value: must have exactly one version marked as storage version", field: "spec.versions" });
  }
  return causes;
}

/** admitBuiltin defaults a built-in object in place and returns what is invalid about it (old on update). */
export function admitBuiltin(group: string, plural: string, obj: Obj, old: Obj | undefined, ctx: BuiltinContext): Cause[] {
  const causes = defaultAndValidate(group, plural, obj, old === undefined, ctx);
  return old === undefined ? causes : [...causes, ...updateCauses(group, plural, obj, old)];
}

function defaultAndValidate(group: string, plural: string, obj: Obj, isCreate: boolean, ctx: BuiltinContext): Cause[] {
  switch (`${group}/${plural}`) {
    case "/namespaces":
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
      obj.spec = { finalizers: ["kubernetes"], ...(obj.spec ?? {}) };
      if (isCreate) obj.status = { phase: "Active" };
      return DNS_LABEL.test(obj.metadata.name) ? [] : [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(obj.metadata.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`, field: "metadata.name" }];
    case "/pods":
      if (isObj(obj.spec)) defaultPodSpec(obj.spec);
      if (isCreate) obj.status = { phase: "Pending", qosClass: "BestEffort" };
      return validatePodSpec(obj.spec, "spec");
    case "batch/jobs":
      defaultJob(obj);
      return validateJob(obj);
    case "/services":
      defaultService(obj, ctx);
      return [];
    case "/secrets":
      return defaultSecret(obj);
    case "/persistentvolumeclaims":
      if (isCreate) obj.status = { phase: "Pending" };
      return [];
    case "apiextensions.k8s.io/customresourcedefinitions":
      return validateCrd(obj);
    default:
      return [];
  }
}
