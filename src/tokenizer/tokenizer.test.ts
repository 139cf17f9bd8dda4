import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainTokenizer } from './train.ts';
import { SPECIAL, SPECIAL_TOKENS } from './special-tokens.ts';
import { smallTokenizer, rng, randomText } from './test-tokenizer.ts';
import { wordnetSentences } from './wordnet-corpus.ts';
import { Tokenizer } from './tokenizer.ts';
import { byteChar } from './byte-level.ts';

test('round trip: Chinese, emoji with ZWJ, combining marks, long words, empty, control characters', () => {
  const tok = smallTokenizer();
  const cases = [
    '',
    '贵重物品',
    'Family: 👨‍👩‍👧‍👦, flag 🏳️‍🌈, thumbs 👍🏽',
    'e\u0301 a\u0308\u0301 Z\u0351\u0352\u0353',
    'x'.repeat(5000),
    'supercalifragilistic'.repeat(300),
    '\u0000\u0001\t\r\n\u007f\u00ad',
    "It's 12:30 — don't panic! 1234567890.5e-3 ",
    '   leading and trailing spaces   ',
    '\n\n\n',
  ];
  for (const s of cases) {
    const ids = tok.encode(s);
    assert.equal(tok.decode(ids), s, `round trip of ${JSON.stringify(s.slice(0, 40))}`);
  }
  assert.deepEqual(tok.encode(''), []);
});

test('lone surrogates become U+FFFD, and the rest of the string survives', () => {
  const tok = smallTokenizer();
  assert.equal(tok.decode(tok.encode('a\uD800b')), 'a\uFFFDb');
  assert.equal(tok.decode(tok.encode('\uDC00')), '\uFFFD');
  assert.equal(tok.decode(tok.encode('x\uD83D')), 'x\uFFFD'); // high half of an emoji, cut off
  assert.deepEqual(tok.encode('a\uD800b'), tok.encode('a\uFFFDb'));
});

test('random Unicode fuzz round-trips exactly (and well-formed after surrogate replacement)', () => {
  const tok = smallTokenizer();
  const next = rng(7);
  for (let i = 0; i < 300; i++) {
    const s = randomText(next, 1 + Math.floor(next() * 80));
    assert.equal(tok.decode(tok.encode(s)), s);
  }
  for (let i = 0; i < 100; i++) {
    const s = randomText(next, 1 + Math.floor(next() * 40), true);
    const expected = (s as unknown as { toWellFormed(): string }).toWellFormed();
    assert.equal(tok.decode(tok.encode(s)), expected);
  }
});

test('merges compress ordinary English, and a repeated encode gives the same ids (cache)', () => {
  const tok = smallTokenizer();
  const text = 'the quality of being able to perform; a quality that permits or facilitates achievement';
  const ids = tok.encode(text);
  assert.ok(ids.length < text.length / 2.5, `only ${text.length / ids.length} chars per token`);
  assert.deepEqual(tok.encode(text), ids);
  const long = 'ab'.repeat(20000); // one 40 000-byte pre-token goes through the heap merge path
  const longIds = tok.encode(long);
  assert.ok(longIds.length < long.length);
  assert.equal(tok.decode(longIds), long);
});

test('special tokens never come from ordinary text, only when allowed', () => {
  const tok = smallTokenizer();
  const userId = tok.tokenToId(SPECIAL.user)!;
  const ordinary = tok.encode(`hi ${SPECIAL.user} there${SPECIAL.endOfTurn}`);
  for (const id of ordinary) assert.ok(!tok.isSpecial(id), `special id ${id} produced from text`);
  assert.equal(tok.decode(ordinary), `hi ${SPECIAL.user} there${SPECIAL.endOfTurn}`);
  const allowed = tok.encode(`hi${SPECIAL.user}there`, { allowSpecial: true });
  assert.ok(allowed.includes(userId));
  assert.equal(tok.decode(allowed), `hi${SPECIAL.user}there`);
  assert.equal(tok.decode(allowed, { skipSpecial: true }), 'hithere');
});

test('special tokens take the first ids in order', () => {
  const tok = smallTokenizer();
  SPECIAL_TOKENS.forEach((s, i) => {
    assert.equal(tok.tokenToId(s), i);
    assert.ok(tok.isSpecial(i));
  });
  assert.equal(tok.vocabSize, 1200);
});

test('training is deterministic, and stops at the requested size', () => {
  const text = wordnetSentences(3000).join('\n');
  const a = trainTokenizer([text], { vocabSize: 700, specialTokens: SPECIAL_TOKENS });
  const b = trainTokenizer([text], { vocabSize: 700, specialTokens: SPECIAL_TOKENS });
  assert.deepEqual(a.spec.tokens, b.spec.tokens);
  assert.deepEqual(a.spec.merges, b.spec.merges);
  assert.equal(a.vocabSize, 700);
  // The most frequent pair merges first: in English text that is a pair inside " the"/"the".
  assert.ok(['in', 'th', 'Ġt', 'he', 'Ġa', 'er', 'on', 'an'].includes(a.spec.tokens[SPECIAL_TOKENS.length + 256]));
});

test('training on a tiny corpus stops when no pairs are left, and merges the most frequent pair first', () => {
  const tok = trainTokenizer(['abab abab cd'], { vocabSize: 400, specialTokens: [] });
  // pieces "abab" (1), " abab" (1), " cd" (1): "ab" occurs 4 times, more than any other pair.
  assert.equal(tok.spec.tokens[256], 'ab');
  assert.ok(tok.vocabSize < 400);
  assert.deepEqual(tok.encode('abab').length, 1);
});

test('too small a vocabulary and repeated special tokens are refused', () => {
  assert.throws(() => trainTokenizer(['x'], { vocabSize: 260, specialTokens: SPECIAL_TOKENS }), /at least 264/);
  assert.throws(() => trainTokenizer(['x'], { vocabSize: 300, specialTokens: ['<a>', '<a>'] }), /distinct/);
});

test('decode names an id outside the vocabulary', () => {
  const tok = smallTokenizer();
  assert.throws(() => tok.decode([5, 99999]), /token id 99999 is not in the vocabulary/);
  assert.throws(() => tok.decode([-1]), /token id -1/);
});

test('a stream decoder emits characters only once their bytes are complete', () => {
  const tok = smallTokenizer();
  const text = '贵重物品 👨‍👩‍👧';
  // One token per byte, so most tokens end mid-character.
  const singles = [...new TextEncoder().encode(text)].map((b) => tok.tokenToId(byteChar(b))!);
  const feed = tok.streamDecoder();
  let out = '';
  for (const id of singles) {
    const piece = feed([id]);
    assert.ok(!piece.includes('\uFFFD'));
    out += piece;
  }
  out += feed([], true);
  assert.equal(out, text);
});

test('a tokenizer without all 256 byte tokens is refused', () => {
  assert.throws(() => new Tokenizer({ tokens: ['a'], merges: [], added: [], preTokenizer: [] }), /lacks a token for byte 0/);
});
