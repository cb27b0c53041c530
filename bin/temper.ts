#!/usr/bin/env node
// temper: the command-line entry point. Each subcommand lives with the part it drives;
// this file only dispatches, so that `npx temper validate` never loads the operator or the
// local cluster, and each part stays importable on its own.

/** Command is one subcommand: it takes the arguments after its name and resolves to an exit code. */
type Command = (args: string[]) => Promise<number>;

/** commands maps each subcommand to the module (relative to this file) and export that implement it. */
const commands: Record<string, { summary: string; module: string; exportName: string }> = {
  validate: {
    summary: "validate manifests offline: temper validate -f FILE_OR_DIR...",
    module: "../api/validate-cli.ts",
    exportName: "validateCommand",
  },
  cluster: {
    summary: "run the embedded local cluster: temper cluster up|down [--port N] [--kubeconfig PATH] [--data DIR] [--detach]",
    module: "../localcluster/cli.ts",
    exportName: "clusterCommand",
  },
  operator: {
    summary: "run the operator: temper operator [--kubeconfig PATH]",
    module: "../operator/main.ts",
    exportName: "operatorCommand",
  },
  demo: {
    summary: "run the demo pipeline (SFT, then RL) on the embedded local cluster",
    module: "./demo.ts",
    exportName: "demoCommand",
  },
};

/** load imports a command's module only when that command runs. */
async function load(name: string, c: { module: string; exportName: string }): Promise<Command> {
  const url = new URL(c.module, import.meta.url);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && (err as Error).message.includes(url.pathname)) {
      throw new Error(`temper ${name} is not part of this build yet (${c.module} is missing)`, { cause: err });
    }
    throw err;
  }
  const fn = mod[c.exportName];
  if (typeof fn !== "function") throw new Error(`${c.module} does not export ${c.exportName}`);
  return fn as Command;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: temper COMMAND [ARGS]\n\nCommands:\n${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`temper: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await load(name, command))(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`temper: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
