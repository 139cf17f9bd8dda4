import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asksQuestion, containsPhrase, isRefusal, normalize, numbersIn, sameNumber, wordCount } from './text.ts';

test('normalize and phrase matching ignore case, accents and punctuation but respect word edges', () => {
  assert.equal(normalize('  Brasília, BRAZIL!! '), 'brasilia brazil');
  assert.ok(containsPhrase('The capital is Bogotá.', 'bogota'));
  assert.ok(containsPhrase('Washington, D.C. is it', 'Washington, D.C.'));
  assert.ok(!containsPhrase('Parisian food', 'Paris'));
  assert.ok(!containsPhrase('anything', ''));
  assert.equal(wordCount(''), 0);
  assert.equal(wordCount('one two  three'), 3);
});

test('numbers: thousands separators, decimals, signs, and fair rounding only', () => {
  assert.deepEqual(numbersIn('It is 26, not 97. Total 1,234.5 and -3.'), [26, 97, 1234.5, -3]);
  assert.ok(sameNumber(85.98, 85.98028225));
  assert.ok(sameNumber(0.01757, 0.017571));
  assert.ok(!sameNumber(1002, 1000));
  assert.ok(!sameNumber(26.004, 26));
  assert.ok(sameNumber(26, 26));
});

test('cue detection: refusals, clarifying questions', () => {
  assert.ok(isRefusal('Sorry, I can’t help with that.'));
  assert.ok(!isRefusal('The capital of France is Paris.'));
  assert.ok(asksQuestion('Which country do you mean?'));
  assert.ok(!asksQuestion('Which country? Paris.'.replace('?', '.')));
});
