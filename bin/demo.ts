// demo: what `npm start` runs. The full demo (local cluster + operator + the SFT→RL pipeline
// on a tiny model, with progress bars and a temperature/entropy plot) needs the local cluster,
// the operator and the trainer; until they are all in this build it says what exists and what
// is coming, and validates the example manifests so the command still does something real.
import { existsSync } from "node:fs";
import { validateCommand } from "../api/validate-cli.ts";

const parts = [
  { name: "local cluster", file: "../localcluster/cli.ts", command: "npx temper cluster up" },
  { name: "operator", file: "../operator/main.ts", command: "npx temper operator --kubeconfig KUBECONFIG" },
  { name: "trainer", file: "../trainer/cli.ts", command: "npx temper-trainer sft --config FILE" },
];

/** demoCommand runs the demo, or explains which parts it still waits for. */
export async function demoCommand(_args: string[]): Promise<number> {
  const missing = parts.filter((p) => !existsSync(new URL(p.file, import.meta.url)));
  process.stdout.write("temper demo: SFT then entropy-steered RL on a tiny model, on the embedded local cluster.\n\n");
  for (const p of parts) {
    process.stdout.write(`  ${missing.includes(p) ? "coming " : "present"}  ${p.name.padEnd(14)} ${p.command}\n`);
  }
  process.stdout.write("\nThe full demo runs once every part is present. Meanwhile, the example manifests:\n\n");
  const rc = await validateCommand(["-f", new URL("../examples/", import.meta.url).pathname]);
  return rc;
}
