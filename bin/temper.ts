#!/usr/bin/env node
// temper: the command-line entry point. Each subcommand lives with the part it drives;
// this file only dispatches, so that `npx temper validate` never loads the operator or the
// local cluster, and each part stays importable on its own.

/** Command is one subcommand: it takes the arguments after its name and resolves to an exit code. */
type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: {
    summary: "validate manifests offline: temper validate -f FILE_OR_DIR...",
    load: async () => (await import("../api/validate-cli.ts")).validateCommand,
  },
  cluster: {
    summary: "run the embedded local cluster: temper cluster up|down [--port N] [--kubeconfig PATH] [--data DIR] [--detach]",
    load: async () => (await import("../localcluster/cli.ts")).clusterCommand,
  },
  operator: {
    summary: "run the operator: temper operator [--kubeconfig PATH]",
    load: async () => (await import("../operator/main.ts")).operatorCommand,
  },
  demo: {
    summary: "run the demo pipeline (SFT, then RL) on the embedded local cluster",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
};

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
  return (await command.load())(rest);
}

process.exitCode = await main(process.argv.slice(2));
