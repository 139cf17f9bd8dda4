// A byte-level BPE tokenizer: text → UTF-8 bytes → one base token per byte → merges applied by rank
// within each pre-token. Decoding concatenates token bytes, so decode(encode(s)) === s for every
// well-formed string. JavaScript strings may hold lone UTF-16 surrogates, which have no UTF-8 form: they
// are replaced by U+FFFD before encoding (what TextEncoder and HF do), so for such strings the round trip
// yields the string with each lone surrogate turned into U+FFFD.
import { byteChar, byteLevelToBytes, toWellFormed } from './byte-level.ts';
import { MergeHeap } from './merge-heap.ts';
import { PreTokenizer, type PreTokenizeStep } from './pretokenize.ts';

export interface AddedToken {
  id: number;
  content: string;
  /** HF's flag: special tokens are skipped by decode({ skipSpecial: true }). */
  special: boolean;
}

/** Everything that defines a tokenizer; what tokenizer.json holds, by id instead of by string. */
export interface TokenizerSpec {
  /** Byte-level token strings by id ("Ġthe"); an added token's entry is its content. */
  tokens: string[];
  /** Merges in rank order, as pairs of token ids. */
  merges: Array<[number, number]>;
  added: AddedToken[];
  preTokenizer: PreTokenizeStep[];
  /** HF's ignore_merges (Llama 3): a pre-token that is itself in the vocabulary is one token. */
  ignoreMerges?: boolean;
}

export interface EncodeOptions {
  /** Recognise special tokens spelled in the text (templates, trusted prompts). Default false: text that
   *  spells "<|user|>" is ordinary bytes, so users cannot inject control tokens. Added tokens that are
   *  not special (extra vocabulary in some HF files) are always recognised, as HF does. */
  allowSpecial?: boolean;
}

const CACHE_LIMIT = 1 << 18;
const CACHEABLE_LENGTH = 128;
const utf8 = new TextEncoder();

export class Tokenizer {
  readonly spec: TokenizerSpec;
  readonly vocabSize: number;
  private readonly vocab = new Map<string, number>();
  private readonly tokenBytes: Uint8Array[];
  private readonly byteIds = new Int32Array(256);
  /** ranks[a].get(b): rank of merge (a, b). Small-integer keys keep the lookups on V8's fast path. */
  private readonly ranks: Array<Map<number, number> | undefined> = [];
  private readonly mergeResult: Int32Array;
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly allAddedPattern: RegExp | null; // every added token
  private readonly plainAddedPattern: RegExp | null; // only the non-special ones
  private readonly pre: PreTokenizer;
  private readonly cache = new Map<string, Int32Array>();
  private readonly heap = new MergeHeap(64);
  private bytes = new Uint8Array(256); // scratch for encodePiece: the piece's UTF-8,
  private sym = new Int32Array(64); // its symbols,
  private next = new Int32Array(64); // and their links
  private prev = new Int32Array(64);

  constructor(spec: TokenizerSpec) {
    this.spec = spec;
    this.vocabSize = spec.tokens.length;
    for (const a of spec.added) {
      if (!(a.id >= 0 && a.id < this.vocabSize)) throw new Error(`added token ${JSON.stringify(a.content)} has id ${a.id} outside the vocabulary`);
      this.addedById.set(a.id, a);
      this.addedByContent.set(a.content, a);
    }
    this.tokenBytes = spec.tokens.map((t, id) => {
      const added = this.addedById.get(id);
      return added ? utf8.encode(added.content) : byteLevelToBytes(t ?? '');
    });
    spec.tokens.forEach((t, id) => {
      if (t !== undefined && !this.addedById.has(id) && !this.vocab.has(t)) this.vocab.set(t, id);
    });
    for (let b = 0; b < 256; b++) {
      const id = this.vocab.get(byteChar(b));
      if (id === undefined) throw new Error(`byte-level vocabulary lacks a token for byte ${b} (${JSON.stringify(byteChar(b))})`);
      this.byteIds[b] = id;
    }
    for (let i = 0; i < this.vocabSize; i++) this.ranks.push(undefined); // dense, not a holey array
    this.mergeResult = new Int32Array(spec.merges.length);
    spec.merges.forEach(([a, b], rank) => {
      const merged = this.vocab.get(spec.tokens[a] + spec.tokens[b]);
      if (merged === undefined) throw new Error(`merge ${rank} (${spec.tokens[a]} ${spec.tokens[b]}) makes a token that is not in the vocabulary`);
      // A merge listed twice takes its last rank, as HF's map from pair to rank does.
      (this.ranks[a] ??= new Map()).set(b, rank);
      this.mergeResult[rank] = merged;
    });
    // Longest first so "<|end|>" cannot shadow "<|end_of_turn|>".
    const pattern = (tokens: AddedToken[]) => {
      const contents = tokens.map((a) => a.content).filter((c) => c.length > 0).sort((a, b) => b.length - a.length);
      return contents.length ? new RegExp(contents.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
    };
    this.allAddedPattern = pattern(spec.added);
    this.plainAddedPattern = pattern(spec.added.filter((a) => !a.special));
    this.pre = new PreTokenizer(spec.preTokenizer);
  }

  /** The id of a token string (byte-level form) or added token content, if any. */
  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.vocab.get(token);
  }

  /** The token string for an id (byte-level form, or an added token's content). */
  idToToken(id: number): string | undefined {
    return this.spec.tokens[id];
  }

  /** The raw bytes an id stands for. */
  bytesOf(id: number): Uint8Array {
    this.checkId(id);
    return this.tokenBytes[id];
  }

  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special ?? false;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    const wellFormed = toWellFormed(text); // lone surrogates → U+FFFD (see the file comment)
    const re = options.allowSpecial ? this.allAddedPattern : this.plainAddedPattern;
    if (!re) {
      this.encodeOrdinary(wellFormed, out);
      return out;
    }
    re.lastIndex = 0;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(wellFormed)) !== null) {
      if (m.index > last) this.encodeOrdinary(wellFormed.slice(last, m.index), out);
      out.push(this.addedByContent.get(m[0])!.id);
      last = m.index + m[0].length;
    }
    if (last < wellFormed.length) this.encodeOrdinary(wellFormed.slice(last), out);
    return out;
  }

  private encodeOrdinary(text: string, out: number[]): void {
    if (text.length > 0) this.pre.each(text, (piece) => this.encodeCached(piece, out));
  }

  private encodeCached(piece: string, out: number[]): void {
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.encodePiece(piece);
      if (piece.length <= CACHEABLE_LENGTH) {
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(piece, ids);
      }
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  /** BPE on one pre-token: symbols in a doubly linked list, candidate merges in a heap by (rank, pos);
   *  a popped candidate is stale if either symbol has since changed, which the rank check detects. */
  private encodePiece(piece: string): Int32Array {
    if (this.bytes.length < piece.length * 3) this.bytes = new Uint8Array(piece.length * 6);
    const bytes = this.bytes;
    const n = utf8.encodeInto(piece, bytes).written;
    if (this.sym.length < n) this.sym = new Int32Array(n * 2);
    const sym = this.sym;
    for (let i = 0; i < n; i++) sym[i] = this.byteIds[bytes[i]];
    if (n < 2) return sym.slice(0, n);
    if (this.spec.ignoreMerges) {
      let s = '';
      for (let i = 0; i < n; i++) s += byteChar(bytes[i]);
      const whole = this.vocab.get(s);
      if (whole !== undefined) return Int32Array.of(whole);
    }
    if (this.next.length < n) {
      this.next = new Int32Array(n * 2);
      this.prev = new Int32Array(n * 2);
    }
    const next = this.next, prev = this.prev;
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = this.heap;
    heap.reset(3 * n);
    for (let i = 0; i + 1 < n; i++) {
      const r = this.ranks[sym[i]]?.get(sym[i + 1]);
      if (r !== undefined) heap.push(r, i);
    }
    let count = n;
    while (heap.size > 0) {
      const rank = heap.topRank(), p = heap.topPos();
      heap.pop();
      if (sym[p] < 0) continue; // merged away into its left neighbour
      const q = next[p];
      if (q < 0 || this.ranks[sym[p]]?.get(sym[q]) !== rank) continue;
      sym[p] = this.mergeResult[rank];
      sym[q] = -1;
      const after = next[q];
      next[p] = after;
      if (after >= 0) prev[after] = p;
      count--;
      const before = prev[p];
      if (before >= 0) {
        const r = this.ranks[sym[before]]?.get(sym[p]);
        if (r !== undefined) heap.push(r, before);
      }
      if (after >= 0) {
        const r = this.ranks[sym[p]]?.get(sym[after]);
        if (r !== undefined) heap.push(r, p);
      }
    }
    const result = new Int32Array(count);
    for (let i = 0, k = 0; i >= 0; i = next[i]) result[k++] = sym[i];
    return result;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.spec.tokens[id] === undefined) {
      throw new RangeError(`token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    }
  }

  /** The bytes of a sequence of ids, without special tokens when `skipSpecial`. */
  decodeBytes(ids: ArrayLike<number>, skipSpecial = false): Uint8Array {
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      this.checkId(ids[i]);
      if (!(skipSpecial && this.isSpecial(ids[i]))) total += this.tokenBytes[ids[i]].length;
    }
    const out = new Uint8Array(total);
    for (let i = 0, k = 0; i < ids.length; i++) {
      if (skipSpecial && this.isSpecial(ids[i])) continue;
      out.set(this.tokenBytes[ids[i]], k);
      k += this.tokenBytes[ids[i]].length;
    }
    return out;
  }

  /** Text of the ids. Byte sequences that are not valid UTF-8 (a model can emit half a character)
   *  decode to U+FFFD. Throws RangeError naming an id outside the vocabulary. */
  decode(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): string {
    return new TextDecoder('utf-8').decode(this.decodeBytes(ids, options.skipSpecial));
  }

  /** A decoder for generation: feed ids one at a time, get text as soon as characters are complete. */
  streamDecoder(options: { skipSpecial?: boolean } = {}): (ids: ArrayLike<number>, final?: boolean) => string {
    const decoder = new TextDecoder('utf-8');
    return (ids, final = false) => decoder.decode(this.decodeBytes(ids, options.skipSpecial), { stream: !final });
  }
}
