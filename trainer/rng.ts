// rng.ts: the trainer's seeded pseudo-random generator (xoshiro128**). Its whole state is four
// 32-bit words, so a checkpoint can save it and a resumed run draws the same numbers. It is not
// a cryptographic generator.

/** RngState is the serialisable state of an Rng: four unsigned 32-bit words. */
export type RngState = [number, number, number, number];

/** Rng is a seeded xoshiro128** generator with saveable state. */
export class Rng {
  private s: Uint32Array;

  /** Rng constructor seeds the four words from one integer with splitmix32. */
  constructor(seed: number) {
    this.s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Rng.fromState rebuilds a generator that continues exactly where the saved one stopped. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.s.set(state.map((v) => v >>> 0));
    return r;
  }

  /** state returns a copy of the four state words, for checkpoints. */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** nextU32 returns the next unsigned 32-bit output. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** next returns a uniform number in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** normal returns a standard normal draw (Box–Muller; one of the pair is discarded for simplicity). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** int returns a uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** fn returns a `() => number` view drawing from this generator, for task generators. */
  fn(): () => number {
    return () => this.next();
  }

  /** fork derives an independent generator from this one's next output. */
  fork(): Rng {
    return new Rng(this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** shuffled returns a Fisher–Yates shuffled copy of xs, drawn from rng (deterministic for its state). */
export function shuffled<T>(xs: T[], rng: Rng): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
