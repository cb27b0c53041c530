// demo-view: renders the demo's progress — one line per job with a progress bar, its phase,
// stage, epoch and latest figures ("val" the validation accuracy of the last evaluated epoch,
// "test" the test split's, once the job has ended) — and, at the end, the RL temperature loop as
// a chart of temperature and entropy per epoch. Pure: status objects in, text out.
import asciichart from "asciichart";

/** JobView is the part of an SFTJob or RLJob the demo shows. */
export interface JobView {
  kind: string;
  name: string;
  phase?: string;
  stage?: string;
  epoch?: number;
  epochs?: number;
  attempt?: number;
  loss?: number;
  /** accuracy is the last validation accuracy; testAccuracy the test split's, measured once when the job ends. */
  accuracy?: number;
  testAccuracy?: number;
  reward?: number;
  temperature?: number;
  entropy?: number;
  message?: string;
  /** policy, targetEntropy and tolerance are the RLJob's spec.temperature policy and band. */
  policy?: string;
  targetEntropy?: number;
  tolerance?: number;
  history?: { temperature: number; entropy: number; nextTemperature: number; method?: string; reward?: number; accuracy?: number }[];
}

type Obj = Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** jobView extracts what the demo shows from a cluster object. */
export function jobView(o: Obj): JobView {
  const meta = (o.metadata ?? {}) as Obj;
  const status = (o.status ?? {}) as Obj;
  const metrics = (status.metrics ?? {}) as Obj;
  const temp = (status.temperature ?? {}) as Obj;
  const specTemp = (((o.spec ?? {}) as Obj).temperature ?? {}) as Obj;
  return {
    kind: String(o.kind),
    name: String(meta.name),
    phase: str(status.phase),
    stage: str(status.stage),
    epoch: num(status.epoch),
    epochs: num(status.epochs),
    attempt: num(status.attempt),
    loss: num(metrics.loss),
    accuracy: num(metrics.accuracy),
    testAccuracy: num(metrics.testAccuracy),
    reward: num(metrics.reward),
    temperature: num(temp.current),
    entropy: num(temp.entropy),
    message: str(status.message),
    policy: str(specTemp.policy),
    targetEntropy: num(specTemp.targetEntropy),
    tolerance: num(specTemp.tolerance),
    history: Array.isArray(temp.history) ? (temp.history as JobView["history"]) : undefined,
  };
}

/** bar draws a progress bar of width characters for done/total. */
export function bar(done: number, total: number, width = 20): string {
  const f = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

const fmt = (label: string, v: number | undefined, digits = 3) => (v === undefined ? "" : ` ${label} ${v.toFixed(digits)}`);

/** progressLine renders one job on one line. */
export function progressLine(j: JobView): string {
  const epochs = j.epochs ?? 0;
  const epoch = j.epoch ?? 0;
  const head = `${j.kind.padEnd(6)} ${j.name.padEnd(22)} ${(j.phase ?? "-").padEnd(9)}`;
  const where = `${j.stage ?? ""}${epochs > 0 ? ` ${epoch}/${epochs}` : ""}`.trim().padEnd(16);
  const figures = `${fmt("loss", j.loss)}${fmt("val", j.accuracy, 2)}${fmt("test", j.testAccuracy, 2)}${fmt("reward", j.reward, 2)}${fmt("T", j.temperature, 2)}${fmt("H", j.entropy)}${j.attempt !== undefined && j.attempt > 1 ? ` attempt ${j.attempt}` : ""}`;
  return `${head} ${bar(epoch, epochs)} ${where}${figures}`;
}

/** temperatureChart plots, per RL epoch, the temperature used and the entropy measured. */
export function temperatureChart(j: JobView): string {
  const target = j.targetEntropy ?? 0.3;
  const h = j.history ?? [];
  if (h.length === 0) return `${j.name}: no RL epochs recorded`;
  const temps = h.map((e) => e.temperature);
  const ents = h.map((e) => e.entropy);
  const goal = h.map(() => target);
  const chart = asciichart.plot([temps, ents, goal], { height: 10, format: (x: number) => x.toFixed(2).padStart(6) });
  const rows = h.map((e, i) => `  epoch ${String(i + 1).padStart(2)}  T ${e.temperature.toFixed(2)}  H ${e.entropy.toFixed(3)}  -> next T ${e.nextTemperature.toFixed(2)}${e.method === undefined ? "" : ` (${e.method})`}${e.reward === undefined ? "" : `  reward ${e.reward.toFixed(2)}`}${e.accuracy === undefined ? "" : `  val ${e.accuracy.toFixed(2)}`}`);
  return `${j.name}: temperature (first line), temperature-adjusted entropy (second), target ${target} (flat)\n${chart}\n${rows.join("\n")}`;
}

/**
 * bandVerdict says where the RLJob's measured entropy stands against its band: the epoch from
 * which every epoch stayed inside [target − tolerance, target + tolerance], or that it never
 * settled there, with the final entropy.
 */
export function bandVerdict(j: JobView): string {
  const h = j.history ?? [];
  if (h.length === 0) return `${j.name}: no RL epochs recorded`;
  if (j.policy !== "EntropyTarget" || j.targetEntropy === undefined || j.tolerance === undefined) return `${j.name}: ${j.policy ?? "no"} temperature policy, no entropy target to steer to`;
  const target = j.targetEntropy;
  const tol = j.tolerance;
  const inside = (e: { entropy: number }) => Math.abs(e.entropy - target) <= tol + 1e-9;
  let from = h.length;
  while (from > 0 && inside(h[from - 1])) from--;
  const band = `[${Number((target - tol).toFixed(4))}, ${Number((target + tol).toFixed(4))}]`;
  const last = h[h.length - 1].entropy.toFixed(3);
  if (from === h.length) return `${j.name}: final entropy ${last}, outside the band ${band}`;
  if (from === h.length - 1 && h.length > 1) return `${j.name}: entropy inside the band ${band} at the final epoch only (${last})`;
  return `${j.name}: entropy inside the band ${band} from epoch ${from + 1} of ${h.length} on (final ${last})`;
}

/** testLine compares the jobs' test-split accuracies, in the order given (an SFTJob, then the RLJob trained from it). */
export function testLine(jobs: JobView[]): string {
  const measured = jobs.filter((j) => j.testAccuracy !== undefined);
  return measured.length === 0 ? "test accuracy: not measured" : `test accuracy: ${measured.map((j) => `${j.name} ${(j.testAccuracy as number).toFixed(2)}`).join(" → ")}`;
}
