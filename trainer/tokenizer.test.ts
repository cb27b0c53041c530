import assert from "node:assert/strict";
import { test } from "node:test";
import { Tokenizer } from "./tokenizer.ts";

test("round-trips every character the tasks use", () => {
  const t = new Tokenizer();
  const text = "Compute (4+5)*3. 4+5=9, 9*3=27. \\boxed{27}\nfunction f(x) { return x % 2 === 0; }\t";
  assert.equal(t.decode(t.encode(text)), text);
});

test("gives specials their own ids below the characters and drops them on decode", () => {
  const t = new Tokenizer();
  assert.deepEqual([t.pad, t.bos, t.eos, t.unk], [0, 1, 2, 3]);
  assert.equal(t.decode([t.bos, ...t.encode("ab"), t.eos, t.pad]), "ab");
  assert.equal(t.vocabSize, 4 + 97);
});

test("maps characters outside the vocabulary to unk", () => {
  const t = new Tokenizer();
  assert.deepEqual(t.encode("é"), [t.unk]);
  assert.equal(t.decode(t.encode("aéb")), "a\uFFFDb");
});

test("restores from its saved form and rejects anything else", () => {
  const t = new Tokenizer();
  const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(t)));
  assert.deepEqual(back.encode("x=3"), t.encode("x=3"));
  assert.equal(back.vocabSize, t.vocabSize);
  assert.throws(() => Tokenizer.fromJSON({ type: "bpe" }), /not a saved character tokenizer/);
});
