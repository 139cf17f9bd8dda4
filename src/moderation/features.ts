// Hashed features of a normalised text, in three blocks:
//   words:   word unigrams and bigrams;
//   chars:   character 3- to 5-grams (with the spaces, so word boundaries count);
//   classes: pattern tokens (ages), the lexicon classes present (lexicon.ts) and pairs of them, and
//            the word 2-3-grams around each class token.
// Each feature is hashed into one of `dims` buckets with value 1 + ln(count). Each block is scaled
// to unit L2 norm on its own (short texts less, see floors): the few class features would otherwise be drowned by the hundreds of
// character n-grams, and a long and a short text of the same kind score alike.

import { classText } from './lexicon.ts';
import { patternTokens } from './patterns.ts';

export interface FeatureConfig {
  /** Number of hash buckets (a power of two). */
  dims: number;
  charMin: number;
  charMax: number;
}

export const DEFAULT_FEATURES: FeatureConfig = { dims: 1 << 16, charMin: 3, charMax: 5 };

/** Sparse vector: `index[i]` in [0, dims), `value[i]` its weight. Indices may repeat across blocks. */
export interface SparseVector {
  index: Uint32Array;
  value: Float32Array;
  /** Where each block starts in `index`: [words, chars, classes, end]. */
  blocks?: [number, number, number, number];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashString(s: string, seed: number): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export function featurize(normalized: string, cfg: FeatureConfig): SparseVector {
  const mask = cfg.dims - 1;
  const words = new Map<number, number>();
  const chars = new Map<number, number>();
  const classes = new Map<number, number>();
  const add = (m: Map<number, number>, h: number) => {
    const k = h & mask;
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  const ws = normalized.length ? normalized.split(' ') : [];
  for (let i = 0; i < ws.length; i++) {
    add(words, hashString(ws[i], 1));
    if (i > 0) add(words, hashString(ws[i - 1] + ' ' + ws[i], 2));
  }
  // Character n-grams hashed incrementally: one pass per start position covers every length.
  const s = ' ' + normalized + ' ';
  for (let i = 0; i + cfg.charMin <= s.length; i++) {
    let h = (FNV_OFFSET ^ 4) >>> 0;
    for (let n = 1; n <= cfg.charMax && i + n <= s.length; n++) {
      h = Math.imul(h ^ s.charCodeAt(i + n - 1), FNV_PRIME);
      if (n >= cfg.charMin) add(chars, Math.imul(h ^ n, FNV_PRIME) >>> 0);
    }
  }
  // Lexicon classes and pattern tokens present anywhere in the window, and every pair of them
  // ("__group__" with "__hurt__", "__age_minor__" with "__sexual__"): conjunctions a linear model
  // cannot form from the words alone, and what most sub-categories are made of.
  const present = new Set<string>(patternTokens(normalized));
  const classed = classText(normalized);
  if (classed !== normalized) for (const w of classed.split(' ')) if (w.startsWith('__')) present.add(w);
  // Word 2- and 3-grams of the class-substituted text that contain a class token ("will __hurt__
  // you", "__group__ should be"): the shape of a sentence around its harmful word, so a template
  // seen with "stab" and "muslims" also speaks for "strangle" and "roma".
  if (classed !== normalized) {
    const cw = classed.split(' ');
    for (let i = 0; i < cw.length; i++) {
      for (let n = 2; n <= 3 && i + n <= cw.length; n++) {
        const gram = cw.slice(i, i + n);
        if (gram.some((w) => w.startsWith('__'))) add(classes, hashString(gram.join(' '), 9 + n));
      }
    }
  }
  const sorted = [...present].sort();
  for (let i = 0; i < sorted.length; i++) {
    add(classes, hashString(sorted[i], 5));
    for (let j = i + 1; j < sorted.length; j++) add(classes, hashString(sorted[i] + '+' + sorted[j], 8));
  }
  const blocks = [words, chars, classes];
  // Squared-norm floors per block: a text of two or three words has too little evidence for unit
  // norm to be fair, and would let one word's weight decide (a reply that has streamed "Sure," so
  // far must not look like anything).
  const floors = [12, 60, 1];
  const n = blocks.reduce((a, m) => a + m.size, 0);
  const index = new Uint32Array(n);
  const value = new Float32Array(n);
  let j = 0;
  const starts: number[] = [];
  blocks.forEach((m, b) => {
    starts.push(j);
    let norm = 0;
    for (const c of m.values()) norm += (1 + Math.log(c)) ** 2;
    const inv = 1 / Math.sqrt(Math.max(norm, floors[b]));
    for (const [k, c] of m) {
      index[j] = k;
      value[j] = (1 + Math.log(c)) * inv;
      j++;
    }
  });
  starts.push(j);
  return { index, value, blocks: starts as [number, number, number, number] };
}
