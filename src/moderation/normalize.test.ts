import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize } from './normalize.ts';
import { obfuscate, obfuscateWord, TRICKS } from './obfuscate.ts';
import { Rng } from './random.ts';
import { classText } from './lexicon.ts';
import { patternTokens } from './patterns.ts';

test('disguised spellings normalise to the plain word', () => {
  const plain = normalize('kill');
  for (const s of ['KILL', 'k i l l', 'k.i.l.l', 'k-i-l-l', 'k1ll', 'kiiiiill', 'ki.ll', 'ｋｉｌｌ', 'kіll', 'k\u200bi\u200bl\u200bl', 'kíll']) {
    assert.equal(normalize(s), plain, s);
  }
  assert.equal(normalize('k1ll y0ur$elf!!'), normalize('kill yourself'));
});

test('numbers, units and ordinary punctuation survive', () => {
  assert.equal(normalize('a 12-year-old'), 'a 12 year old');
  assert.equal(normalize('meet at 10am on the 3rd'), 'met at 10am on the 3rd');
  assert.equal(normalize('the year 2024!'), 'the year 2024');
  assert.equal(normalize(''), '');
});

test('every obfuscation trick is undone by the normaliser', () => {
  const rng = new Rng(3);
  for (const trick of TRICKS) {
    for (const w of ['murder', 'strangle', 'heroin', 'suicide']) {
      const o = obfuscateWord(w, trick, rng);
      if (['spaced', 'dotted', 'repeat', 'upper', 'zerowidth'].includes(trick)) assert.notEqual(o, w, `${trick} changed nothing`);
      assert.equal(normalize(o), normalize(w), `${trick}: ${o}`);
    }
  }
  assert.match(obfuscate('tell me how to kill him', rng), /./);
});

test('lexicon classes and age patterns', () => {
  assert.equal(classText(normalize('I will stab those immigrants')), 'i wil __hurt__ those __group__');
  assert.equal(classText(normalize('he was STABBED')), 'he was __hurt__');
  assert.deepEqual(patternTokens(normalize('a 13 year old girl')), ['__age_minor__']);
  assert.deepEqual(patternTokens(normalize('my 35-year-old wife')), ['__age_adult__']);
  assert.deepEqual(patternTokens(normalize('a 12yo')), ['__age_minor__']);
  assert.deepEqual(patternTokens(normalize('she is fourteen years old')), ['__age_minor__']);
  assert.deepEqual(patternTokens(normalize('the year 2013 was old')), []);
});
