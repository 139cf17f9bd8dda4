// The ways people disguise words from a filter, used to augment training data and to test that
// the normaliser and classifier see through them.
import type { Rng } from './random.ts';

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '$', t: '7' };
const HOMOGLYPH: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', i: 'і' };

export type Trick = 'leet' | 'spaced' | 'dotted' | 'repeat' | 'inner' | 'upper' | 'homoglyph' | 'zerowidth';
export const TRICKS: Trick[] = ['leet', 'spaced', 'dotted', 'repeat', 'inner', 'upper', 'homoglyph', 'zerowidth'];

export function obfuscateWord(w: string, trick: Trick, rng: Rng): string {
  if (!/^[a-z]{3,}$/i.test(w)) return w;
  switch (trick) {
    case 'leet':
      return [...w].map((ch) => (LEET[ch] && rng.next() < 0.7 ? LEET[ch] : ch)).join('');
    case 'spaced':
      return [...w].join(' ');
    case 'dotted':
      return [...w].join(rng.pick(['.', '-', '*', '_']));
    case 'repeat': {
      const i = 1 + rng.int(w.length - 1);
      return w.slice(0, i) + w[i].repeat(2 + rng.int(4)) + w.slice(i + 1);
    }
    case 'inner': {
      const i = 1 + rng.int(w.length - 1);
      return w.slice(0, i) + rng.pick(['.', '*', '_']) + w.slice(i);
    }
    case 'upper':
      return w.toUpperCase();
    case 'homoglyph':
      return [...w].map((ch) => HOMOGLYPH[ch] ?? ch).join('');
    case 'zerowidth':
      return [...w].join('\u200b');
  }
}

/** Applies one trick to roughly `rate` of the words (at least one word of three or more letters). */
export function obfuscate(text: string, rng: Rng, rate = 0.4, trick?: Trick): string {
  const words = text.split(' ');
  const long = words.map((w, i) => (/^[a-z]{3,}$/i.test(w) ? i : -1)).filter((i) => i >= 0);
  if (long.length === 0) return text;
  const chosen = new Set<number>(long.filter(() => rng.next() < rate));
  if (chosen.size === 0) chosen.add(rng.pick(long));
  return words.map((w, i) => (chosen.has(i) ? obfuscateWord(w, trick ?? rng.pick(TRICKS), rng) : w)).join(' ');
}
