// gradcheck.test.ts: the gradient check catches the bug it exists for. A model whose backward
// drops or halves one small gradient must fail it; the check as it was (relative error over
// max(1, …), which floor 1 reproduces) passed both.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gradcheck } from "./gradcheck.ts";
import { naiveKernels } from "./kernels.ts";
import { forward, GPTConfigSchema, initParams, type Params } from "./model.ts";
import { crossEntropy } from "./ops.ts";
import { Rng } from "./rng.ts";
import { Tensor } from "./tensor.ts";

/** The whole-model check of model.test.ts: its tolerance, step and floor. */
const TOL = 3e-2;
const OPTS = { probes: 6, eps: 3e-3, floor: 5e-3 };
/** A parameter whose gradient is small: every entry is below TOL, so max(1, …) compared it in absolute terms. */
const SMALL = "h.0.ln2.weight";

/** leaky stands in for x, reading x's values, but passes back only keep × its gradient (0 drops it). */
function leaky(x: Tensor, keep: number): Tensor {
  const view = new Tensor(x.data, x.shape, [x]);
  view.backwardFn = () => {
    const g = view.g();
    const xg = x.g();
    for (let i = 0; i < xg.length; i++) xg[i] += keep * g[i];
  };
  return view;
}

/** tinyModel is the loss of a two-layer GPT on a fixed batch, with SMALL's gradient scaled by keep. */
function tinyModel(keep: number) {
  const c = GPTConfigSchema.parse({ vocab: 7, d: 8, layers: 2, heads: 2, ctx: 6 });
  const p = initParams(c, new Rng(1));
  for (const t of p.values()) for (let i = 0; i < t.size; i++) t.data[i] += 0.3 * Math.sin(i * 1.7 + t.size);
  const used: Params = new Map([...p].map(([name, t]) => [name, name === SMALL && keep !== 1 ? leaky(t, keep) : t]));
  const ids = Int32Array.from([1, 2, 3, 4, 5, 0, 6, 2]);
  const targets = Int32Array.from([2, 3, 4, 5, 0, 6, 2, 1]);
  const w = new Float32Array(8).fill(1 / 8);
  return { f: () => crossEntropy(forward(naiveKernels, c, used, ids, 2, 4), targets, w), inputs: [...p.values()], small: [...p.keys()].indexOf(SMALL) };
}

test(`the check passes the correct model, whose ${SMALL} gradient is below the old tolerance`, () => {
  const m = tinyModel(1);
  const r = gradcheck(m.f, m.inputs, OPTS);
  assert.ok(r.worst < TOL, `worst ${r.worst}`);
  const g = m.inputs[m.small].grad ?? new Float32Array(0);
  const largest = Math.max(...g.map(Math.abs));
  assert.ok(largest > 0 && largest < TOL, `${SMALL}'s largest gradient ${largest} should be below ${TOL}`);
});

for (const [keep, what, least] of [[0, "drops", 0.9], [0.5, "halves", 0.45]] as const) {
  test(`a backward that ${what} one small gradient fails the check, and passed the old max(1, …) formula`, (t) => {
    const m = tinyModel(keep);
    const now = gradcheck(m.f, m.inputs, OPTS);
    const old = gradcheck(m.f, m.inputs, { ...OPTS, floor: 1 });
    t.diagnostic(`${SMALL}: relative error ${now.perInput[m.small].toFixed(3)} now, ${old.perInput[m.small].toFixed(4)} under max(1, …)`);
    assert.ok(now.perInput[m.small] >= least, `${SMALL}: error ${now.perInput[m.small]}, want at least ${least}`);
    assert.ok(now.worst >= TOL, "the check fails");
    assert.ok(old.worst < TOL, `the old formula passed it: worst ${old.worst}`);
    for (const [i, e] of now.perInput.entries()) if (i !== m.small) assert.ok(e < TOL, `input ${i} is unharmed, yet its error is ${e}`);
  });
}
