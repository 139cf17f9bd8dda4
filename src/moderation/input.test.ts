import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../util/errors.ts';
import { checkText, decodeUtf8, parseModerationInput } from './input.ts';

test('bad text is a UserError that says what and where', () => {
  assert.throws(() => checkText('x'.repeat(11), 'input[3]', 10), (e: Error) => e instanceof UserError && /input\[3\] is 11 characters long; the limit is 10/.test(e.message));
  assert.throws(() => checkText('ab\u0000cd', 'input[0]'), /input\[0\] looks like binary data \(it contains NUL/);
  assert.throws(() => checkText('\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008abcdefghijkl', 'input[1]'), /control characters/);
  assert.throws(() => checkText(42, 'input[2]'), /input\[2\] must be a string, got number/);
  assert.equal(checkText('tabs\tand\nnewlines', 'x'), 'tabs\tand\nnewlines');
});

test('lone surrogates are replaced, not fatal', () => {
  assert.equal(checkText('a\uD800b', 'x'), 'a\uFFFDb');
  assert.equal(checkText('a\uDC00', 'x'), 'a\uFFFD');
  assert.equal(checkText('😀', 'x'), '😀');
});

test('UTF-8 decoding names the bad byte', () => {
  assert.equal(decodeUtf8(Buffer.from('héllo'), 'f.txt'), 'héllo');
  assert.throws(() => decodeUtf8(Buffer.from([0x61, 0x62, 0xff, 0x63]), 'f.txt'), /f\.txt is not valid UTF-8 \(bad byte at offset 2\)/);
  assert.throws(() => decodeUtf8(Buffer.from([0x63, 0xc3, 0xa9, 0xe9, 0x21]), 'g'), /offset 3/);
  assert.throws(() => decodeUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]), 'g'), /offset 1/);
});

test('OpenAI request input shapes', () => {
  assert.deepEqual(parseModerationInput('hi'), ['hi']);
  assert.deepEqual(parseModerationInput(['a', { type: 'text', text: 'b' }]), ['a', 'b']);
  assert.throws(() => parseModerationInput([]), /must not be an empty array/);
  assert.throws(() => parseModerationInput(5), /input must be a string or an array/);
  assert.throws(() => parseModerationInput(['a', 7]), /input\[1\] must be a string/);
  assert.throws(() => parseModerationInput([{ type: 'image_url', image_url: {} }]), /input\[0\] is an image/);
});
