// tokenizer: the character-level tokenizer, the default for the generated math and code tasks:
// their language is small (digits, operators, a little English and JavaScript), and one token
// per character keeps every text encodable. Its per-token entropy is not the paper's scale,
// though (a character model spreads its uncertainty over many near-certain characters); an
// SFTJob that asks for BPE gets subwords learned from its data (bpe.ts) on this same base. It is
// saved with every checkpoint (toJSON), so a model is never paired with another vocabulary.

/** TokenizerJSON is the saved form of a tokenizer. */
export interface TokenizerJSON {
  type: "char";
  /** chars are the ordinary tokens, id = specials + index. */
  chars: string;
  specials: string[];
}

const defaultSpecials = ["<pad>", "<bos>", "<eos>", "<unk>"];
/** defaultChars are printable ASCII, newline and tab: enough for every task and reward format. */
const defaultChars = "\n\t" + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

/** Tokenizer maps text to ids and back, one character per token. */
export class Tokenizer {
  readonly chars: string;
  readonly specials: string[];
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  readonly vocabSize: number;
  private readonly index = new Map<string, number>();
  private readonly table: string[];

  constructor(json: TokenizerJSON = { type: "char", chars: defaultChars, specials: defaultSpecials }) {
    this.chars = json.chars;
    this.specials = json.specials;
    const id = (s: string) => {
      const i = json.specials.indexOf(s);
      if (i < 0) throw new Error(`tokenizer: special token ${s} is missing`);
      return i;
    };
    this.pad = id("<pad>");
    this.bos = id("<bos>");
    this.eos = id("<eos>");
    this.unk = id("<unk>");
    [...json.chars].forEach((c, i) => this.index.set(c, json.specials.length + i));
    this.table = [...json.specials, ...json.chars];
    this.vocabSize = this.table.length;
  }

  /** encode maps each character to its id; characters outside the vocabulary become unk. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of text) out.push(this.index.get(c) ?? this.unk);
    return out;
  }

  /** decode maps ids back to text; special ids are dropped, except unk which shows as U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return decodeTable(this.table, this.specials.length, this.unk, ids);
  }

  /** toJSON is the form saved beside a checkpoint's weights. */
  toJSON(): TokenizerJSON {
    return { type: "char", chars: this.chars, specials: [...this.specials] };
  }

  /** fromJSON restores a saved tokenizer, rejecting anything that is not one. */
  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON>;
    if (j === null || typeof j !== "object" || j.type !== "char" || typeof j.chars !== "string" || !Array.isArray(j.specials)) {
      throw new Error("tokenizer: not a saved character tokenizer (want {type: \"char\", chars, specials})");
    }
    return new Tokenizer({ type: "char", chars: j.chars, specials: j.specials.map(String) });
  }
}

/**
 * decodeTable maps ids to text through a token table whose first nSpecials entries are the
 * specials: special ids are dropped, except unk, which shows as U+FFFD; ids past the table too.
 */
export function decodeTable(table: readonly string[], nSpecials: number, unk: number, ids: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id >= nSpecials && id < table.length) s += table[id];
    else if (id === unk) s += "\uFFFD";
  }
  return s;
}
