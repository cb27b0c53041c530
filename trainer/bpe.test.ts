import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BpeTokenizer, pieces, trainBpe } from "./bpe.ts";
import { loadSuite, restoreTokenizer } from "./suite.ts";
import { Rng } from "./rng.ts";
import { Tokenizer } from "./tokenizer.ts";

const corpus = [
  "Compute 17+8. 17+8 = 25. So the answer is \\boxed{25}.",
  "Compute 4*6. 4*6 = 24. So the answer is \\boxed{24}.",
  "Compute 9-3. 9-3 = 6. So the answer is \\boxed{6}.",
];

test("round-trips any printable text, whatever it was trained on", () => {
  const t = trainBpe(corpus, { vocabSize: 160 });
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..."\n\t abcxyz019+-*/=.{}\\()ABC") }), (s) => t.decode(t.encode(s)) === s));
});

test("merges frequent words into single tokens, so the same text takes fewer tokens than characters", () => {
  const t = trainBpe(corpus, { vocabSize: 200 });
  const text = "So the answer is \\boxed{25}.";
  assert.ok(t.encode(text).length < [...text].length / 2, `${t.encode(text).length} tokens for ${text.length} characters`);
  assert.equal(t.encode(" answer").length, 1);
});

test("keeps every digit a token of its own, so numbers are spelled digit by digit", () => {
  const t = trainBpe(Array.from({ length: 50 }, () => "125 125 125 x=125"), { vocabSize: 300 });
  const ids = t.encode("125");
  assert.equal(ids.length, 3);
  assert.equal(t.decode([ids[0]]), "1");
  assert.ok(t.toJSON().merges.every(([a, b]) => !/[0-9].*[0-9]/.test(a + b)), "no token holds two digits");
  assert.equal(t.encode(" 1").length, 1, "a digit joins its leading space");
});

test("splits text into pieces merges never cross: a word with its space, one digit with its space, punctuation, whitespace", () => {
  assert.deepEqual(pieces("So x=12, \\boxed{3} 4\n"), ["So", " x", "=", "1", "2", ",", " \\", "boxed", "{", "3", "}", " 4", "\n"]);
});

test("trains the same merges from the same texts, so every rank of a gang agrees", () => {
  assert.deepEqual(trainBpe(corpus, { vocabSize: 180 }).toJSON(), trainBpe([...corpus], { vocabSize: 180 }).toJSON());
});

test("stops at vocabSize, or sooner when no pair occurs minFrequency times", () => {
  assert.equal(trainBpe(corpus, { vocabSize: 120 }).vocabSize, 120);
  const small = trainBpe(["ab"], { vocabSize: 500 });
  assert.equal(small.vocabSize, 101, "a pair seen once is not merged at the default minFrequency 2");
  assert.throws(() => trainBpe(corpus, { vocabSize: 50 }), /vocabSize 50 must be an integer of at least 101/);
});

test("keeps the character tokenizer's specials at the same ids", () => {
  const t = trainBpe(corpus, { vocabSize: 150 });
  const c = new Tokenizer();
  assert.deepEqual([t.pad, t.bos, t.eos, t.unk], [c.pad, c.bos, c.eos, c.unk]);
  assert.equal(t.decode([t.bos, ...t.encode("ab"), t.eos, t.pad]), "ab");
  assert.equal(t.decode(t.encode("aéb")), "a\uFFFDb");
});

test("restores from its saved form and rejects saved forms that are not a BPE tokenizer", () => {
  const t = trainBpe(corpus, { vocabSize: 170 });
  const back = restoreTokenizer(JSON.parse(JSON.stringify(t.toJSON())));
  assert.deepEqual(back.encode(corpus[0]), t.encode(corpus[0]));
  assert.equal(back.vocabSize, t.vocabSize);
  assert.throws(() => BpeTokenizer.fromJSON({ type: "bpe", chars: "ab", specials: [] }), /not a saved BPE tokenizer/);
  assert.throws(() => BpeTokenizer.fromJSON({ ...t.toJSON(), merges: [["q", "zz"]] }), /merge 0 \("q", "zz"\) uses a token not defined before it/);
  assert.throws(() => restoreTokenizer({ type: "wordpiece" }), /unknown saved tokenizer type "wordpiece"/);
});

test("a BPE-trained math suite encodes its teacher traces in fewer tokens and scores decoded answers as before", async () => {
  const char = await loadSuite("math");
  const problems = char.problems({ levels: [1, 2], prompts: 200, seed: 3, split: "train" });
  const traces = problems.flatMap((p) => [p.prompt, ...char.teacher(p, new Rng(1), 2)]);
  const bpe = await loadSuite("math", trainBpe(traces, { vocabSize: 384 }).toJSON());
  const text = traces[1];
  assert.ok(bpe.tokenizer.encode(text).length < char.tokenizer.encode(text).length * 0.75);
  assert.equal(await bpe.score(bpe.tokenizer.encode(text), problems[0]), await char.score(char.tokenizer.encode(text), problems[0]));
});
