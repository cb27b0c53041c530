// random: the few draws task generators need, over any `() => number` in [0, 1).

/** Rand is a source of uniform numbers in [0, 1); the project's one seeded generator is trainer/rng.ts's `new Rng(seed).fn()`. */
export type Rand = () => number;

/** int draws an integer in [lo, hi]. */
export function int(rng: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** pick draws one element of a non-empty list. */
export function pick<T>(rng: Rand, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/**
 * distinctDraws calls draw until it has n distinct results or has tried 8n times, then repeats
 * what it has: a problem with few possible traces still gets n, never fewer.
 */
export function distinctDraws<T>(n: number, draw: () => T): T[] {
  const out: T[] = [];
  const seen = new Set<T>();
  for (let tries = 0; out.length < n && tries < n * 8; tries++) {
    const x = draw();
    if (seen.has(x)) continue;
    seen.add(x);
    out.push(x);
  }
  for (let i = 0; out.length < n; i++) out.push(out[i % out.length]);
  return out;
}
