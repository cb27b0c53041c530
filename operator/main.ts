// main: `temper operator [--kubeconfig PATH] [flags]` — parse the configuration, run the
// operator, stop gracefully on SIGTERM/SIGINT. Exit code 2 on bad configuration.
import { pino } from "pino";
import { parseConfig } from "./config.ts";
import { startOperator } from "./operator.ts";

/** operatorCommand runs the operator until a signal; resolves to the exit code. */
export async function operatorCommand(args: string[]): Promise<number> {
  const parsed = parseConfig(args, process.env);
  if (!parsed.ok) {
    process.stderr.write(`temper operator: ${parsed.error}\n`);
    return 2;
  }
  const log = pino({ level: parsed.config.logLevel, base: { component: "operator" } });
  const op = await startOperator(parsed.config, { log });
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info({ signal }, "Received signal; shutting down");
  await op.stop();
  return 0;
}
