// bpe: a byte-pair-encoding tokenizer trained on the job's own training text. The paper's
// entropy target (0.3 nats) is per subword token of an LLM; a character model spreads the same
// uncertainty over many near-certain characters, so its per-token entropy sits far lower and the
// target means something else. BPE merges frequent character pairs into tokens until the
// vocabulary is full. Merges never cross a piece boundary (pre-tokenization into pieces:
// a word with its leading space, one digit with its leading space, a run of punctuation,
// whitespace), so no token holds two digits and numbers stay digit by digit: the model learns
// arithmetic on digits either way, and an answer like 125 is three choices as with characters.
// The task language is small: on the demo's math traces the vocabulary saturates near 152 tokens
// (1.5 characters a token), so vocabSize is a bound, not a promise. Trained deterministically
// (ties broken by the pair's text), so every rank of a gang trains the same tokenizer from the
// same data, and saved with each checkpoint (toJSON).
import { decodeTable, Tokenizer, type TokenizerJSON } from "./tokenizer.ts";

/** BpeJSON is the saved form of a BPE tokenizer: the character base plus merges in rank order. */
export interface BpeJSON {
  type: "bpe";
  chars: string;
  specials: string[];
  /** merges are the learned pairs, first learned first: token id = specials + chars + rank. */
  merges: [string, string][];
}

/** BpeTrainOptions bound the vocabulary. */
export interface BpeTrainOptions {
  /** vocabSize is the whole vocabulary: specials, characters and merged tokens. */
  vocabSize: number;
  /** minFrequency is the fewest occurrences a pair needs to be merged. Default 2. */
  minFrequency?: number;
}

// A letter run, one digit or a punctuation run, each with its leading space, or whitespace: the
// pieces merges stay inside.
const pieceRe = / ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+/gu;

/** pieces splits text into the pre-tokenization pieces merges never cross. */
export function pieces(text: string): string[] {
  return text.match(pieceRe) ?? [];
}

/** BpeTokenizer maps text to subword ids and back. */
export class BpeTokenizer {
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  readonly vocabSize: number;
  private readonly base: Tokenizer;
  private readonly merges: [string, string][];
  private readonly rank = new Map<string, number>();
  private readonly ids = new Map<string, number>();
  private readonly tokens: string[];
  private readonly cache = new Map<string, number[]>();

  constructor(json: BpeJSON) {
    this.base = new Tokenizer({ type: "char", chars: json.chars, specials: json.specials });
    ({ pad: this.pad, bos: this.bos, eos: this.eos, unk: this.unk } = this.base);
    this.merges = json.merges.map(([a, b]) => [a, b]);
    this.tokens = [...json.specials, ...json.chars];
    this.tokens.forEach((t, i) => { if (i >= json.specials.length) this.ids.set(t, i); });
    this.merges.forEach(([a, b], r) => {
      if (!this.ids.has(a) || !this.ids.has(b)) throw new Error(`tokenizer: merge ${r} (${JSON.stringify(a)}, ${JSON.stringify(b)}) uses a token not defined before it`);
      if (this.ids.has(a + b)) throw new Error(`tokenizer: merge ${r} makes ${JSON.stringify(a + b)}, which is already a token`);
      this.rank.set(pairKey(a, b), r);
      this.ids.set(a + b, this.tokens.length);
      this.tokens.push(a + b);
    });
    this.vocabSize = this.tokens.length;
  }

  /** encode maps text to ids: each piece's characters merged by rank, lowest first. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const p of pieces(text)) {
      let ids = this.cache.get(p);
      if (ids === undefined) {
        ids = this.encodePiece(p);
        if (this.cache.size < 100_000) this.cache.set(p, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  private encodePiece(p: string): number[] {
    const parts = [...p];
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.rank.get(pairKey(parts[i], parts[i + 1]));
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    return parts.map((t) => this.ids.get(t) ?? this.unk);
  }

  /** decode maps ids back to text; special ids are dropped, except unk which shows as U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return decodeTable(this.tokens, this.base.specials.length, this.unk, ids);
  }

  /** toJSON is the form saved beside a checkpoint's weights. */
  toJSON(): BpeJSON {
    return { type: "bpe", chars: this.base.chars, specials: [...this.base.specials], merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** fromJSON restores a saved BPE tokenizer, rejecting anything that is not one. */
  static fromJSON(json: unknown): BpeTokenizer {
    const j = json as Partial<BpeJSON>;
    const pairs = Array.isArray(j?.merges) && j.merges.every((m) => Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === "string" && x.length > 0));
    if (j === null || typeof j !== "object" || j.type !== "bpe" || typeof j.chars !== "string" || !Array.isArray(j.specials) || !pairs) {
      throw new Error("tokenizer: not a saved BPE tokenizer (want {type: \"bpe\", chars, specials, merges: [[a, b], ...]})");
    }
    return new BpeTokenizer({ type: "bpe", chars: j.chars, specials: j.specials.map(String), merges: j.merges as [string, string][] });
  }
}

const sep = "\u0000";
const pairKey = (a: string, b: string) => `${a}${sep}${b}`;

/**
 * trainBpe learns merges on texts until the vocabulary reaches vocabSize or no pair occurs
 * minFrequency times: each round merges the most frequent adjacent pair over all pieces (ties:
 * the pair whose text sorts first), so the result depends only on the texts and the options.
 * base gives the characters and specials (the character tokenizer's by default); characters
 * outside it stay unk and are never merged.
 */
export function trainBpe(texts: Iterable<string>, o: BpeTrainOptions, base: TokenizerJSON = new Tokenizer().toJSON()): BpeTokenizer {
  const minFrequency = o.minFrequency ?? 2;
  const baseSize = base.specials.length + [...base.chars].length;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < baseSize) {
    throw new Error(`tokenizer: vocabSize ${o.vocabSize} must be an integer of at least ${baseSize} (the specials and characters)`);
  }
  const known = new Set(base.chars);
  // Each distinct piece once, with its count: merging works on the pieces, weighted.
  const counts = new Map<string, number>();
  for (const t of texts) for (const p of pieces(t)) counts.set(p, (counts.get(p) ?? 0) + 1);
  const words = [...counts].map(([p, n]) => ({ parts: [...p], n, ok: [...p].map((c) => known.has(c)) }));
  const merges: [string, string][] = [];
  while (baseSize + merges.length < o.vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.parts.length; i++) {
        if (!w.ok[i] || !w.ok[i + 1]) continue;
        const k = pairKey(w.parts[i], w.parts[i + 1]);
        pairs.set(k, (pairs.get(k) ?? 0) + w.n);
      }
    }
    let best: string | undefined;
    let bestN = 0;
    for (const [k, n] of pairs) if (n > bestN || (n === bestN && best !== undefined && k < best)) { best = k; bestN = n; }
    if (best === undefined || bestN < minFrequency) break;
    const [a, b] = best.split(sep) as [string, string];
    merges.push([a, b]);
    for (const w of words) mergeInPlace(w, a, b);
  }
  return new BpeTokenizer({ type: "bpe", chars: base.chars, specials: [...base.specials], merges });
}

function mergeInPlace(w: { parts: string[]; ok: boolean[] }, a: string, b: string): void {
  for (let i = 0; i + 1 < w.parts.length; i++) {
    if (w.parts[i] === a && w.parts[i + 1] === b && w.ok[i] && w.ok[i + 1]) {
      w.parts.splice(i, 2, a + b);
      w.ok.splice(i, 2, true);
    }
  }
}
