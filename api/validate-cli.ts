// validate-cli: `temper validate -f FILE_OR_DIR...`. Exit 0 when every temper object is valid,
// 1 when any problem was found (one line per problem: file, object, field, what is expected),
// 2 on bad usage or unreadable input.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { validateText } from "./validate.ts";

const manifestFile = /\.(ya?ml|json)$/;

/** manifestFiles expands files and directories (recursively) into manifest file paths, sorted. */
export function manifestFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const children = readdirSync(p).sort().map((c) => join(p, c));
      out.push(...manifestFiles(children.filter((c) => statSync(c).isDirectory() || manifestFile.test(c))));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** validateCommand runs `temper validate`. */
export async function validateCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { filename: { type: "string", short: "f", multiple: true }, quiet: { type: "boolean", short: "q" } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`temper validate: ${(err as Error).message}\nUsage: temper validate -f FILE_OR_DIR...\n`);
    return 2;
  }
  const paths = [...(parsed.values.filename ?? []), ...parsed.positionals];
  if (paths.length === 0) {
    process.stderr.write("temper validate: no input; give files or directories with -f\nUsage: temper validate -f FILE_OR_DIR...\n");
    return 2;
  }
  let files: string[];
  try {
    files = manifestFiles(paths);
  } catch (err) {
    process.stderr.write(`temper validate: ${(err as Error).message}\n`);
    return 2;
  }
  let bad = 0;
  let good = 0;
  for (const file of files) {
    for (const f of validateText(readFileSync(file, "utf8"))) {
      if (f.skipped !== undefined) {
        if (parsed.values.quiet !== true) process.stderr.write(`${file}: ${f.object}: skipped (${f.skipped})\n`);
        continue;
      }
      if (f.problems.length === 0) {
        good++;
        if (parsed.values.quiet !== true) process.stdout.write(`${file}: ${f.object}: valid\n`);
        continue;
      }
      for (const p of f.problems) {
        bad++;
        process.stdout.write(`${file}: ${f.object}: ${p.field === "" ? "" : `${p.field}: `}${p.message}\n`);
      }
    }
  }
  if (bad > 0) process.stdout.write(`${bad} problem${bad === 1 ? "" : "s"} found\n`);
  else if (parsed.values.quiet !== true) process.stdout.write(`${good} object${good === 1 ? "" : "s"} valid\n`);
  return bad > 0 ? 1 : 0;
}
