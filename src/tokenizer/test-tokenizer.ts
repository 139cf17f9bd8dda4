// Shared by the tokenizer tests: a small Parley tokenizer trained on WordNet text (a fraction of a second).
import { SPECIAL_TOKENS } from './special-tokens.ts';
import { trainTokenizer } from './train.ts';
import type { Tokenizer } from './tokenizer.ts';
import { wordnetSentences } from './wordnet-corpus.ts';

let cached: Tokenizer | undefined;

export function smallTokenizer(): Tokenizer {
  cached ??= trainTokenizer([wordnetSentences(8000).join('\n') + '\n贵重物品 価格 café naïve 👍🏽 12345.678'], {
    vocabSize: 1200,
    specialTokens: SPECIAL_TOKENS,
  });
  return cached;
}

/** Deterministic pseudo-random numbers (mulberry32) so fuzz tests fail reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random string mixing ASCII, whitespace, Latin accents, CJK, emoji (with ZWJ and modifiers),
 *  combining marks, astral symbols and, when `surrogates`, lone surrogates. */
export function randomText(next: () => number, length: number, surrogates = false): string {
  const pools: Array<() => string> = [
    () => String.fromCharCode(32 + Math.floor(next() * 95)),
    () => [' ', '  ', '\n', '\t', '\r\n', '\n\n'][Math.floor(next() * 6)],
    () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(next() * 26)].repeat(1 + Math.floor(next() * 3)),
    () => String.fromCharCode(0xc0 + Math.floor(next() * 0x140)),
    () => String.fromCharCode(0x4e00 + Math.floor(next() * 0x5000)),
    () => ['👨‍👩‍👧', '👍🏽', '🏳️‍🌈', '😀', '🇫🇷'][Math.floor(next() * 5)],
    () => String.fromCharCode(0x300 + Math.floor(next() * 0x70)),
    () => String.fromCodePoint(0x10000 + Math.floor(next() * 0xfffff)),
    () => '0123456789'[Math.floor(next() * 10)],
  ];
  if (surrogates) pools.push(() => String.fromCharCode(0xd800 + Math.floor(next() * 0x800)));
  let s = '';
  while (s.length < length) s += pools[Math.floor(next() * pools.length)]();
  return s;
}
