// gradcheck.ts: compares an op's analytic gradients with central finite differences. The
// scalar probed is L = Σ out · R for a fixed random R, so every output element matters.
// The error is relative, so a gradient is checked however small it is, down to the floor where
// float32 differences stop resolving it. A test helper only; training never calls it.
import { Rng } from "./rng.ts";
import { backward, type Tensor } from "./tensor.ts";

/** GradcheckResult reports the worst relative error found per input. */
export interface GradcheckResult {
  worst: number;
  perInput: number[];
}

/** GradcheckOptions tunes the probes; every field has a default. */
export interface GradcheckOptions {
  /** eps is the step of the central difference (default 1e-2). */
  eps?: number;
  /** probes is how many coordinates of each input are perturbed (default 24; all when the input is smaller). */
  probes?: number;
  seed?: number;
  /**
   * floor (default 1e-3) is the magnitude below which a gradient is compared in absolute terms:
   * float32 central differences carry noise of about 1e-7 · |L| / eps, so a smaller true gradient
   * cannot be told from zero. Raise it with a small eps or a deep graph.
   */
  floor?: number;
}

/**
 * gradcheck perturbs up to `probes` coordinates of each input by ±eps and returns, per input,
 * the worst |analytic − numeric| / max(|analytic|, |numeric|, floor): the relative error, which
 * is 1 when one side is zero and the other is not, 0.5 when one is half the other.
 */
export function gradcheck(f: () => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-2;
  const floor = opts.floor ?? 1e-3;
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
      // Not max(1, …): that compared every gradient below 1 in absolute terms, so dropping a
      // gradient of magnitude 0.02 passed a tolerance of 3e-2.
      const err = Math.abs(analytic[i] - numeric) / Math.max(floor, Math.abs(analytic[i]), Math.abs(numeric));
      worst = Math.max(worst, err);
    }
    return worst;
  });
  return { worst: Math.max(...perInput), perInput };
}
