// BPE training (the GPT-2 / HF `tokenizers` method): count the unique pre-tokens of the corpus with their
// frequencies, start every pre-token as its bytes, then repeatedly merge the most frequent adjacent pair.
// Pair counts are kept up to date incrementally: each merge revisits only the words that contain the
// pair (an index from pair to words), and the priority queue is lazy (a popped entry whose count is
// stale is pushed back with its current count). Ties go to the smaller (left id, right id), so the same
// corpus always yields the same vocabulary.
import { byteChar, toWellFormed } from './byte-level.ts';
import { defaultPreTokenizer, PreTokenizer, type PreTokenizeStep } from './pretokenize.ts';
import { Tokenizer, type TokenizerSpec } from './tokenizer.ts';

export interface TrainOptions {
  /** Total vocabulary: special tokens + 256 bytes + merged tokens. */
  vocabSize: number;
  /** Reserved tokens, given the first ids in this order. */
  specialTokens: string[];
  preTokenizer?: PreTokenizeStep[];
  /** Pairs seen fewer times than this are never merged (training may then stop short of vocabSize). */
  minFrequency?: number;
  /** Called every few hundred merges: (tokens so far, target). */
  onProgress?: (vocab: number, target: number) => void;
}

const PAIR_SHIFT = 2 ** 21;

/** Max-heap of (count, pair key); among equal counts the smaller key (left id, then right id) first. */
class CountHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.counts.length;
  }
  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number): void {
    let i = this.counts.length;
    this.counts.push(count);
    this.keys.push(key);
    while (i > 0 && this.above(i, (i - 1) >> 1)) {
      this.swap(i, (i - 1) >> 1);
      i = (i - 1) >> 1;
    }
  }
  pop(): { count: number; key: number } {
    const top = { count: this.counts[0], key: this.keys[0] };
    const lastCount = this.counts.pop()!, lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.counts.length && this.above(l, m)) m = l;
        if (r < this.counts.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** Unique pre-tokens and how often each occurs, in order of first occurrence. Each text is split whole
 *  (pieces stream through a callback, so a large corpus never becomes an array of pieces). */
export function countPreTokens(texts: Iterable<string>, pre: PreTokenizer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) pre.each(toWellFormed(text), (piece) => counts.set(piece, (counts.get(piece) ?? 0) + 1));
  return counts;
}

export function trainTokenizer(texts: Iterable<string>, options: TrainOptions): Tokenizer {
  const specials = options.specialTokens;
  if (new Set(specials).size !== specials.length) throw new Error('special tokens must be distinct');
  const minimum = specials.length + 256;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < minimum) {
    throw new Error(`vocabulary size ${options.vocabSize} is too small: it must be at least ${minimum} (${specials.length} special tokens + 256 bytes)`);
  }
  const steps = options.preTokenizer ?? defaultPreTokenizer().steps;
  const minFrequency = options.minFrequency ?? 1;

  const tokens: string[] = [...specials];
  const ids = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    ids.set(byteChar(b), tokens.length);
    tokens.push(byteChar(b));
  }
  const byteId = (b: number) => specials.length + b;

  // Words as symbol arrays; iteration order of the count map is first occurrence, which is deterministic.
  const counted = countPreTokens(texts, new PreTokenizer(steps));
  const words: Int32Array[] = [];
  const freqs: number[] = [];
  const encoder = new TextEncoder();
  for (const [piece, freq] of counted) {
    const bytes = encoder.encode(piece);
    const w = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) w[i] = byteId(bytes[i]);
    words.push(w);
    freqs.push(freq);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>(); // may list a word twice or after it lost the pair; checked on use
  for (let w = 0; w < words.length; w++) {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * PAIR_SHIFT + s[i + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + freqs[w]);
      let list = pairWords.get(key);
      if (!list) pairWords.set(key, (list = []));
      if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new CountHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  const merges: Array<[number, number]> = [];
  const specialSet = new Set(specials);
  const delta = new Map<number, number>();
  while (tokens.length < options.vocabSize && heap.size > 0) {
    const top = heap.pop();
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count) {
      if (current > 0) heap.push(current, top.key);
      continue;
    }
    if (current < minFrequency) break;
    const a = Math.floor(top.key / PAIR_SHIFT), b = top.key % PAIR_SHIFT;
    const merged = tokens[a] + tokens[b];
    if (specialSet.has(merged)) {
      pairCounts.delete(top.key); // never let BPE spell a reserved token
      continue;
    }
    let id = ids.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      ids.set(merged, id);
    }
    merges.push([a, b]);

    delta.clear();
    const seen = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      if (seen.has(w)) continue;
      seen.add(w);
      const s = words[w];
      let hits = 0;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) { hits++; i++; }
      if (hits === 0) continue;
      const t = new Int32Array(s.length - hits);
      for (let i = 0, k = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { t[k++] = id; i += 2; }
        else t[k++] = s[i++];
      }
      const f = freqs[w];
      // Pairs touching a merge site change; pairs elsewhere in the word cancel out in `delta`.
      for (let i = 0; i + 1 < s.length; i++) {
        const key = s[i] * PAIR_SHIFT + s[i + 1];
        delta.set(key, (delta.get(key) ?? 0) - f);
      }
      for (let i = 0; i + 1 < t.length; i++) {
        const key = t[i] * PAIR_SHIFT + t[i + 1];
        delta.set(key, (delta.get(key) ?? 0) + f);
        if (t[i] === id || t[i + 1] === id) {
          let list = pairWords.get(key);
          if (!list) pairWords.set(key, (list = []));
          if (list[list.length - 1] !== w) list.push(w);
        }
      }
      words[w] = t;
    }
    pairWords.delete(top.key);
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const c = (pairCounts.get(key) ?? 0) + d;
      if (c > 0) pairCounts.set(key, c);
      else pairCounts.delete(key);
      if (d > 0) heap.push(c, key);
    }
    if (options.onProgress && merges.length % 256 === 0) options.onProgress(tokens.length, options.vocabSize);
  }

  const spec: TokenizerSpec = {
    tokens,
    merges,
    added: specials.map((content, id) => ({ id, content, special: true })),
    preTokenizer: steps,
    ignoreMerges: false,
  };
  return new Tokenizer(spec);
}
