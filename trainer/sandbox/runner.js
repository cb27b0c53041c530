// runner: the program the sandbox starts for one untrusted solution. It reads
// {code, entryPoint, tests} as JSON on stdin, defines the solution, calls it on each test's
// arguments, and writes one JSON line {passed, total, error?} on stdout. It runs under Node's
// permission model (no file system beyond this file, no child processes, no workers), in a
// process with no network and an address-space limit; see sandbox.ts for the layers.
// Plain JavaScript on purpose: a child starts per rollout, and type stripping a .ts entry
// point costs each start about 0.1 s of CPU (0.18 s against 0.07 s measured on this machine),
// which is most of what a batch of code rewards costs.
import { isDeepStrictEqual } from "node:util";

/** readStdin collects the whole of stdin as text. */
async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

/** @type {{ code: string; entryPoint: string; tests: { args: unknown[]; expected: unknown }[] }} */
const input = JSON.parse(await readStdin());
const out = process.stdout;
// Keep a private handle on stdout, then take the network and the process API away from the code.
const write = out.write.bind(out);
for (const name of ["fetch", "WebSocket", "EventSource", "XMLHttpRequest"]) Reflect.deleteProperty(globalThis, name);

// The parent's deadline for the solution starts now, not at process start-up.
write("ready\n");

let passed = 0;
let error;
try {
  const define = new Function("process", "require", "module", "exports", `"use strict";\n${input.code}\n;return typeof ${input.entryPoint} === "function" ? ${input.entryPoint} : undefined;`);
  const fn = define(undefined, undefined, undefined, undefined);
  if (typeof fn !== "function") throw new Error(`no function named ${input.entryPoint}`);
  for (const t of input.tests) {
    if (isDeepStrictEqual(await fn(...structuredClone(t.args)), t.expected)) passed++;
  }
} catch (err) {
  error = String(err?.message ?? err).slice(0, 200);
}
write(`${JSON.stringify({ passed, total: input.tests.length, error })}\n`);
process.exit(0);
