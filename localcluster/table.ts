// Server-side Table rendering (meta.k8s.io/v1 Table), which is the only way kubectl 1.32 prints
// columns: built-in kinds get the columns the real apiserver prints, custom resources get their
// CRD's additionalPrinterColumns. Ages are rendered here because kubectl prints cells verbatim.
import { ageOf, humanDuration } from "./age.ts";
import { evalJsonPath } from "./jsonpath.ts";
import { isObj, type Obj, type ResourceType } from "./types.ts";

type Cell = string | number | boolean | null;

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
  cell: (o: Obj, now: number) => Cell;
}

const nameCol: Column = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", cell: (o) => o.metadata.name };
const ageCol: Column = { name: "Age", type: "string", cell: (o, now) => ageOf(o.metadata.creationTimestamp, now) };

function col(name: string, cell: (o: Obj, now: number) => Cell, priority = 0, type = "string"): Column {
  return { name, type, priority, cell };
}

function containerReason(c: Obj): string | undefined {
  const t = c.state?.terminated;
  if (c.state?.waiting?.reason) return c.state.waiting.reason;
  if (t === undefined) return undefined;
  return t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`);
}

/** podStatus renders the STATUS column as kubectl's pod printer does, in its order of precedence. */
function podStatus(o: Obj): string {
  if (o.metadata.deletionTimestamp) return "Terminating";
  const fromContainers = ((o.status?.containerStatuses ?? []) as Obj[]).map(containerReason).find((r) => r !== undefined);
  const fromPhase = o.status?.phase === "Succeeded" ? "Completed" : o.status?.phase === "Failed" ? "Error" : o.status?.phase;
  return fromContainers ?? o.status?.reason ?? fromPhase ?? "Pending";
}

function podReady(o: Obj): string {
  const statuses: Obj[] = o.status?.containerStatuses ?? [];
  return `${statuses.filter((c) => c.ready === true).length}/${(o.spec?.containers ?? []).length}`;
}

function jobStatus(o: Obj): string {
  const conds: Obj[] = o.status?.conditions ?? [];
  const has = (t: string): boolean => conds.some((c) => c.type === t && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if (o.metadata.deletionTimestamp) return "Terminating";
  if (has("Suspended")) return "Suspended";
  return "Running";
}

function jobDuration(o: Obj, now: number): string {
  const start = o.status?.startTime;
  if (typeof start !== "string") return "";
  const end = typeof o.status?.completionTime === "string" ? Date.parse(o.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

function servicePorts(o: Obj): string {
  const ports: Obj[] = o.spec?.ports ?? [];
  return ports.length === 0 ? "<none>" : ports.map((p) => `${p.port}${p.nodePort ? ":" + p.nodePort : ""}/${p.protocol ?? "TCP"}`).join(",");
}

function selectorText(sel: unknown): string {
  if (!isObj(sel)) return "<none>";
  const labels = isObj(sel.matchLabels) ? sel.matchLabels : sel;
  const parts = Object.entries(labels).filter(([, v]) => typeof v === "string").map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(",") : "<none>";
}

function nodeReady(o: Obj): string {
  const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
  const base = ready?.status === "True" ? "Ready" : "NotReady";
  return o.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

const containers = (o: Obj): Obj[] => o.spec?.template?.spec?.containers ?? [];

const builtinColumns: Record<string, Column[]> = {
  "/namespaces": [nameCol, col("Status", (o) => o.status?.phase ?? "Active"), ageCol],
  "/pods": [
    nameCol, col("Ready", podReady), col("Status", podStatus),
    col("Restarts", (o) => (o.status?.containerStatuses ?? []).reduce((n: number, c: Obj) => n + Number(c.restartCount ?? 0), 0), 0, "integer"),
    ageCol, col("IP", (o) => o.status?.podIP ?? "<none>", 1), col("Node", (o) => o.spec?.nodeName ?? "<none>", 1),
    col("Nominated Node", (o) => o.status?.nominatedNodeName ?? "<none>", 1), col("Readiness Gates", () => "<none>", 1),
  ],
  "/services": [
    nameCol, col("Type", (o) => o.spec?.type ?? "ClusterIP"), col("Cluster-IP", (o) => o.spec?.clusterIP ?? "<none>"),
    col("External-IP", (o) => (o.spec?.externalIPs ?? []).join(",") || "<none>"), col("Port(s)", servicePorts), ageCol,
    col("Selector", (o) => selectorText(o.spec?.selector), 1),
  ],
  "/secrets": [nameCol, col("Type", (o) => o.type ?? "Opaque"), col("Data", (o) => Object.keys(o.data ?? {}).length, 0, "integer"), ageCol],
  "/configmaps": [nameCol, col("Data", (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 0, "integer"), ageCol],
  "/events": [
    col("Last Seen", (o, now) => ageOf(o.lastTimestamp ?? o.eventTime ?? o.firstTimestamp ?? o.metadata.creationTimestamp, now)),
    col("Type", (o) => o.type ?? ""), col("Reason", (o) => o.reason ?? ""),
    col("Object", (o) => `${String(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name ?? ""}`),
    col("Message", (o) => o.message ?? ""),
  ],
  "/nodes": [
    nameCol, col("Status", nodeReady), col("Roles", () => "<none>"), ageCol, col("Version", (o) => o.status?.nodeInfo?.kubeletVersion ?? ""),
    col("Internal-IP", (o) => (o.status?.addresses ?? []).find((a: Obj) => a.type === "InternalIP")?.address ?? "<none>", 1),
    col("OS-Image", (o) => o.status?.nodeInfo?.osImage ?? "", 1),
  ],
  "/persistentvolumeclaims": [
    nameCol, col("Status", (o) => o.status?.phase ?? "Pending"), col("Volume", (o) => o.spec?.volumeName ?? ""),
    col("Capacity", (o) => o.status?.capacity?.storage ?? ""), col("Access Modes", (o) => (o.status?.accessModes ?? []).join(",")),
    col("StorageClass", (o) => o.spec?.storageClassName ?? ""), ageCol,
  ],
  "batch/jobs": [
    nameCol, col("Status", jobStatus), col("Completions", (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`),
    col("Duration", jobDuration), ageCol,
    col("Containers", (o) => containers(o).map((c) => c.name).join(","), 1), col("Images", (o) => containers(o).map((c) => c.image).join(","), 1),
    col("Selector", (o) => selectorText(o.spec?.selector), 1),
  ],
  "coordination.k8s.io/leases": [nameCol, col("Holder", (o) => o.spec?.holderIdentity ?? ""), ageCol],
  "apiextensions.k8s.io/customresourcedefinitions": [nameCol, col("Created At", (o) => o.metadata.creationTimestamp ?? "")],
};

function printerCell(o: Obj, type: string, path: string, now: number): Cell {
  const values = evalJsonPath(o, path);
  if (values.length === 0) return null;
  const v = values[0];
  if (type === "date") return ageOf(v, now);
  if (type === "integer" || type === "number") return typeof v === "number" ? v : Number(v);
  if (type === "boolean") return typeof v === "boolean" ? v : String(v) === "true";
  if (isObj(v) || Array.isArray(v)) return JSON.stringify(v);
  return values.map((x) => (isObj(x) || Array.isArray(x) ? JSON.stringify(x) : String(x))).join(",");
}

/** columnsOf returns the table columns of a resource type. */
function columnsOf(t: ResourceType): Column[] {
  const builtin = builtinColumns[`${t.group}/${t.plural}`];
  if (builtin !== undefined) return builtin;
  if (t.printerColumns === undefined || t.printerColumns.length === 0) return [nameCol, ageCol];
  return [
    nameCol,
    ...t.printerColumns.map((c) => ({
      name: c.name,
      type: c.type === "date" ? "date" : c.type,
      format: c.format ?? "",
      priority: c.priority ?? 0,
      description: c.description ?? "",
      cell: (o: Obj, now: number) => printerCell(o, c.type, c.jsonPath, now),
    })),
  ];
}

/** TableOptions says whether rows carry full objects (includeObject=Object) and the time. */
export interface TableOptions {
  includeObject: boolean;
  now: number;
  withHeader: boolean;
}

function rowObject(o: Obj, full: boolean): Obj {
  if (full) return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

/** toTable renders objects as a meta.k8s.io/v1 Table at resourceVersion rv. */
export function toTable(t: ResourceType, objects: Obj[], rv: string, opts: TableOptions, continueToken?: string): Obj {
  const cols = columnsOf(t);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken } : {}) },
    columnDefinitions: opts.withHeader
      ? cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? "", priority: c.priority ?? 0 }))
      : [],
    rows: objects.map((o) => ({ cells: cols.map((c) => c.cell(o, opts.now)), object: rowObject(o, opts.includeObject) })),
  };
}

/** wantsTable tells whether an Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string): boolean {
  return /as=Table/.test(accept);
}
