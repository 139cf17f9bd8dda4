// The world's facts, with a fixed split of entities: about a fifth of countries, elements and words
// never appear inside a training conversation, only in pretraining prose and in evaluation, so
// evaluation measures whether the model generalises dialogue skills to facts it only read about.
import { hashString } from '../rng.ts';
import { loadCountries, type Country } from './countries.ts';
import { loadElements, type Element } from './elements.ts';
import { loadWords, type WordSense } from './wordnet.ts';

export type { Country, Element, WordSense };
export type Split = 'train' | 'eval';

export interface EntitySets<T> {
  all: T[];
  train: T[];
  eval: T[];
}

export interface World {
  countries: EntitySets<Country>;
  elements: EntitySets<Element>;
  words: EntitySets<WordSense>;
}

/** Which split an entity belongs to, fixed by its key so it never depends on the seed. */
export function entitySplit(kind: string, key: string): Split {
  return hashString(`${kind}:${key}`) % 5 === 0 ? 'eval' : 'train';
}

function splitBy<T>(items: T[], kind: string, key: (t: T) => string): EntitySets<T> {
  const train: T[] = [];
  const evalSet: T[] = [];
  for (const it of items) (entitySplit(kind, key(it)) === 'eval' ? evalSet : train).push(it);
  return { all: items, train, eval: evalSet };
}

/**
 * How many words the world's dictionary keeps: the most common by WordNet's tagged-sense counts. A small
 * model can learn a definition it reads ~20 times per epoch, not one it reads twice, so the world defines
 * fewer words more often rather than thousands once (studies/FINDINGS.md, section 4).
 */
export const DICTIONARY_SIZE = 500;

function commonest(words: WordSense[], n: number): WordSense[] {
  const keep = new Set([...words].sort((a, b) => b.tagCount - a.tagCount || (a.word < b.word ? -1 : 1)).slice(0, n));
  return words.filter((w) => keep.has(w));
}

let cached: World | undefined;

export function loadWorld(): World {
  if (cached) return cached;
  cached = {
    countries: splitBy(loadCountries(), 'country', (c) => c.code),
    elements: splitBy(loadElements(), 'element', (e) => e.symbol),
    words: splitBy(commonest(loadWords(), DICTIONARY_SIZE), 'word', (w) => w.word),
  };
  return cached;
}
