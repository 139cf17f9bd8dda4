import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorld, entitySplit, DICTIONARY_SIZE } from './index.ts';
import { loadWords } from './wordnet.ts';
import { nameInSentence } from './countries.ts';

const world = loadWorld();

test('countries: cleaned facts from countries-list', () => {
  const byName = new Map(world.countries.all.map((c) => [c.name, c]));
  assert.equal(byName.get('France')?.capital, 'Paris');
  assert.deepEqual(byName.get('France')?.currencies, ['Euro']);
  assert.equal(byName.get('Japan')?.continent, 'Asia');
  assert.equal(byName.get('Peru')?.languages[0], 'Spanish');
  assert.ok(byName.get('Russia')!.continents.includes('Europe'));
  assert.ok(!byName.has('Antarctica'), 'no capital: dropped');
  assert.ok(!byName.has('Aland'), 'part of Finland: dropped');
  assert.ok(!byName.get('Switzerland')!.currencies.some((c) => /WIR/.test(c)), 'accounting units are not money');
  for (const c of world.countries.all) {
    assert.ok(c.capital && c.currencies.length && c.languages.length && c.continent, JSON.stringify(c));
  }
  assert.equal(nameInSentence(byName.get('Netherlands')!), 'the Netherlands');
  assert.equal(nameInSentence(byName.get('United States')!), 'the United States');
  assert.equal(nameInSentence(byName.get('Peru')!), 'Peru');
});

test('elements: all 118 from periodic-table', () => {
  assert.equal(world.elements.all.length, 118);
  const iron = world.elements.all.find((e) => e.symbol === 'Fe')!;
  assert.equal(iron.name, 'Iron');
  assert.equal(iron.number, 26);
  assert.equal(iron.state, 'solid');
  assert.equal(world.elements.all.find((e) => e.symbol === 'Hg')!.state, 'liquid');
});

test('words: the most common WordNet senses with definitions; proper nouns left out', () => {
  assert.equal(world.words.all.length, DICTIONARY_SIZE);
  const minKept = Math.min(...world.words.all.map((w) => w.tagCount));
  const kept = new Set(world.words.all.map((w) => w.word));
  assert.ok(loadWords().every((w) => kept.has(w.word) || w.tagCount <= minKept), 'a dropped word is more common than a kept one');
  const words = new Map(world.words.all.map((w) => [w.word, w]));
  assert.ok(!words.has('georgia'));
  const withExamples = world.words.all.filter((w) => w.examples.length);
  assert.ok(withExamples.length > DICTIONARY_SIZE / 3);
  for (const w of withExamples.slice(0, 200)) assert.ok(w.examples.every((e) => e.toLowerCase().includes(w.word.slice(0, 3))));
  for (const w of world.words.all) assert.ok(w.definition.length > 0 && !w.definition.startsWith('('));
});

test('entity split: fixed by key, about a fifth held out, both sides non-empty', () => {
  assert.equal(entitySplit('country', 'FR'), entitySplit('country', 'FR'));
  for (const kind of ['countries', 'elements', 'words'] as const) {
    const s = world[kind];
    const share = s.eval.length / s.all.length;
    assert.ok(share > 0.1 && share < 0.3, `${kind}: ${share}`);
    assert.equal(s.eval.length + s.train.length, s.all.length);
  }
});
