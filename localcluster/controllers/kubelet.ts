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
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "pino";
import type { Client, Informer } from "./client.ts";
import { newInformer } from "./client.ts";
import type { Recorder } from "./events.ts";
import { containerEnv, expand } from "./podenv.ts";
import { hostsEntries, newIpAllocator, renderHosts, writeHosts } from "./podnet.ts";
import { newQueue } from "./queue.ts";
import { killOrphans, startProcess, type Running } from "./runner.ts";
import { keyOf, type Condition, type Container, type ContainerState, type ContainerStatus, type KeyedData, type Pod, type PodStatus, type Pvc, type Service } from "./types.ts";
import { containerMounts, podDir, prepareVolumes, removePodDir, rewritePaths, type Mount, type Sources } from "./volumes.ts";
import { deepEqual } from "../types.ts";

/** imageRoot is the checkout the mapped images run from. */
const imageRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

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

/** startKubelet registers the nodes and runs the pods bound to them until stop. */
export function startKubelet(opts: KubeletOptions): { stop(): Promise<void>; synced: Promise<void> } {
  const { client, log, dataDir } = opts;
  const nodeNames = new Set(Array.from({ length: opts.nodes.count }, (_, i) => nodeName(i)));
  const ips = newIpAllocator(opts.ipBlock);
  const runtimes = new Map<string, PodRuntime>();
  const stopping = new Set<Promise<void>>();
  const hostsPath = join(dataDir, "dns", "hosts");
  const preloads = ["./dns-preload.ts", "./mount-preload.ts"].map((m) => `--import=${pathToFileURL(new URL(m, import.meta.url).pathname).href}`).join(" ");
  const base = opts.restartBackoffBaseMs ?? 10_000;
  let stopped = false;

  let pods: Informer<Pod> | undefined = undefined;
  let services: Informer<Service> | undefined = undefined;
  let secrets: Informer<KeyedData> | undefined = undefined;
  let configMaps: Informer<KeyedData> | undefined = undefined;
  let pvcs: Informer<Pvc> | undefined = undefined;
  const src: Sources = {
    secret: (ns, name) => secrets?.get(`${ns}/${name}`),
    configMap: (ns, name) => configMaps?.get(`${ns}/${name}`),
    pvc: (ns, name) => pvcs?.get(`${ns}/${name}`),
  };

  const refreshHosts = (): void => {
    if (pods === undefined || services === undefined) return;
    try {
      if (writeHosts(hostsPath, renderHosts(hostsEntries(pods.items(), services.items())))) log.debug({ hostsPath }, "Updated cluster DNS names");
    } catch (err) {
      log.warn({ err: String(err) }, "Failed to write the hosts file");
    }
  };

  const podStatus = (rt: PodRuntime, pod: Pod): PodStatus => {
    const at = opts.now().toISOString();
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
  };

  const writeStatus = async (rt: PodRuntime, pod: Pod): Promise<void> => {
    const next = podStatus(rt, pod);
    if (rt.written !== undefined && deepEqual(rt.written, next)) return;
    const ns = pod.metadata.namespace ?? "default";
    await client.patch(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`, { status: next });
    rt.written = next;
  };

  const launch = async (rt: PodRuntime, c: Ctr): Promise<void> => {
    const pod = rt.pod;
    const ns = pod.metadata.namespace ?? "default";
    const dir = podDir(dataDir, ns, pod.metadata.name);
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
    const podEnv: Record<string, string> = {
      // The cluster's own Node comes first: the preloads are TypeScript, which older Nodes cannot load.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: process.env.HOME ?? dir, TMPDIR: join(dir, "tmp"),
      HOSTNAME: pod.spec.hostname ?? pod.metadata.name,
      KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: new URL(opts.apiUrl).port,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${preloads}`.trim(),
      TEMPER_HOSTS_FILE: hostsPath, TEMPER_POD_NAMESPACE: ns, TEMPER_POD_IP: rt.ip ?? "",
      TEMPER_MOUNTS: JSON.stringify(Object.fromEntries(mounts.map((m) => [m.mountPath, m.hostPath]))),
      // The image's own files (this checkout and its Node) and the node's own files (the cluster
      // DNS hosts file) are never behind a volume, even when a mountPath such as /tmp prefixes
      // where they live on the host: a cluster kept under /tmp must still resolve pod names.
      TEMPER_MOUNTS_EXCLUDE: JSON.stringify([imageRoot, dirname(hostsPath)]),
    };
    const computed = containerEnv(viewed, c.spec, src, mounts, podEnv);
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
      log.info({ pod: rt.key, container: c.spec.name, pid: proc.pid, argv: args }, "Started container");
      await opts.events.emit(pod, "Normal", "Started", `Started container ${c.spec.name}`);
      void proc.exited.then((exit) => {
        c.proc = undefined;
        const startedAt = proc.startedAt.toISOString();
        c.state = { terminated: { exitCode: exit.exitCode, reason: exit.exitCode === 0 ? "Completed" : "Error", startedAt, finishedAt: exit.finishedAt.toISOString(), ...(exit.signal === undefined ? {} : { signal: 0 }) } };
        log.info({ pod: rt.key, container: c.spec.name, exitCode: exit.exitCode, signal: exit.signal }, "Container exited");
        queue.add(rt.uid);
      });
    } catch (err) {
      const at = opts.now().toISOString();
      c.state = { terminated: { exitCode: 128, reason: "StartError", message: String(err), startedAt: at, finishedAt: at } };
      await opts.events.emit(pod, "Warning", "Failed", `Error: ${String(err)}`);
    }
  };

  /** step advances one container: start it, or restart it after its backoff; returns a requeue delay. */
  const step = async (rt: PodRuntime, c: Ctr, restartPolicy: string): Promise<number | undefined> => {
    if (c.proc !== undefined || c.starting === true) return undefined;
    const t = c.state.terminated;
    if (t !== undefined) {
      const again = restartPolicy === "Always" || (restartPolicy === "OnFailure" && t.exitCode !== 0) || (c.init && t.exitCode !== 0 && restartPolicy !== "Never");
      if (!again) return undefined;
      const now = opts.now().getTime();
      if (c.backoffUntil === undefined) {
        c.backoffUntil = now + Math.min(300_000, base * 2 ** c.restartCount);
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
      await launch(rt, c);
    } finally {
      c.starting = false;
    }
    return c.state.waiting !== undefined ? 2000 : undefined;
  };

  const teardown = async (rt: PodRuntime, graceMs: number): Promise<void> => {
    runtimes.delete(rt.uid);
    const running = [...rt.inits, ...rt.apps].filter((c) => c.proc !== undefined);
    for (const c of running) {
      log.info({ pod: rt.key, container: c.spec.name, graceMs }, "Stopping container");
      if (!stopped) await opts.events.emit(rt.pod, "Normal", "Killing", `Stopping container ${c.spec.name}`);
    }
    await Promise.all(running.map(async (c) => c.proc?.stop(graceMs)));
    if (rt.ip !== undefined) ips.release(rt.ip);
    // As on a real node, a deleted pod's logs and volumes go with it (claims and hostPaths stay).
    removePodDir(dataDir, rt.pod.metadata.namespace ?? "default", rt.pod.metadata.name);
  };

  const reconcile = async (uid: string): Promise<{ requeueAfterMs?: number }> => {
    if (stopped || pods === undefined) return {};
    const rt0 = runtimes.get(uid);
    const pod = pods.items().find((p) => p.metadata.uid === uid);
    const grace = (p: Pod): number => 1000 * (p.spec.terminationGracePeriodSeconds ?? 30);
    if (pod === undefined || pod.metadata.deletionTimestamp) {
      // Not awaited: a process using its whole grace period must not hold up other pods.
      if (rt0 !== undefined) {
        const done = teardown(rt0, grace(pod ?? rt0.pod)).catch((err: unknown) => log.warn({ pod: rt0.key, err: String(err) }, "Failed to stop pod"));
        stopping.add(done);
        void done.finally(() => stopping.delete(done));
      }
      return {};
    }
    if (!pod.spec.nodeName || !nodeNames.has(pod.spec.nodeName)) return {};
    let rt = rt0;
    if (rt === undefined) {
      if (isTerminalPhase(pod)) return {};
      const seed = (c: Container, init: boolean): Ctr => ({ spec: c, init, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } }, lastState: {} });
      rt = { uid, key: keyOf(pod), pod, inits: (pod.spec.initContainers ?? []).map((c) => seed(c, true)), apps: pod.spec.containers.map((c) => seed(c, false)) };
      // A pod that was running when the cluster last stopped lost its processes, as on a node reboot.
      if (pod.status?.phase === "Running" && (pod.spec.restartPolicy ?? "Always") === "Never") {
        rt.failed = { reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was terminated" };
        for (const c of rt.apps) c.state = { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: rt.failed.message } };
      }
      runtimes.set(uid, rt);
    }
    rt.pod = pod;
    if (rt.failed === undefined && rt.dirs === undefined) {
      rt.ip ??= ips.allocate();
      const dirs = prepareVolumes(dataDir, { ...pod, status: { ...pod.status, podIP: rt.ip } }, src);
      if (!(dirs instanceof Map)) {
        // The pod gets its IP with its sandbox, once its volumes are ready.
        ips.release(rt.ip);
        rt.ip = undefined;
        if (rt.waitingWhy !== dirs.message) {
          rt.waitingWhy = dirs.message;
          await opts.events.emit(pod, "Warning", dirs.reason, dirs.message);
        }
        await writeStatus(rt, pod);
        return { requeueAfterMs: 2000 };
      }
      rt.dirs = dirs;
    }
    const restartPolicy = pod.spec.restartPolicy ?? "Always";
    const delays: number[] = [];
    if (rt.failed === undefined) {
      const pendingInit = rt.inits.find((c) => c.state.terminated?.exitCode !== 0);
      if (pendingInit !== undefined) {
        const d = await step(rt, pendingInit, restartPolicy);
        if (d !== undefined) delays.push(d);
      } else {
        for (const c of rt.apps) {
          const d = await step(rt, c, restartPolicy);
          if (d !== undefined) delays.push(d);
        }
      }
    }
    await writeStatus(rt, pod);
    const phase = rt.written?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      // The pod is done: its IP goes back to the pool; its logs stay until it is deleted.
      if (rt.ip !== undefined) ips.release(rt.ip);
      rt.ip = undefined;
      return {};
    }
    return delays.length === 0 ? {} : { requeueAfterMs: Math.min(...delays) };
  };
  const queue = newQueue("kubelet", reconcile, log);

  const registerNodes = async (): Promise<void> => {
    for (const name of nodeNames) {
      const labels = { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": process.arch === "x64" ? "amd64" : process.arch, ...(opts.nodes.gpusPerNode > 0 ? { "nvidia.com/gpu.present": "true" } : {}) };
      if ((await client.get(`/api/v1/nodes/${name}`)) === undefined) {
        await client.create("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: {} });
      }
      const resources = { cpu: opts.nodes.cpu, memory: opts.nodes.memory, "nvidia.com/gpu": String(opts.nodes.gpusPerNode), pods: "110", "ephemeral-storage": "100Gi" };
      const at = opts.now().toISOString();
      await client.patch(`/api/v1/nodes/${name}/status`, {
        status: {
          capacity: resources, allocatable: resources,
          conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at }],
          addresses: [{ type: "InternalIP", address: "127.0.0.1" }, { type: "Hostname", address: name }],
          nodeInfo: { kubeletVersion: "v1.32.0-temper", operatingSystem: "linux", architecture: process.arch, containerRuntimeVersion: "local-process://1", osImage: process.platform, kernelVersion: "", kubeProxyVersion: "", machineID: "", systemUUID: "", bootID: "" },
        },
      });
      log.info({ node: name, gpus: opts.nodes.gpusPerNode }, "Registered node");
    }
  };

  const renewLeases = async (): Promise<void> => {
    for (const name of nodeNames) {
      const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: opts.now().toISOString().replace("Z", "000Z") };
      const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
      try {
        if ((await client.get(path)) === undefined) {
          await client.create("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec });
        } else await client.patch(path, { spec });
      } catch (err) {
        log.warn({ node: name, err: String(err) }, "Failed to renew node lease");
      }
    }
  };
  const leaseTimer = setInterval(() => void renewLeases(), opts.leaseIntervalMs ?? 10_000);
  leaseTimer.unref();

  // If the cluster process exits without stop() (an uncaught error, process.exit), its
  // containers go with it rather than run on unowned; SIGKILL of the cluster leaves them to killOrphans.
  const killAll = (): void => {
    for (const rt of runtimes.values()) for (const c of [...rt.inits, ...rt.apps]) if (c.proc !== undefined) c.proc.kill();
  };
  process.once("exit", killAll);

  const orphans = killOrphans(join(dataDir, "pods"), `TEMPER_HOSTS_FILE=${hostsPath}`);
  if (orphans > 0) log.info({ orphans }, "Killed containers left by a previous run");
  const ready = registerNodes().then(() => {
    const touch = (): void => refreshHosts();
    pods = newInformer<Pod>({
      client, path: "/api/v1/pods", log,
      onChange: (_type, p) => {
        touch();
        if (runtimes.has(p.metadata.uid) || (p.spec.nodeName !== undefined && nodeNames.has(p.spec.nodeName))) queue.add(p.metadata.uid);
      },
    });
    services = newInformer<Service>({ client, path: "/api/v1/services", log, onChange: touch });
    secrets = newInformer<KeyedData>({ client, path: "/api/v1/secrets", log, onChange: () => undefined });
    configMaps = newInformer<KeyedData>({ client, path: "/api/v1/configmaps", log, onChange: () => undefined });
    pvcs = newInformer<Pvc>({ client, path: "/api/v1/persistentvolumeclaims", log, onChange: () => undefined });
    return Promise.all([pods.synced, services.synced, secrets.synced, configMaps.synced, pvcs.synced, renewLeases()]).then(() => undefined);
  });
  return {
    synced: ready,
    async stop() {
      stopped = true;
      process.removeListener("exit", killAll);
      clearInterval(leaseTimer);
      queue.stop();
      for (const inf of [pods, services, secrets, configMaps, pvcs]) inf?.stop();
      await Promise.all([...runtimes.values()].map((rt) => teardown(rt, Math.min(opts.stopGraceMs ?? 3000, 1000 * (rt.pod.spec.terminationGracePeriodSeconds ?? 30)))));
      await Promise.all(stopping);
    },
  };
}
