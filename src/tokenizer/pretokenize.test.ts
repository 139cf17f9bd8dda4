import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPreTokenizer, GPT2_PATTERN, PreTokenizer, toJsRegExp } from './pretokenize.ts';

test('the Llama 3 split: contractions, letters with one leading mark, 3-digit groups, whitespace', () => {
  const pieces = defaultPreTokenizer().split("Hello world's 12345 I'LL   go!!\n\n  贵重物品");
  assert.deepEqual(pieces, ['Hello', ' world', "'s", ' ', '123', '45', ' I', "'LL", '  ', ' go', '!!\n\n', ' ', ' 贵重物品']);
  assert.deepEqual(defaultPreTokenizer().split(''), []);
});

test('GPT-2 ByteLevel with a prefix space, and Digits then ByteLevel (SmolLM)', () => {
  const gpt2 = new PreTokenizer([{ kind: 'bytelevel', addPrefixSpace: true, useRegex: true }]);
  assert.deepEqual(gpt2.split("hi there's 2024"), [' hi', ' there', "'s", ' 2024']);
  const smol = new PreTokenizer([{ kind: 'digits', individual: true }, { kind: 'bytelevel', addPrefixSpace: false, useRegex: true }]);
  assert.deepEqual(smol.split('in 2024'), ['in', ' ', '2', '0', '2', '4']);
});

test('Oniguruma constructs are translated: (?i:...), possessive quantifiers, \\x{...}', () => {
  assert.equal(toJsRegExp("(?i:'s|ll)").source, "(?:'[sS]|[lL][lL])");
  assert.equal(toJsRegExp('(?i:[a-c]x)').source, '(?:[a-cA-C][xX])');
  assert.equal(toJsRegExp('[^\\s\\p{L}]++a?+\\p{N}{1,3}+').source, '[^\\s\\p{L}]+a?\\p{N}{1,3}');
  assert.equal(toJsRegExp('\\x{4e00}+?').source, '\\u{4e00}+?');
  assert.ok(toJsRegExp(GPT2_PATTERN).flags.includes('u'));
});

test('text the pattern does not match is kept as its own piece', () => {
  const digitsOnly = new PreTokenizer([{ kind: 'split', pattern: '\\p{N}+' }]);
  assert.deepEqual(digitsOnly.split('ab12cd3'), ['ab', '12', 'cd', '3']);
});
