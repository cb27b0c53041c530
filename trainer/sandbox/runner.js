// runner: the program the sandbox starts for one untrusted solution. It reads
// {nonce, code, entryPoint, args} as JSON on stdin (the arguments of each test, never the
// expected results: those stay in the parent, which alone judges), and for each test runs the
// solution in a fresh node:vm realm built from nothing of this one's: no process, no require,
// no console that writes anywhere, no timers, and its own Object, Array, JSON and Promise. What
// the solution returns is copied out of that realm here, as plain data, by reading property
// descriptors only, so no getter, Proxy trap, valueOf or toString of the solution's ever runs
// outside its realm. The results go to the parent on file descriptor 3, a pipe only this file
// writes, as one line authenticated with the nonce:
//   ready\n
//   NONCE {"results":[{"value":NODE} | {"error":"..."}, ...]}\n
// The solution can patch whatever it likes inside its realm: it only changes its own answers,
// which the parent compares, in its own realm, with results the child never sees.
// The process also runs under Node's permission model (no file system beyond this file, no
// child processes, no workers), with no network and an address-space limit, in case the realm
// is ever escaped; see sandbox.ts for the layers.
// Plain JavaScript on purpose: a child starts per rollout, and type stripping a .ts entry
// point costs each start about 0.1 s of CPU (0.18 s against 0.07 s measured on this machine),
// which is most of what a batch of code rewards costs.
import { writeSync } from "node:fs";
import { types } from "node:util";
import vm from "node:vm";

/** channel is the file descriptor the parent reads the verdict from; the solution has no way to name it. */
const channel = 3;
/** maxResultChars bounds the encoded results of one run; past it, a result is reported as too large. */
const maxResultChars = 48 * 1024;
/** maxNodes and maxDepth bound the copy of one result, so a huge or deep value costs bounded time. */
const maxNodes = 10000;
const maxDepth = 64;

/** readStdin collects the whole of stdin as text. */
async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

/** say writes one whole line to the channel; the pipe may be non-blocking, so a full one is retried. */
function say(line) {
  const buf = Buffer.from(line, "utf8");
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(channel, buf, off);
    } catch (err) {
      if (err?.code !== "EAGAIN") throw err;
    }
  }
}

/** literal writes a JSON value as JavaScript source, so the realm builds the arguments without calling any of its (patchable) functions. */
function literal(v) {
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `[${JSON.stringify(k)}]: ${literal(x)}`).join(", ")}}`;
  return JSON.stringify(v);
}

/**
 * callSource is the script that calls the entry point on one test's arguments inside the realm.
 * The record it returns is made by this script, has no prototype and only data properties, so
 * nothing the solution defined is run when this file reads it. An async result settles through
 * the realm's own microtask queue, which Node drains before runInContext returns.
 */
function callSource(entryPoint, args) {
  return `(() => {
  const out$ = { __proto__: null, state: "pending", value: undefined };
  try {
    if (typeof ${entryPoint} !== "function") { out$.state = "missing"; return out$; }
    const r$ = ${entryPoint}(${args.map(literal).join(", ")});
    if (r$ instanceof Promise) r$.then((v) => { out$.state = "returned"; out$.value = v; }, (e) => { out$.state = "threw"; out$.value = e; });
    else { out$.state = "returned"; out$.value = r$; }
  } catch (e) {
    out$.state = "threw";
    out$.value = e;
  }
  return out$;
})()`;
}

/** dataOf reads an own property of a non-Proxy object without running any code of the solution's: a getter is refused, never called. */
function dataOf(obj, key) {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (d === undefined) return { absent: true };
  if (!("value" in d)) throw new Bad(`a getter or setter at ${String(key)}`);
  return { value: d.value, enumerable: d.enumerable };
}

/** Bad says a result is not plain data; the test fails with its message. */
class Bad extends Error {}

/**
 * copy turns a value of the solution's realm into a tagged tree of this realm's primitives:
 * ["u"] undefined, ["z", v] a JSON primitive, ["n", "NaN" | "Infinity" | "-Infinity" | "-0"],
 * ["i", digits] a bigint, ["a", [...]] an array, ["o", [[key, node], ...]] a plain object. Only
 * arrays and plain objects of that realm with own enumerable data properties are data; a Proxy,
 * a function, a symbol, an accessor, a class instance, a Date or a Map is refused.
 */
function copy(v, realm, budget, depth) {
  if (--budget.nodes < 0 || depth > maxDepth) throw new Bad("too large");
  switch (typeof v) {
    case "undefined":
      return ["u"];
    case "boolean":
      return ["z", v];
    case "string":
      if ((budget.chars -= v.length) < 0) throw new Bad("too large");
      return ["z", v];
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0) ? ["z", v] : ["n", Object.is(v, -0) ? "-0" : String(v)];
    case "bigint":
      return ["i", String(v)];
    case "object":
      if (v === null) return ["z", null];
      return copyObject(v, realm, budget, depth);
    default:
      throw new Bad(`a ${typeof v}`);
  }
}

function copyObject(v, realm, budget, depth) {
  if (types.isProxy(v)) throw new Bad("a Proxy");
  const proto = Object.getPrototypeOf(v);
  const keys = Reflect.ownKeys(v);
  if (Array.isArray(v) && proto === realm.arrayPrototype) {
    const length = dataOf(v, "length").value;
    if (length > maxNodes || keys.length !== length + 1) throw new Bad("an array with holes or extra properties");
    const items = [];
    for (let i = 0; i < length; i++) {
      const d = dataOf(v, String(i));
      if (d.absent) throw new Bad("an array with holes");
      items.push(copy(d.value, realm, budget, depth + 1));
    }
    return ["a", items];
  }
  if (proto !== realm.objectPrototype) throw new Bad("an object that is not plain data");
  if ((budget.nodes -= keys.length) < 0) throw new Bad("too large");
  const entries = [];
  for (const k of keys) {
    if (typeof k !== "string") throw new Bad("a symbol-keyed property");
    const d = dataOf(v, k);
    if (!d.enumerable) throw new Bad(`a non-enumerable property ${k}`);
    if ((budget.chars -= k.length) < 0) throw new Bad("too large");
    entries.push([k, copy(d.value, realm, budget, depth + 1)]);
  }
  return ["o", entries];
}

/** errorText says what the solution threw, reading only an own data property `message`: no getter, trap or toString of its runs. */
function errorText(e) {
  let text;
  if (typeof e === "string") text = e;
  else if (e === null || (typeof e !== "object" && typeof e !== "function")) text = `threw ${typeof e === "symbol" ? "a symbol" : String(e)}`;
  else if (types.isProxy(e)) text = "threw a Proxy";
  else {
    const d = Object.getOwnPropertyDescriptor(e, "message");
    text = d !== undefined && "value" in d && typeof d.value === "string" ? d.value : "threw an object that is not an Error";
  }
  return text.slice(0, 200);
}

/** runTest runs the solution in a new realm on one test's arguments and returns {value} or {error}. */
function runTest(solution, entryPoint, args) {
  const context = vm.createContext(vm.constants.DONT_CONTEXTIFY, { codeGeneration: { strings: true, wasm: false }, microtaskMode: "afterEvaluate" });
  // The realm's own prototypes, taken before the solution runs, are what plain data is made of.
  const [objectPrototype, arrayPrototype] = vm.runInContext("[Object.prototype, Array.prototype]", context);
  let out;
  try {
    solution.runInContext(context);
    out = new vm.Script(callSource(entryPoint, args)).runInContext(context);
  } catch (err) {
    return { error: errorText(err) };
  }
  const state = dataOf(out, "state").value;
  const value = dataOf(out, "value").value;
  if (state === "missing") return { error: `no function named ${entryPoint}` };
  if (state === "pending") return { error: "the returned promise did not settle" };
  if (state === "threw") return { error: errorText(value) };
  try {
    return { value: copy(value, { objectPrototype, arrayPrototype }, { nodes: maxNodes, chars: maxResultChars }, 0) };
  } catch (err) {
    if (err instanceof Bad) return { error: `returned ${err.message}` };
    throw err;
  }
}

/** runAll runs every test, each in its own realm, and keeps the encoded results within maxResultChars. */
function runAll(input) {
  let solution;
  try {
    solution = new vm.Script(input.code, { filename: "solution.js" });
  } catch (err) {
    const error = errorText(err);
    return input.args.map(() => ({ error }));
  }
  let left = maxResultChars;
  return input.args.map((args) => {
    const r = runTest(solution, input.entryPoint, args);
    const size = JSON.stringify(r).length;
    if (size > left) return { error: "returned a result too large" };
    left -= size;
    return r;
  });
}

/** @type {{ nonce: string; code: string; entryPoint: string; args: unknown[][] }} */
const input = JSON.parse(await readStdin());
if (!/^[A-Za-z_$][\w$]*$/.test(input.entryPoint)) throw new Error(`entry point ${JSON.stringify(input.entryPoint)} is not an identifier`);
// The parent's deadline for the solution starts now, not at process start-up.
say("ready\n");
say(`${input.nonce} ${JSON.stringify({ results: runAll(input) })}\n`);
process.exit(0);
