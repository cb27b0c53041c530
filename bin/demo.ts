// demo: what `npm start` runs. It starts the embedded local cluster (API server, scheduler, job
// controller, kubelet), runs the operator beside it as its own process, applies the CRDs and
// the pipeline (an SFTJob, then an RLJob initialised from it) with the real kubectl, shows
// progress until both jobs finish, and ends with the RL temperature loop charted per epoch, in
// the terminal and as NAME-temperature.svg and .png in the data directory.
// Nothing here is special-cased for the demo: the same manifests run on any cluster.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { bandVerdict, jobView, progressLine, temperatureChart, testLine, type JobView } from "./demo-view.ts";
import { historySeries, loopChartSvg, writeChart } from "./plot.ts";

const root = new URL("../", import.meta.url);
const parts = [
  { name: "local cluster", file: "localcluster/cluster.ts" },
  { name: "operator", file: "operator/main.ts" },
  { name: "trainer", file: "trainer/cli.ts" },
];

type Obj = Record<string, unknown>;

// kubectl runs asynchronously: the API server it talks to lives in this very process.
function kubectl(bin: string, kubeconfig: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((done) => {
    execFile(bin, args, { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, KUBECONFIG: kubeconfig } }, (err, stdout, stderr) => {
      done({ ok: err === null, out: `${stdout}${stderr}` });
    });
  });
}

async function jobs(bin: string, kc: string): Promise<JobView[]> {
  const r = await kubectl(bin, kc, ["get", "sftjobs,rljobs", "-A", "-o", "json"]);
  if (!r.ok) return [];
  try {
    return ((JSON.parse(r.out) as { items: Obj[] }).items ?? []).map(jobView);
  } catch {
    return [];
  }
}

/** writeLoopChart writes an RLJob's temperature loop to DIR/NAME-temperature.svg and .png and returns a line saying where. */
async function writeLoopChart(dir: string, j: JobView): Promise<string> {
  const history = j.history ?? [];
  if (history.length === 0) return "";
  // The chart is a view of the outcome, not part of it: a failure to draw it is reported, not fatal.
  try {
    const svg = loopChartSvg({ title: `${j.name}: temperature loop per epoch`, series: [historySeries(j.name, history)], targetEntropy: j.targetEntropy, tolerance: j.tolerance });
    const out = await writeChart(resolve(dir, `${j.name}-temperature`), svg);
    return `chart: ${out.svg} (and .png)\n`;
  } catch (err) {
    return `chart: not written (${err instanceof Error ? err.message : String(err)})\n`;
  }
}

const terminal = (j: JobView) => j.phase === "Succeeded" || j.phase === "Failed";

/** demoCommand runs the demo pipeline end to end. */
export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      manifest: { type: "string", default: "examples/pipeline.yaml" },
      data: { type: "string", default: ".temper/demo" },
      keep: { type: "boolean", default: false },
      "timeout-minutes": { type: "string", default: "60" },
    },
  });
  const missing = parts.filter((p) => !existsSync(new URL(p.file, root)));
  if (missing.length > 0) {
    process.stderr.write(`temper demo needs the ${missing.map((p) => p.name).join(" and ")}, which this build does not have yet.\n`);
    return 1;
  }
  const { startLocalCluster } = await import("../localcluster/cluster.ts");
  const { findKubectl } = await import("../localcluster/kubectl-binary.ts");
  const bin = findKubectl();
  if (bin === undefined) {
    process.stderr.write("temper demo: no kubectl found (set $KUBECTL or put kubectl on PATH)\n");
    return 1;
  }
  const dataDir = resolve(values.data);
  mkdirSync(dataDir, { recursive: true });
  process.stdout.write(`Starting the local cluster in ${dataDir} ...\n`);
  // The cluster's own logs go to a file; the terminal shows the jobs.
  const clusterLog = pino({ level: "info" }, pino.destination({ dest: resolve(dataDir, "cluster.log"), sync: false }));
  const cluster = await startLocalCluster({ dataDir, port: 0, controllers: true, log: clusterLog });
  const kc = cluster.kubeconfigPath;
  const opLog = createWriteStream(resolve(dataDir, "operator.log"));
  const operator: ChildProcess = spawn(process.execPath, [new URL("bin/temper.ts", root).pathname, "operator", "--kubeconfig", kc, "--leader-elect", "false", "--metrics-port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  operator.stdout?.pipe(opLog);
  operator.stderr?.pipe(opLog);
  const stop = async () => {
    operator.kill("SIGTERM");
    if (!values.keep) await cluster.stop();
  };
  try {
    process.stdout.write(`Cluster up (logs: ${resolve(dataDir, "cluster.log")}, ${resolve(dataDir, "operator.log")})\n  export KUBECONFIG=${kc}\n\n`);
    for (const step of [["apply", "-f", new URL("crds/", root).pathname], ["apply", "-f", resolve(values.manifest)]]) {
      const r = await kubectl(bin, kc, step);
      process.stdout.write(r.out);
      if (!r.ok) return 1;
    }
    process.stdout.write("val: validation accuracy of the last evaluated epoch (held-out problems the recipe is tuned on); test: the test split, held out from both, measured once when a job ends.\n");
    const deadline = Date.now() + Number(values["timeout-minutes"]) * 60_000;
    let last = "";
    let seen: JobView[] = [];
    while (Date.now() < deadline) {
      seen = await jobs(bin, kc);
      const text = seen.map(progressLine).join("\n");
      if (text !== last) {
        process.stdout.write(`${new Date().toISOString().slice(11, 19)}\n${text}\n`);
        last = text;
      }
      if (seen.length > 0 && seen.every(terminal)) break;
      if (operator.exitCode !== null) {
        process.stderr.write(`The operator exited (${operator.exitCode}); see ${resolve(dataDir, "operator.log")}\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    process.stdout.write("\n");
    for (const j of seen.filter((x) => x.kind === "RLJob")) process.stdout.write(`${temperatureChart(j)}\n${await writeLoopChart(dataDir, j)}\n${bandVerdict(j)}\n`);
    process.stdout.write(`${testLine(seen)}\n`);
    const ok = seen.length > 0 && seen.every((j) => j.phase === "Succeeded");
    process.stdout.write(ok ? "The pipeline succeeded.\n" : `The pipeline did not succeed: ${seen.map((j) => `${j.name} ${j.phase ?? "?"} ${j.message ?? ""}`).join("; ")}\n`);
    if (values.keep) process.stdout.write(`The cluster keeps running: KUBECONFIG=${kc} kubectl get temper\n`);
    return ok ? 0 : 1;
  } finally {
    await stop();
  }
}
