// scheduler: places Pending pods on Nodes by their requested cpu, memory and nvidia.com/gpu, as
// kube-scheduler's NodeResourcesFit, NodeName and NodeSelector filters do, and binds them with
// pods/binding. A pod that fits nowhere stays Pending with PodScheduled=False/Unschedulable and a
// FailedScheduling event whose message reads like kube-scheduler's ("0/2 nodes are available:
// 2 Insufficient nvidia.com/gpu."). Not implemented: affinity, taints/tolerations, topology
// spread, preemption, priorities; the score is "first node with the most free GPUs, then cpu".
import type { Logger } from "pino";
import type { Client, Informer } from "./client.ts";
import { newInformer } from "./client.ts";
import type { Recorder } from "./events.ts";
import { parseQuantity } from "./quantity.ts";
import { keyOf, type Container, type Node, type Pod } from "./types.ts";

/** schedulerName is the name pods carry in spec.schedulerName to be placed by this scheduler. */
export const schedulerName = "default-scheduler";

/** scheduledResources are the resources the fit check counts. */
export const scheduledResources = ["cpu", "memory", "nvidia.com/gpu"] as const;

type Amounts = Record<string, number>;

/** podRequests sums a pod's container requests (limits stand in when requests are absent, as the apiserver defaults them), init containers taken as a max. */
export function podRequests(pod: Pod): Amounts {
  const of = (c: Container): Amounts => {
    const out: Amounts = {};
    for (const r of scheduledResources) {
      const q = c.resources?.requests?.[r] ?? c.resources?.limits?.[r];
      out[r] = q === undefined ? 0 : parseQuantity(q);
    }
    return out;
  };
  const sum: Amounts = Object.fromEntries(scheduledResources.map((r) => [r, 0]));
  for (const c of pod.spec.containers) for (const [r, v] of Object.entries(of(c))) sum[r] += v;
  for (const c of pod.spec.initContainers ?? []) for (const [r, v] of Object.entries(of(c))) sum[r] = Math.max(sum[r], v);
  return sum;
}

/** Placement is the scheduling decision: a node, or the reasons each node was rejected. */
export type Placement = { node: string } | { node?: undefined; message: string };

function isTerminal(p: Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}

/** placePod picks a node for pod given all nodes and the pods already bound (pure). */
export function placePod(pod: Pod, nodes: Node[], pods: Pod[]): Placement {
  const want = podRequests(pod);
  const reasons = new Map<string, number>();
  const reject = (r: string): void => void reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const fits: { node: string; free: Amounts }[] = [];
  for (const n of nodes) {
    const name = n.metadata.name;
    if (pod.spec.nodeSelector !== undefined && !Object.entries(pod.spec.nodeSelector).every(([k, v]) => n.metadata.labels?.[k] === v)) {
      reject("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    if (n.spec?.unschedulable === true) {
      reject("node(s) were unschedulable");
      continue;
    }
    const used: Amounts = Object.fromEntries(scheduledResources.map((r) => [r, 0]));
    for (const p of pods) {
      if (p.spec.nodeName !== name || isTerminal(p) || p.metadata.uid === pod.metadata.uid) continue;
      for (const [r, v] of Object.entries(podRequests(p))) used[r] += v;
    }
    const free: Amounts = {};
    let ok = true;
    for (const r of scheduledResources) {
      const alloc = n.status?.allocatable?.[r];
      free[r] = (alloc === undefined ? 0 : parseQuantity(alloc)) - used[r];
      // A small tolerance keeps "0.1 + 0.2" cpu sums from rejecting an exact fit.
      if (want[r] > 0 && want[r] > free[r] + 1e-9) {
        reject(`Insufficient ${r}`);
        ok = false;
      }
    }
    if (ok) fits.push({ node: name, free });
  }
  if (fits.length > 0) {
    fits.sort((a, b) => b.free["nvidia.com/gpu"] - a.free["nvidia.com/gpu"] || b.free.cpu - a.free.cpu || a.node.localeCompare(b.node));
    return { node: fits[0].node };
  }
  const detail = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([r, c]) => `${c} ${r}`).join(", ");
  return { message: `0/${nodes.length} nodes are available${detail === "" ? "" : `: ${detail}`}.` };
}

/** SchedulerOptions wires the scheduler to the API server. */
export interface SchedulerOptions {
  client: Client;
  log: Logger;
  events: Recorder;
  now: () => Date;
}

/** startScheduler watches pods and nodes and binds each unscheduled pod it can place. */
export function startScheduler(opts: SchedulerOptions): { stop(): void; synced: Promise<void> } {
  let nodes: Informer<Node> | undefined = undefined;
  let pods: Informer<Pod> | undefined = undefined;
  let running = false;
  let again = false;
  // Remembers the last unschedulable message per pod so a quiet cluster gets no repeated writes.
  const reported = new Map<string, string>();
  const assumed = new Map<string, string>();
  const pass = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await scheduleAll();
      } while (again);
    } finally {
      running = false;
    }
  };
  const scheduleAll = async (): Promise<void> => {
    if (nodes === undefined || pods === undefined) return;
    // Pods bound in an earlier pass whose binding the watch has not shown yet keep their node
    // ("assumed", as kube-scheduler calls it), so their resources are not handed out twice.
    const all = pods.items().map((p) => {
      const node = assumed.get(p.metadata.uid);
      if (node === undefined) return p;
      if (p.spec.nodeName) {
        assumed.delete(p.metadata.uid);
        return p;
      }
      return { ...p, spec: { ...p.spec, nodeName: node } };
    });
    const todo = all.filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp && !isTerminal(p) && (p.spec.schedulerName ?? schedulerName) === schedulerName)
      .sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || a.metadata.name.localeCompare(b.metadata.name));
    const bound: Pod[] = all.filter((p) => p.spec.nodeName);
    for (const pod of todo) {
      const key = keyOf(pod);
      const placed = placePod(pod, nodes.items(), bound);
      try {
        if (placed.node !== undefined) {
          await opts.client.create(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
            apiVersion: "v1", kind: "Binding", metadata: { name: pod.metadata.name }, target: { apiVersion: "v1", kind: "Node", name: placed.node },
          });
          bound.push({ ...pod, spec: { ...pod.spec, nodeName: placed.node } });
          assumed.set(pod.metadata.uid, placed.node);
          reported.delete(key);
          opts.log.info({ pod: key, node: placed.node }, "Bound pod to node");
          await opts.events.emit(pod, "Normal", "Scheduled", `Successfully assigned ${key} to ${placed.node}`);
        } else if (reported.get(key) !== placed.message) {
          reported.set(key, placed.message);
          const cond = { type: "PodScheduled", status: "False", reason: "Unschedulable", message: placed.message, lastProbeTime: null, lastTransitionTime: opts.now().toISOString() };
          const others = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
          await opts.client.patch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status: { phase: "Pending", conditions: [...others, cond] } });
          opts.log.info({ pod: key, reason: placed.message }, "Left pod unscheduled");
          await opts.events.emit(pod, "Warning", "FailedScheduling", placed.message);
        }
      } catch (err) {
        opts.log.warn({ pod: key, err: String(err) }, "Failed to schedule pod");
      }
    }
  };
  const kick = (): void => void pass().catch((err: unknown) => opts.log.error({ err: String(err) }, "Scheduling pass failed"));
  nodes = newInformer<Node>({ client: opts.client, path: "/api/v1/nodes", log: opts.log, onChange: kick });
  pods = newInformer<Pod>({
    client: opts.client, path: "/api/v1/pods", log: opts.log,
    onChange: (type, p) => {
      if (type === "DELETED") {
        reported.delete(keyOf(p));
        assumed.delete(p.metadata.uid);
      }
      kick();
    },
  });
  const synced = Promise.all([nodes.synced, pods.synced]).then(() => kick());
  return {
    synced,
    stop() {
      nodes?.stop();
      pods?.stop();
    },
  };
}
