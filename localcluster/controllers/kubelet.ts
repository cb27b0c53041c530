// kubelet: runs the pods bound to the local cluster's nodes as local processes. It registers
// the Nodes (capacity with nvidia.com/gpu), gives each pod a loopback pod IP, materialises its
// volumes, runs init containers in order and then the containers, writes their output to the
// log files `kubectl logs` reads, and reports container states and the pod phase through
// pods/status. Exit codes decide restarts (restartPolicy, with CrashLoopBackOff doubling) and
// the phase. A deleted pod's processes get SIGTERM and, after terminationGracePeriodSeconds,
// SIGKILL.
//
// Security fields are accepted and not enforced, since every process runs as the user running
// the cluster and sees the host's filesystem: runAsNonRoot, runAsUser, runAsGroup,
// readOnlyRootFilesystem, capabilities and readOnly mounts change nothing here. (runAsNonRoot
// is not checked either: the real check is against the image's user, and a mapped image stands
// for a real image built to run as non-root, even when the cluster itself runs as root, as in
// CI containers.) A pod is isolated from others only by its own pod IP and directory.
// Not implemented: probes, lifecycle hooks, resource limits, pod activeDeadlineSeconds,
// sidecar (restartable init) containers, image pulls.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import type { Client, Informer } from "./client.ts";
import { newInformer } from "./client.ts";
import type { Recorder } from "./events.ts";
import { containerEnv, expand } from "./podenv.ts";
import { hostsEntries, newIpAllocator, renderHosts, writeHosts, type IpAllocator } from "./podnet.ts";
import { newQueue, type Queue } from "./queue.ts";
import { killOrphans, startProcess, type Running } from "./runner.ts";
import { keyOf, type Condition, type Container, type ContainerState, type ContainerStatus, type KeyedData, type Pod, type PodStatus, type Pvc, type Service } from "./types.ts";
import { containerMounts, imageRoot, podDir, prepareVolumes, removePodDir, rewritePaths, type Mount, type Sources } from "./volumes.ts";
import { deepEqual } from "../types.ts";


/** NodeConfig is the shape of the simulated nodes. */
export interface NodeConfig {
  count: number;
  gpusPerNode: number;
  cpu: string;
  memory: string;
}

/** KubeletOptions wires the kubelet to the API server and the host. */
export interface KubeletOptions {
  client: Client;
  log: Logger;
  events: Recorder;
  dataDir: string;
  apiUrl: string;
  nodes: NodeConfig;
  /** images maps an image name (without tag, or with it for an exact match) to the argv that runs it. */
  images: Record<string, string[]>;
  now: () => Date;
  /** restartBackoffBaseMs is the first CrashLoopBackOff delay (Kubernetes: 10 s, doubling to 5 min). */
  restartBackoffBaseMs?: number;
  /** stopGraceMs caps the grace period when the whole cluster stops. */
  stopGraceMs?: number;
  /** ipBlock picks pod IPs 127.ipBlock.x.y first (1-254; see newIpAllocator). */
  ipBlock?: number;
  /** leaseIntervalMs is how often each node renews its Lease in kube-node-lease (Kubernetes: 10 s). */
  leaseIntervalMs?: number;
}

/** nodeName names the i-th node. */
export function nodeName(i: number): string {
  return `local-${i}`;
}

/** imageArgv maps a container to the argv to run: a mapped image's argv plus args, else command plus args, else args; or a waiting reason (pure). */
export function imageArgv(c: Container, images: Record<string, string[]>): string[] | { reason: string; message: string } {
  const image = c.image ?? "";
  const bare = image.replace(/@sha256:[0-9a-f]+$/, "").replace(/:[^/:]+$/, "");
  const mapped = images[image] ?? images[bare];
  // A mapped image's entry point is the mapping; the container's args follow it.
  if (mapped !== undefined) return [...mapped, ...(c.args ?? [])];
  if (c.command !== undefined && c.command.length > 0) return [...c.command, ...(c.args ?? [])];
  // Base images (busybox, debian, ...) have no entry point, so their args are the command:
  // `kubectl run x --image=busybox -- sh -c "..."` sends args only.
  if (c.args !== undefined && c.args.length > 0) return [...c.args];
  return { reason: "ImageNotMapped", message: `image "${image}" has no local mapping and the container gives no command: map it with --image-map` };
}

interface Ctr {
  spec: Container;
  init: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
  proc?: Running;
  pid?: number;
  backoffUntil?: number;
  starting?: boolean;
  /** reported is the last waiting message sent as an event, so a retry does not repeat it. */
  reported?: string;
}

interface PodRuntime {
  uid: string;
  key: string;
  pod: Pod;
  ip?: string;
  dirs?: Map<string, string>;
  inits: Ctr[];
  apps: Ctr[];
  failed?: { reason: string; message: string };
  waitingWhy?: string;
  written?: PodStatus;
}

const isTerminalPhase = (p: Pod): boolean => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** nextPhase computes the pod phase from its containers' states (pure). */
export function nextPhase(restartPolicy: string, inits: Ctr[], apps: Ctr[]): PodStatus["phase"] {
  const doneOk = (c: Ctr): boolean => c.state.terminated?.exitCode === 0;
  const willRestart = (c: Ctr): boolean => c.state.terminated !== undefined && (restartPolicy === "Always" || (restartPolicy === "OnFailure" && c.state.terminated.exitCode !== 0));
  const initFailed = inits.some((c) => c.state.terminated !== undefined && c.state.terminated.exitCode !== 0 && restartPolicy === "Never");
  if (initFailed) return "Failed";
  if (!inits.every(doneOk)) return "Pending";
  const ended = apps.every((c) => c.state.terminated !== undefined && !willRestart(c));
  if (ended) return apps.every(doneOk) ? "Succeeded" : "Failed";
  return apps.some((c) => c.state.running !== undefined || c.state.terminated !== undefined) ? "Running" : "Pending";
}

function statusOf(c: Ctr): ContainerStatus {
  const running = c.state.running !== undefined;
  return {
    name: c.spec.name, image: c.spec.image ?? "", imageID: "", ready: running && !c.init, started: running, restartCount: c.restartCount,
    state: c.state, lastState: c.lastState, ...(c.pid === undefined ? {} : { containerID: `local://${c.pid}` }),
  };
}

function condition(type: string, ok: boolean, old: Condition[] | undefined, at: string, reason?: string): Condition {
  const prev = old?.find((c) => c.type === type);
  const status = ok ? "True" : "False";
  return { type, status, lastProbeTime: null, lastTransitionTime: prev?.status === status ? (prev.lastTransitionTime ?? at) : at, ...(reason === undefined || ok ? {} : { reason }) };
}

/** Kubelet is one kubelet's settings and state, shared by the steps below. */
interface Kubelet {
  opts: KubeletOptions;
  nodeNames: Set<string>;
  ips: IpAllocator;
  /** runtimes holds each pod this kubelet runs, by uid. */
  runtimes: Map<string, PodRuntime>;
  /** stopping holds the teardowns of deleted pods still in their grace period. */
  stopping: Set<Promise<void>>;
  hostsPath: string;
  /** preloads is the NODE_OPTIONS part that loads the DNS and mount preloads into each container. */
  preloads: string;
  stopped: boolean;
  informers: { pods?: Informer<Pod>; services?: Informer<Service>; secrets?: Informer<KeyedData>; configMaps?: Informer<KeyedData>; pvcs?: Informer<Pvc> };
  src: Sources;
  queue: Queue;
}

/** startKubelet registers the nodes and runs the pods bound to them until stop. */
export function startKubelet(opts: KubeletOptions): { stop(): Promise<void>; synced: Promise<void> } {
  const { log, dataDir } = opts;
  const informers: Kubelet["informers"] = {};
  const k: Kubelet = {
    opts,
    nodeNames: new Set(Array.from({ length: opts.nodes.count }, (_, i) => nodeName(i))),
    ips: newIpAllocator(opts.ipBlock),
    runtimes: new Map(),
    stopping: new Set(),
    hostsPath: join(dataDir, "dns", "hosts"),
    preloads: ["./dns-preload.ts", "./mount-preload.ts"].map((m) => `--import=${pathToFileURL(new URL(m, import.meta.url).pathname).href}`).join(" "),
    stopped: false,
    informers,
    src: {
      secret: (ns, name) => informers.secrets?.get(`${ns}/${name}`),
      configMap: (ns, name) => informers.configMaps?.get(`${ns}/${name}`),
      pvc: (ns, name) => informers.pvcs?.get(`${ns}/${name}`),
    },
    queue: newQueue("kubelet", (uid) => reconcile(k, uid), log),
  };
  const leaseTimer = setInterval(() => void renewLeases(k), opts.leaseIntervalMs ?? 10_000);
  leaseTimer.unref();

  // If the cluster process exits without stop() (an uncaught error, process.exit), its
  // containers go with it rather than run on unowned; SIGKILL of the cluster leaves them to killOrphans.
  const killAll = (): void => {
    for (const rt of k.runtimes.values()) for (const c of [...rt.inits, ...rt.apps]) if (c.proc !== undefined) c.proc.kill();
  };
  process.once("exit", killAll);

  const orphans = killOrphans(join(dataDir, "pods"), `TEMPER_HOSTS_FILE=${k.hostsPath}`);
  if (orphans > 0) log.info({ orphans }, "Killed containers left by a previous run");
  const ready = registerNodes(k).then(() => startInformers(k));
  return {
    synced: ready,
    async stop() {
      k.stopped = true;
      process.removeListener("exit", killAll);
      clearInterval(leaseTimer);
      k.queue.stop();
      for (const inf of Object.values(informers)) inf?.stop();
      await Promise.all([...k.runtimes.values()].map((rt) => teardown(k, rt, Math.min(opts.stopGraceMs ?? 3000, 1000 * (rt.pod.spec.terminationGracePeriodSeconds ?? 30)))));
      await Promise.all(k.stopping);
    },
  };
}

/** startInformers watches pods (waking the pods bound here), services (for cluster DNS), and the secrets, config maps and claims volumes read; it resolves once all have listed and the node leases exist. */
async function startInformers(k: Kubelet): Promise<void> {
  const { client, log } = k.opts;
  const i = k.informers;
  const touch = (): void => refreshHosts(k);
  const pods = newInformer<Pod>({
    client, path: "/api/v1/pods", log,
    onChange: (_type, p) => {
      touch();
      if (k.runtimes.has(p.metadata.uid) || (p.spec.nodeName !== undefined && k.nodeNames.has(p.spec.nodeName))) k.queue.add(p.metadata.uid);
    },
  });
  i.pods = pods;
  const services = newInformer<Service>({ client, path: "/api/v1/services", log, onChange: touch });
  i.services = services;
  const secrets = newInformer<KeyedData>({ client, path: "/api/v1/secrets", log, onChange: () => undefined });
  i.secrets = secrets;
  const configMaps = newInformer<KeyedData>({ client, path: "/api/v1/configmaps", log, onChange: () => undefined });
  i.configMaps = configMaps;
  const pvcs = newInformer<Pvc>({ client, path: "/api/v1/persistentvolumeclaims", log, onChange: () => undefined });
  i.pvcs = pvcs;
  await Promise.all([pods.synced, services.synced, secrets.synced, configMaps.synced, pvcs.synced, renewLeases(k)]);
}

/** refreshHosts rewrites the cluster DNS hosts file from the pods and services, once both are watched. */
function refreshHosts(k: Kubelet): void {
  const { pods, services } = k.informers;
  if (pods === undefined || services === undefined) return;
  try {
    if (writeHosts(k.hostsPath, renderHosts(hostsEntries(pods.items(), services.items())))) k.opts.log.debug({ hostsPath: k.hostsPath }, "Updated cluster DNS names");
  } catch (err) {
    k.opts.log.warn({ err: String(err) }, "Failed to write the hosts file");
  }
}

/** podStatus computes a pod's status from its runtime at time at (pure). */
function podStatus(rt: PodRuntime, pod: Pod, at: string): PodStatus {
  const old = pod.status?.conditions;
  const restartPolicy = pod.spec.restartPolicy ?? "Always";
  const phase = rt.failed !== undefined ? "Failed" : nextPhase(restartPolicy, rt.inits, rt.apps);
  const initialized = rt.inits.every((c) => c.state.terminated?.exitCode === 0);
  const ready = phase === "Running" && rt.apps.every((c) => c.state.running !== undefined);
  const scheduled = old?.find((c) => c.type === "PodScheduled") ?? { type: "PodScheduled", status: "True" as const, lastProbeTime: null, lastTransitionTime: at };
  const terminalReason = phase === "Succeeded" || phase === "Failed" ? "PodCompleted" : "ContainersNotReady";
  return {
    phase,
    conditions: [
      condition("PodReadyToStartContainers", rt.ip !== undefined, old, at),
      condition("Initialized", initialized, old, at, phase === "Succeeded" || phase === "Failed" ? "PodCompleted" : "ContainersNotInitialized"),
      condition("Ready", ready, old, at, terminalReason),
      condition("ContainersReady", ready, old, at, terminalReason),
      scheduled,
    ],
    ...(rt.failed === undefined ? {} : { reason: rt.failed.reason, message: rt.failed.message }),
    hostIP: "127.0.0.1", hostIPs: [{ ip: "127.0.0.1" }],
    ...(rt.ip === undefined ? {} : { podIP: rt.ip, podIPs: [{ ip: rt.ip }] }),
    startTime: pod.status?.startTime ?? at,
    ...(rt.inits.length === 0 ? {} : { initContainerStatuses: rt.inits.map(statusOf) }),
    containerStatuses: rt.apps.map(statusOf),
    qosClass: pod.status?.qosClass ?? "BestEffort",
  };
}

/** writeStatus patches the pod's status when it differs from the last one written. */
async function writeStatus(k: Kubelet, rt: PodRuntime, pod: Pod): Promise<void> {
  const next = podStatus(rt, pod, k.opts.now().toISOString());
  if (rt.written !== undefined && deepEqual(rt.written, next)) return;
  const ns = pod.metadata.namespace ?? "default";
  await k.opts.client.patch(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`, { status: next });
  rt.written = next;
}

/** baseEnv is the environment every container of a pod starts from, before its own env. */
function baseEnv(k: Kubelet, rt: PodRuntime, dir: string, mounts: Mount[]): Record<string, string> {
  const pod = rt.pod;
  return {
    // The cluster's own Node comes first: the preloads are TypeScript, which older Nodes cannot load.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: process.env.HOME ?? dir, TMPDIR: join(dir, "tmp"),
    HOSTNAME: pod.spec.hostname ?? pod.metadata.name,
    KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: new URL(k.opts.apiUrl).port,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${k.preloads}`.trim(),
    TEMPER_HOSTS_FILE: k.hostsPath, TEMPER_POD_NAMESPACE: pod.metadata.namespace ?? "default", TEMPER_POD_IP: rt.ip ?? "",
    TEMPER_MOUNTS: JSON.stringify(Object.fromEntries(mounts.map((m) => [m.mountPath, m.hostPath]))),
    // The image's own files (this checkout and its Node) and the node's own files (the cluster
    // DNS hosts file) are never behind a volume, even when a mountPath such as /tmp prefixes
    // where they live on the host: a cluster kept under /tmp must still resolve pod names.
    TEMPER_MOUNTS_EXCLUDE: JSON.stringify([imageRoot, dirname(k.hostsPath)]),
  };
}

/** launch starts one container as a process, or leaves it waiting with the reason it cannot start. */
async function launch(k: Kubelet, rt: PodRuntime, c: Ctr): Promise<void> {
  const { opts } = k;
  const pod = rt.pod;
  const dir = podDir(opts.dataDir, pod.metadata.namespace ?? "default", pod.metadata.name);
  const wait = async (reason: string, message: string): Promise<void> => {
    c.state = { waiting: { reason, message } };
    if (c.reported !== message) {
      c.reported = message;
      await opts.events.emit(pod, "Warning", "Failed", `Error: ${reason}: ${message}`);
    }
  };
  const argv = imageArgv(c.spec, opts.images);
  if (!Array.isArray(argv)) return wait(argv.reason, argv.message);
  const mounts: Mount[] = containerMounts(c.spec, rt.dirs ?? new Map());
  const viewed: Pod = { ...pod, status: { ...pod.status, podIP: rt.ip } };
  const computed = containerEnv(viewed, c.spec, k.src, mounts, baseEnv(k, rt, dir, mounts));
  if (!("env" in computed)) return wait(computed.reason, computed.message);
  const vars = computed.env;
  const args = argv.map((a) => rewritePaths(expand(a, vars), mounts));
  mkdirSync(join(dir, "tmp"), { recursive: true });
  await opts.events.emit(pod, "Normal", "Pulled", `Container image "${c.spec.image ?? ""}" already present on machine`);
  await opts.events.emit(pod, "Normal", "Created", `Created container ${c.spec.name}`);
  try {
    const proc = await startProcess({
      argv: args, env: vars, cwd: c.spec.workingDir === undefined ? dir : rewritePaths(c.spec.workingDir, mounts),
      logPath: join(dir, `${c.spec.name}.log`), previousLogPath: join(dir, `${c.spec.name}.previous.log`), pidPath: join(dir, `${c.spec.name}.pid`),
    }, opts.now);
    c.proc = proc;
    c.pid = proc.pid;
    c.state = { running: { startedAt: proc.startedAt.toISOString() } };
    opts.log.info({ pod: rt.key, container: c.spec.name, pid: proc.pid, argv: args }, "Started container");
    await opts.events.emit(pod, "Normal", "Started", `Started container ${c.spec.name}`);
    void proc.exited.then((exit) => {
      c.proc = undefined;
      const startedAt = proc.startedAt.toISOString();
      c.state = { terminated: { exitCode: exit.exitCode, reason: exit.exitCode === 0 ? "Completed" : "Error", startedAt, finishedAt: exit.finishedAt.toISOString(), ...(exit.signal === undefined ? {} : { signal: 0 }) } };
      opts.log.info({ pod: rt.key, container: c.spec.name, exitCode: exit.exitCode, signal: exit.signal }, "Container exited");
      k.queue.add(rt.uid);
    });
  } catch (err) {
    const at = opts.now().toISOString();
    c.state = { terminated: { exitCode: 128, reason: "StartError", message: String(err), startedAt: at, finishedAt: at } };
    await opts.events.emit(pod, "Warning", "Failed", `Error: ${String(err)}`);
  }
}

/** step advances one container: start it, or restart it after its backoff; returns a requeue delay. */
async function step(k: Kubelet, rt: PodRuntime, c: Ctr, restartPolicy: string): Promise<number | undefined> {
  const { opts } = k;
  if (c.proc !== undefined || c.starting === true) return undefined;
  const t = c.state.terminated;
  if (t !== undefined) {
    const again = restartPolicy === "Always" || (restartPolicy === "OnFailure" && t.exitCode !== 0) || (c.init && t.exitCode !== 0 && restartPolicy !== "Never");
    if (!again) return undefined;
    const now = opts.now().getTime();
    if (c.backoffUntil === undefined) {
      c.backoffUntil = now + Math.min(300_000, (opts.restartBackoffBaseMs ?? 10_000) * 2 ** c.restartCount);
      await opts.events.emit(rt.pod, "Warning", "BackOff", `Back-off restarting failed container ${c.spec.name} in pod ${rt.pod.metadata.name}`);
    }
    if (now < c.backoffUntil) {
      c.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off restarting failed container=${c.spec.name} pod=${rt.pod.metadata.name}` } };
      c.lastState = { terminated: t };
      return c.backoffUntil - now;
    }
  }
  if (c.state.waiting?.reason === "CrashLoopBackOff") {
    if (c.backoffUntil !== undefined && opts.now().getTime() < c.backoffUntil) return c.backoffUntil - opts.now().getTime();
    c.restartCount++;
    c.backoffUntil = undefined;
  } else if (t !== undefined) {
    c.lastState = { terminated: t };
    c.restartCount++;
    c.backoffUntil = undefined;
  }
  c.starting = true;
  try {
    await launch(k, rt, c);
  } finally {
    c.starting = false;
  }
  return c.state.waiting !== undefined ? 2000 : undefined;
}

/** teardown stops a pod's running containers within graceMs, then frees its IP and removes its directory. */
async function teardown(k: Kubelet, rt: PodRuntime, graceMs: number): Promise<void> {
  k.runtimes.delete(rt.uid);
  const running = [...rt.inits, ...rt.apps].filter((c) => c.proc !== undefined);
  for (const c of running) {
    k.opts.log.info({ pod: rt.key, container: c.spec.name, graceMs }, "Stopping container");
    if (!k.stopped) await k.opts.events.emit(rt.pod, "Normal", "Killing", `Stopping container ${c.spec.name}`);
  }
  await Promise.all(running.map(async (c) => c.proc?.stop(graceMs)));
  if (rt.ip !== undefined) k.ips.release(rt.ip);
  // As on a real node, a deleted pod's logs and volumes go with it (claims and hostPaths stay).
  removePodDir(k.opts.dataDir, rt.pod.metadata.namespace ?? "default", rt.pod.metadata.name);
}

/** reconcile moves the pod with this uid toward its spec: tears it down once deleted, else prepares its sandbox, steps its containers and writes its status. */
async function reconcile(k: Kubelet, uid: string): Promise<{ requeueAfterMs?: number }> {
  const pods = k.informers.pods;
  if (k.stopped || pods === undefined) return {};
  const rt0 = k.runtimes.get(uid);
  const pod = pods.items().find((p) => p.metadata.uid === uid);
  if (pod === undefined || pod.metadata.deletionTimestamp) {
    if (rt0 !== undefined) stopInBackground(k, rt0, 1000 * ((pod ?? rt0.pod).spec.terminationGracePeriodSeconds ?? 30));
    return {};
  }
  if (!pod.spec.nodeName || !k.nodeNames.has(pod.spec.nodeName)) return {};
  if (rt0 === undefined && isTerminalPhase(pod)) return {};
  const rt = rt0 ?? newRuntime(k, uid, pod);
  rt.pod = pod;
  if (rt.failed === undefined && rt.dirs === undefined && !(await prepareSandbox(k, rt, pod))) return { requeueAfterMs: 2000 };
  const restartPolicy = pod.spec.restartPolicy ?? "Always";
  const delays: number[] = [];
  if (rt.failed === undefined) {
    const pendingInit = rt.inits.find((c) => c.state.terminated?.exitCode !== 0);
    for (const c of pendingInit !== undefined ? [pendingInit] : rt.apps) {
      const d = await step(k, rt, c, restartPolicy);
      if (d !== undefined) delays.push(d);
    }
  }
  await writeStatus(k, rt, pod);
  const phase = rt.written?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    // The pod is done: its IP goes back to the pool; its logs stay until it is deleted.
    if (rt.ip !== undefined) k.ips.release(rt.ip);
    rt.ip = undefined;
    return {};
  }
  return delays.length === 0 ? {} : { requeueAfterMs: Math.min(...delays) };
}

/** stopInBackground tears a deleted pod down without waiting: a process using its whole grace period must not hold up other pods. */
function stopInBackground(k: Kubelet, rt: PodRuntime, graceMs: number): void {
  const done = teardown(k, rt, graceMs).catch((err: unknown) => k.opts.log.warn({ pod: rt.key, err: String(err) }, "Failed to stop pod"));
  k.stopping.add(done);
  void done.finally(() => k.stopping.delete(done));
}

/** newRuntime records a pod newly bound here, its containers waiting to be created. */
function newRuntime(k: Kubelet, uid: string, pod: Pod): PodRuntime {
  const seed = (c: Container, init: boolean): Ctr => ({ spec: c, init, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } }, lastState: {} });
  const rt: PodRuntime = { uid, key: keyOf(pod), pod, inits: (pod.spec.initContainers ?? []).map((c) => seed(c, true)), apps: pod.spec.containers.map((c) => seed(c, false)) };
  // A pod that was running when the cluster last stopped lost its processes, as on a node reboot.
  if (pod.status?.phase === "Running" && (pod.spec.restartPolicy ?? "Always") === "Never") {
    rt.failed = { reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was terminated" };
    for (const c of rt.apps) c.state = { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: rt.failed.message } };
  }
  k.runtimes.set(uid, rt);
  return rt;
}

/** prepareSandbox gives the pod its IP and volumes; false (with a warning event and status written) while a volume is not ready yet. */
async function prepareSandbox(k: Kubelet, rt: PodRuntime, pod: Pod): Promise<boolean> {
  rt.ip ??= k.ips.allocate();
  const dirs = prepareVolumes(k.opts.dataDir, { ...pod, status: { ...pod.status, podIP: rt.ip } }, k.src);
  if (dirs instanceof Map) {
    rt.dirs = dirs;
    return true;
  }
  // The pod gets its IP with its sandbox, once its volumes are ready.
  k.ips.release(rt.ip);
  rt.ip = undefined;
  if (rt.waitingWhy !== dirs.message) {
    rt.waitingWhy = dirs.message;
    await k.opts.events.emit(pod, "Warning", dirs.reason, dirs.message);
  }
  await writeStatus(k, rt, pod);
  return false;
}

/** registerNodes creates each node this kubelet runs and reports it Ready with its capacity. */
async function registerNodes(k: Kubelet): Promise<void> {
  const { client, nodes, now, log } = k.opts;
  for (const name of k.nodeNames) {
    const labels = { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": process.arch === "x64" ? "amd64" : process.arch, ...(nodes.gpusPerNode > 0 ? { "nvidia.com/gpu.present": "true" } : {}) };
    if ((await client.get(`/api/v1/nodes/${name}`)) === undefined) {
      await client.create("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: {} });
    }
    const resources = { cpu: nodes.cpu, memory: nodes.memory, "nvidia.com/gpu": String(nodes.gpusPerNode), pods: "110", "ephemeral-storage": "100Gi" };
    const at = now().toISOString();
    await client.patch(`/api/v1/nodes/${name}/status`, {
      status: {
        capacity: resources, allocatable: resources,
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at }],
        addresses: [{ type: "InternalIP", address: "127.0.0.1" }, { type: "Hostname", address: name }],
        nodeInfo: { kubeletVersion: "v1.32.0-temper", operatingSystem: "linux", architecture: process.arch, containerRuntimeVersion: "local-process://1", osImage: process.platform, kernelVersion: "", kubeProxyVersion: "", machineID: "", systemUUID: "", bootID: "" },
      },
    });
    log.info({ node: name, gpus: nodes.gpusPerNode }, "Registered node");
  }
}

/** renewLeases creates or renews each node's Lease in kube-node-lease; a failure is logged and retried at the next renewal. */
async function renewLeases(k: Kubelet): Promise<void> {
  const { client, now, log } = k.opts;
  for (const name of k.nodeNames) {
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now().toISOString().replace("Z", "000Z") };
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    try {
      if ((await client.get(path)) === undefined) {
        await client.create("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec });
      } else await client.patch(path, { spec });
    } catch (err) {
      log.warn({ node: name, err: String(err) }, "Failed to renew node lease");
    }
  }
}
