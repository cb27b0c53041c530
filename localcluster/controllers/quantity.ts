// quantity: Kubernetes resource quantities ("500m", "4Gi", "1e3", 2) as plain numbers, for the
// scheduler's arithmetic. Not a round-tripping Quantity type: values are read, never rendered back.

const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** parseQuantity turns a quantity into a number of base units (cores, bytes, devices); throws on malformed input. */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(q.trim());
  const factor = m === null ? undefined : suffixes[m[2]];
  if (m === null || factor === undefined || Number.isNaN(Number(m[1]))) throw new Error(`invalid quantity "${q}"`);
  return Number(m[1]) * factor;
}
