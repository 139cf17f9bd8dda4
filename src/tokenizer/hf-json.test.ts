import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { byteChar } from './byte-level.ts';
import { readHfTokenizerJson, writeHfTokenizerJson } from './hf-json.ts';
import { SPECIAL } from './special-tokens.ts';
import { smallTokenizer, rng, randomText } from './test-tokenizer.ts';
import { Tokenizer } from './tokenizer.ts';
import { wordnetSentences } from './wordnet-corpus.ts';
import { trainTokenizer } from './train.ts';

/** A varied corpus: English sentences, code-like text, numbers, whitespace runs, Unicode fuzz. */
function corpus(): string[] {
  const next = rng(11);
  const out = wordnetSentences(20000).filter((_, i) => i % 40 === 0);
  out.push(
    "I'm sure you'VE seen it; they'll say 'hello' — won't they? It's 3.14159 or 1,000,000.",
    'function f(x) {\n\treturn x ** 2; // square\n}\n\n\n   indented\r\n  ',
    '贵重物品 価格は1234円です。 Ünïcödé naïve café — “quotes” «guillemets»',
    '👨‍👩‍👧‍👦 👍🏽 🏳️‍🌈 🇫🇷 e\u0301 \u200b zero-width',
    `user text ${SPECIAL.user} with ${SPECIAL.endOfTurn} tokens<|endoftext|>`,
    '   ', '\n', 'a', '', '12345678901234567890', 'x'.repeat(3000),
  );
  for (let i = 0; i < 200; i++) out.push(randomText(next, 1 + Math.floor(next() * 60)));
  return out;
}

function assertAgrees(json: string, label: string): void {
  const ours = new Tokenizer(readHfTokenizerJson(json));
  const hf = new HfTokenizer(JSON.parse(json), {});
  let checked = 0;
  for (const text of corpus()) {
    const expected = hf.encode(text, { add_special_tokens: false }).ids;
    assert.deepEqual(ours.encode(text, { allowSpecial: true }), expected, `${label}: ids differ for ${JSON.stringify(text.slice(0, 60))}`);
    if (expected.length > 0) assert.equal(ours.decode(expected), hf.decode(expected, { clean_up_tokenization_spaces: false }), `${label}: text differs`);
    checked++;
  }
  assert.ok(checked > 600);
}

/** A hand-made GPT-2-style tokenizer.json: byte tokens in GPT-2's order, a few merges, <|endoftext|> last. */
function gpt2Style(options: { prefixSpace?: boolean; pairs?: boolean; digits?: boolean; ignoreMerges?: boolean } = {}): string {
  const printable = [...Array(256).keys()].filter((b) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174);
  const order = [...printable, ...[...Array(256).keys()].filter((b) => !printable.includes(b))];
  const vocab: Record<string, number> = {};
  for (const b of order) vocab[byteChar(b)] = Object.keys(vocab).length;
  const merges = ['Ġ t', 'h e', 'Ġt he', 'i n', 'Ġ a', 'e r', 'o n', 'Ġ o', 'r e', 'a t', 'Ġ s', 'e n', 'Ġo f', 'i s',
    'in g', 'Ġ w', 'Ġa n', 'Ġan d', 'o r', 'Ġ c', 'e s', 'a l', 'Ġ p', 'i t', 'a r', '1 2', '12 3', 'Ġ Ġ', 'ĠĠ ĠĠ', 'Ċ Ċ',
    'ä ½', 'å ¤'];
  for (const m of merges) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  vocab['Ġzebra'] = Object.keys(vocab).length; // reachable only through ignore_merges
  const eot = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = eot;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: Boolean(options.prefixSpace), trim_offsets: true, use_regex: true };
  return JSON.stringify({
    version: '1.0',
    added_tokens: [{ id: eot, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: options.digits ? { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel] } : byteLevel,
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false,
      byte_fallback: false, ignore_merges: Boolean(options.ignoreMerges), vocab,
      merges: options.pairs ? merges.map((m) => m.split(' ')) : merges,
    },
  });
}

test('our tokenizer.json encodes the same with @huggingface/tokenizers (Split + ByteLevel, merges as strings)', () => {
  assertAgrees(writeHfTokenizerJson(smallTokenizer().spec), 'parley');
});

test('merges written as [a, b] arrays read back to the same ids', () => {
  const json = writeHfTokenizerJson(smallTokenizer().spec, { mergePairs: true });
  assert.ok(Array.isArray(JSON.parse(json).model.merges[0]));
  assertAgrees(json, 'parley pairs');
  const again = new Tokenizer(readHfTokenizerJson(json));
  assert.deepEqual(again.spec.merges, smallTokenizer().spec.merges);
});

test('write → read → write is byte-identical and keeps the special tokens', () => {
  const json = writeHfTokenizerJson(smallTokenizer().spec);
  const spec = readHfTokenizerJson(json);
  assert.equal(writeHfTokenizerJson(spec), json);
  assert.equal(spec.added.find((a) => a.content === SPECIAL.assistant)?.id, 5);
});

test('hand-written GPT-2-style files agree with @huggingface/tokenizers', () => {
  assertAgrees(gpt2Style(), 'gpt2');
  assertAgrees(gpt2Style({ pairs: true }), 'gpt2 pairs');
  assertAgrees(gpt2Style({ prefixSpace: true }), 'gpt2 prefix space');
  assertAgrees(gpt2Style({ digits: true }), 'smollm-style digits');
  assertAgrees(gpt2Style({ ignoreMerges: true }), 'ignore_merges');
});

test('added tokens that are not special are recognised in any text; special ones only when allowed', () => {
  const j = JSON.parse(gpt2Style());
  const id = Object.keys(j.model.vocab).length;
  j.model.vocab['[FACT]'] = id;
  j.added_tokens.push({ id, content: '[FACT]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false });
  const json = JSON.stringify(j);
  const ours = new Tokenizer(readHfTokenizerJson(json));
  const hf = new HfTokenizer(JSON.parse(json), {});
  const text = 'the fact:[FACT] is in';
  assert.ok(ours.encode(text).includes(id));
  assert.deepEqual(ours.encode(text), hf.encode(text, { add_special_tokens: false }).ids);
  assert.ok(!ours.encode('a<|endoftext|>').includes(j.model.vocab['<|endoftext|>']));
  assert.ok(ours.encode('a<|endoftext|>', { allowSpecial: true }).includes(j.model.vocab['<|endoftext|>']));
});

test('ignore_merges maps a whole pre-token that is in the vocabulary to its id', () => {
  const plain = new Tokenizer(readHfTokenizerJson(gpt2Style()));
  const ignoring = new Tokenizer(readHfTokenizerJson(gpt2Style({ ignoreMerges: true })));
  const zebra = ignoring.tokenToId('Ġzebra')!;
  assert.deepEqual(ignoring.encode('a zebra'), [ignoring.tokenToId('a'), zebra]);
  assert.ok(plain.encode('a zebra').length > 2);
});

test('a GPT-4-style pattern with possessive quantifiers and (?i:) splits as HF does', () => {
  const tok = trainTokenizer([wordnetSentences(3000).join('\n')], {
    vocabSize: 600,
    specialTokens: ['<|endoftext|>'],
    preTokenizer: [
      { kind: 'split', pattern: "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+" },
      { kind: 'bytelevel', addPrefixSpace: false, useRegex: false },
    ],
  });
  assertAgrees(writeHfTokenizerJson(tok.spec), 'gpt4 pattern');
});

test('malformed tokenizer.json files are refused with the field named', () => {
  const good = JSON.parse(gpt2Style());
  const variant = (f: (j: any) => void) => {
    const j = structuredClone(good);
    f(j);
    return JSON.stringify(j);
  };
  assert.throws(() => readHfTokenizerJson('{'), /not valid JSON/);
  assert.throws(() => readHfTokenizerJson(variant((j) => (j.model.type = 'Unigram'))), /model\.type.*Unigram/);
  assert.throws(() => readHfTokenizerJson(variant((j) => (j.model.merges[3] = 'Ġ zzzq'))), /model\.merges\[3\].*not in the vocabulary/);
  assert.throws(() => readHfTokenizerJson(variant((j) => (j.model.merges[2] = 'a b c'))), /model\.merges\[2\]/);
  assert.throws(() => readHfTokenizerJson(variant((j) => (j.normalizer = { type: 'NFC' }))), /normalizer.*NFC/);
  assert.throws(() => readHfTokenizerJson(variant((j) => (j.pre_tokenizer = { type: 'Metaspace' }))), /pre_tokenizer.*Metaspace/);
  assert.throws(() => readHfTokenizerJson(variant((j) => delete j.model.vocab)), /model\.vocab/);
  // A merge whose result is not in the vocabulary is caught when building the tokenizer.
  const missing = variant((j) => delete j.model.vocab['Ġthe']);
  assert.throws(() => new Tokenizer(readHfTokenizerJson(missing)), /merge 2 .*not in the vocabulary/);
});
