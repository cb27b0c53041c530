// gradcheck.ts: compares an op's analytic gradients with central finite differences. The
// scalar probed is L = Σ out · R for a fixed random R, so every output element matters.
// A test helper only; training never calls it.
import { Rng } from "./rng.ts";
import { backward, type Tensor } from "./tensor.ts";

/** GradcheckResult reports the worst relative error found per input. */
export interface GradcheckResult {
  worst: number;
  perInput: number[];
}

/**
 * gradcheck perturbs up to `probes` coordinates of each input by ±eps and returns the worst
 * |analytic − numeric| / max(1, |analytic|, |numeric|).
 */
export function gradcheck(f: () => Tensor, inputs: Tensor[], opts: { eps?: number; probes?: number; seed?: number } = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-2;
  const probes = opts.probes ?? 24;
  const rng = new Rng(opts.seed ?? 7);
  for (const x of inputs) x.grad = null;
  const y = f();
  const r = Float32Array.from({ length: y.size }, () => rng.normal());
  backward(y, y.size === 1 ? undefined : r);
  const probe = (): number => {
    const o = f();
    if (o.size === 1) return o.data[0];
    let s = 0;
    for (let i = 0; i < o.size; i++) s += o.data[i] * r[i];
    return s;
  };
  const perInput = inputs.map((x) => {
    const analytic = x.grad ?? new Float32Array(x.size);
    let worst = 0;
    for (let p = 0; p < Math.min(probes, x.size); p++) {
      const i = probes >= x.size ? p : rng.int(x.size);
      const old = x.data[i];
      x.data[i] = old + eps;
      const up = probe();
      x.data[i] = old - eps;
      const down = probe();
      x.data[i] = old;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(analytic[i] - numeric) / Math.max(1, Math.abs(analytic[i]), Math.abs(numeric));
      worst = Math.max(worst, err);
    }
    return worst;
  });
  return { worst: Math.max(...perInput), perInput };
}
