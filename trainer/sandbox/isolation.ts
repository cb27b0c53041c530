// isolation: what the operating system lets the sandbox take away from a child, probed once per
// process, as the user the children run as. The network layer is a new network namespace with
// no interfaces (not even loopback up), entered through a user namespace so that it needs no
// capability: trainer pods run as uid 1000 with every capability dropped, where a plain
// `unshare --net` (CAP_SYS_ADMIN) fails. Where the kernel, its sysctls, AppArmor or the
// container's seccomp profile refuse user namespaces there is no network isolation, and that
// is said loudly (the trainer's log, every epoch report, the job's SandboxDegraded condition),
// never silently; spec.reward.code.isolation: Required turns it into a failure at start.
// This file probes, explains and checks a job against it at start; sandbox.ts applies it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { EpochReport } from "../../api/report.ts";
import type { TrainerConfig } from "../../api/trainer-config.ts";

/** SandboxIsolation is what this machine grants the sandbox's children. */
export interface SandboxIsolation {
  /** network is NetworkNamespace when children get a network namespace of their own, None when they share the pod's network. */
  network: "NetworkNamespace" | "None";
  /** unshare is the command prefix that puts a child in its namespaces; empty when network is None. */
  unshare: string[];
  /** prlimit says whether the address-space limit can be set (prlimit --as). */
  prlimit: boolean;
  /** reason says, when network is None, what the probe tried and what the system answered. */
  reason?: string;
}

/** Run runs a command to completion and says how it ended; the probe's one contact with the system. */
export type Run = (cmd: string, args: string[]) => { status: number | null; stderr: string; error?: Error };

/** ProbeOptions inject the system: who the children run as, how commands run, how sysctls read. */
export interface ProbeOptions {
  /** uid and gid are the user the children run as, when it is not this process's (tests running as root). */
  uid?: number;
  gid?: number;
  run?: Run;
  readSysctl?: (path: string) => string | undefined;
}

/**
 * namespaceCommands are the ways to a private network namespace, tried in order: a user
 * namespace mapping the current user to itself, so the child keeps no capability even inside it
 * (util-linux 2.38+); the same mapping the user to root, for older util-linux; and a bare
 * network namespace, which only a process with CAP_SYS_ADMIN may create.
 */
export const namespaceCommands: string[][] = [
  ["unshare", "--user", "--map-current-user", "--net", "--"],
  ["unshare", "--user", "--map-root-user", "--net", "--"],
  ["unshare", "--net", "--"],
];

/** sysctls are the kernel switches that turn unprivileged user namespaces off, and the value that means off. */
const sysctls: [string, string, string][] = [
  ["/proc/sys/user/max_user_namespaces", "0", "user namespaces are disabled (user.max_user_namespaces = 0)"],
  ["/proc/sys/kernel/unprivileged_userns_clone", "0", "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)"],
  ["/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1", "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)"],
];

function runAs(o: ProbeOptions): Run {
  return (cmd, args) => {
    const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 5000, encoding: "utf8", ...(o.uid !== undefined ? { uid: o.uid } : {}), ...(o.gid !== undefined ? { gid: o.gid } : {}) });
    return { status: r.status, stderr: r.stderr ?? "", ...(r.error !== undefined ? { error: r.error } : {}) };
  };
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** probeIsolation tries each way to a network namespace and to an address-space limit, as the children's user; never throws. */
export function probeIsolation(o: ProbeOptions = {}): SandboxIsolation {
  const run = o.run ?? runAs(o);
  const prlimit = run("prlimit", ["--as=1000000000", "true"]).status === 0;
  const tried: string[] = [];
  for (const prefix of namespaceCommands) {
    const r = run(prefix[0], [...prefix.slice(1), "true"]);
    if (r.status === 0) return { network: "NetworkNamespace", unshare: prefix, prlimit };
    const said = r.error !== undefined ? r.error.message : r.stderr.trim().split("\n").pop() || `exit ${r.status ?? "by signal"}`;
    tried.push(`${prefix.slice(0, -1).join(" ")}: ${said}`);
  }
  const read = o.readSysctl ?? readSysctl;
  const why = sysctls.filter(([path, off]) => read(path) === off).map(([, , says]) => says);
  const uid = o.uid ?? process.getuid?.();
  const reason = `no network namespace as uid ${uid ?? "?"}: ${[...why, ...tried].join("; ")}`;
  return { network: "None", unshare: [], prlimit, reason: reason.slice(0, 1024) };
}

let probed: SandboxIsolation | undefined;

/** sandboxIsolation is probeIsolation for this process's own user, run once; the sandbox and the trainer's reports both read it. */
export function sandboxIsolation(): SandboxIsolation {
  probed ??= probeIsolation();
  return probed;
}

/** IsolationRequirement is an RLJob's spec.reward.code.isolation. */
export type IsolationRequirement = "Required" | "BestEffort";

/** isolationFix says what an operator of the cluster can do about a node without network isolation. */
export const isolationFix = "allow unprivileged user namespaces on the node (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone = 1 where it exists, and a seccomp and AppArmor profile for the pod that permit unshare(CLONE_NEWUSER)), and keep util-linux's unshare in the trainer image";

/** isolationRefusal is the message a run that requires isolation fails with where there is none, or undefined when it may run. */
export function isolationRefusal(required: IsolationRequirement | undefined, isolation: SandboxIsolation): string | undefined {
  if (required !== "Required" || isolation.network !== "None") return undefined;
  return `spec.reward.code.isolation is Required, but the code sandbox cannot isolate the network on this node (${isolation.reason ?? "no reason given"}). To fix it, ${isolationFix}; or set spec.reward.code.isolation to BestEffort to run code rollouts without network isolation`;
}

/** SandboxReport is what every epoch report of a job that runs code says of the sandbox (api/report.ts). */
export type SandboxReport = NonNullable<EpochReport["sandbox"]>;

/** SandboxCheck is the start-up check's answer: run, with what the reports say, or refuse, saying why. */
export type SandboxCheck = { ok: true; report?: SandboxReport } | { ok: false; error: string };

/** runsCode says whether a job's data includes code, the one task whose rewards run the sandbox. */
function runsCode(cfg: TrainerConfig): boolean {
  return cfg.kind === "SFTJob" ? cfg.spec.data.task === "code" : cfg.spec.stages.some((s) => s.data.task === "code");
}

/**
 * checkSandbox is the trainer's start-up check. For a job that runs code it probes the sandbox
 * (probe, default sandboxIsolation: the same answer the sandbox's children are run with), logs
 * what it found (a sandbox-degraded event when the network cannot be isolated) and refuses a
 * job whose spec.reward.code.isolation is Required where it cannot. A job without code is not
 * probed and its reports say nothing of the sandbox.
 */
export function checkSandbox(cfg: TrainerConfig, log: (event: Record<string, unknown>) => void, probe: () => SandboxIsolation = sandboxIsolation): SandboxCheck {
  if (!runsCode(cfg)) return { ok: true };
  const isolation = probe();
  const refusal = isolationRefusal(cfg.kind === "RLJob" ? cfg.spec.reward.code.isolation : undefined, isolation);
  if (refusal !== undefined) return { ok: false, error: refusal };
  if (isolation.network === "NetworkNamespace") {
    log({ event: "sandbox", isolation: "NetworkNamespace" });
    return { ok: true, report: { isolation: "NetworkNamespace" } };
  }
  const reason = isolation.reason ?? "no reason given";
  log({ event: "sandbox-degraded", isolation: "None", reason, effect: "code rollouts share the pod's network: a solution can open sockets to the gang, the operator and beyond", fix: isolationFix });
  return { ok: true, report: { isolation: "None", reason } };
}
