// Choosing the next token from a row of logits: penalties, temperature, top-k, top-p, then a draw
// from our own seeded PRNG so that a seed reproduces a generation exactly on any machine.
//
// Order (the same as vLLM / HF): repetition penalty (prompt + output tokens), frequency and presence
// penalties (output tokens only, OpenAI semantics), temperature, top-k, top-p. Temperature 0 is greedy
// (argmax after penalties; ties go to the lowest id).
import { UserError } from '../util/errors.ts';

/** xoshiro128**: small, fast, and identical everywhere; seeded through splitmix32. */
export class Rng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads a small seed over the whole state (the state must not be all zero).
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export interface SamplerOptions {
  temperature: number; // 0 = greedy
  topK: number; // 0 = off
  topP: number; // 1 = off
  repetitionPenalty: number; // 1 = off; > 1 discourages any token already in prompt or output
  frequencyPenalty: number; // subtracted once per earlier occurrence in the output
  presencePenalty: number; // subtracted once if the token occurred in the output
}

export const defaultSampler: SamplerOptions = {
  temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, frequencyPenalty: 0, presencePenalty: 0,
};

export function validateSampler(o: SamplerOptions): void {
  const bad = (what: string, v: number) => {
    throw new UserError(`${what}, got ${v}`);
  };
  if (!(o.temperature >= 0) || !Number.isFinite(o.temperature)) bad('temperature must be a finite number >= 0', o.temperature);
  if (!Number.isInteger(o.topK) || o.topK < 0) bad('top-k must be a non-negative integer', o.topK);
  if (!(o.topP > 0 && o.topP <= 1)) bad('top-p must be in (0, 1]', o.topP);
  if (!(o.repetitionPenalty > 0) || !Number.isFinite(o.repetitionPenalty)) bad('repetition penalty must be > 0', o.repetitionPenalty);
  if (!Number.isFinite(o.frequencyPenalty)) bad('frequency penalty must be finite', o.frequencyPenalty);
  if (!Number.isFinite(o.presencePenalty)) bad('presence penalty must be finite', o.presencePenalty);
}

/** Token counts of one sequence's history, kept up to date as tokens are generated. */
export class TokenHistory {
  readonly seen = new Set<number>(); // prompt and output (repetition penalty)
  readonly outputCounts = new Map<number, number>(); // output only (frequency/presence)
  constructor(prompt: Iterable<number>) {
    for (const t of prompt) this.seen.add(t);
  }
  add(token: number): void {
    this.seen.add(token);
    this.outputCounts.set(token, (this.outputCounts.get(token) ?? 0) + 1);
  }
}

/** Applies the penalties to `logits` in place. */
export function applyPenalties(logits: Float32Array, o: SamplerOptions, h: TokenHistory): void {
  if (o.repetitionPenalty !== 1) {
    for (const t of h.seen) {
      const z = logits[t];
      logits[t] = z > 0 ? z / o.repetitionPenalty : z * o.repetitionPenalty;
    }
  }
  if (o.frequencyPenalty !== 0 || o.presencePenalty !== 0) {
    for (const [t, n] of h.outputCounts) logits[t] -= n * o.frequencyPenalty + o.presencePenalty;
  }
}

/** log softmax(logits)[id], computed in float64. */
export function logSoftmaxAt(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * Picks the next token. `logits` (one row, length V) is modified (penalties applied) — pass a copy
 * if the caller still needs the raw row. Returns the token id.
 */
export function sampleToken(logits: Float32Array, o: SamplerOptions, h: TokenHistory, rng: Rng): number {
  applyPenalties(logits, o, h);
  if (o.temperature === 0) return argmax(logits);
  const V = logits.length;
  const k = o.topK > 0 && o.topK < V ? o.topK : V;
  let ids: ArrayLike<number>;
  let p: Float64Array;
  let sum = 0;
  if (k < V) {
    // Top-k: the k best, found by a partial selection, best first.
    ids = topKIds(logits, k);
    const max = logits[ids[0]];
    p = Float64Array.from(ids, (id) => Math.exp((logits[id] - max) / o.temperature));
    for (let i = 0; i < k; i++) sum += p[i];
  } else {
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i];
    const all = new Float64Array(V);
    for (let i = 0; i < V; i++) sum += all[i] = Math.exp((logits[i] - max) / o.temperature);
    if (o.topP < 1) {
      // The nucleus is a prefix of the sorted vocabulary, so it lies inside any set {p ≥ τ} whose
      // mass already reaches top-p: sort only that set (a few hundred tokens, not the whole vocabulary).
      let cand: number[] = [];
      for (const tau of [1e-2, 1e-4, 1e-6, 1e-9, 0]) {
        cand = [];
        let mass = 0;
        for (let i = 0; i < V; i++) if (all[i] >= tau) { cand.push(i); mass += all[i]; }
        if (mass >= o.topP * sum) break;
      }
      ids = cand.sort((a, b) => logits[b] - logits[a] || a - b);
      p = Float64Array.from(ids, (id) => all[id]);
    } else {
      ids = Int32Array.from({ length: V }, (_, i) => i);
      p = all;
    }
  }
  const n = ids.length;
  let keep = n;
  if (o.topP < 1) {
    // Smallest prefix (in sorted order) whose mass reaches top-p; always keeps at least one token.
    let cum = 0;
    for (let i = 0; i < n; i++) {
      cum += p[i] / sum;
      if (cum >= o.topP) {
        keep = i + 1;
        break;
      }
    }
    sum = 0;
    for (let i = 0; i < keep; i++) sum += p[i];
  }
  let r = rng.next() * sum;
  for (let i = 0; i < keep; i++) {
    r -= p[i];
    if (r < 0) return ids[i];
  }
  return ids[keep - 1]; // rounding left r ≥ 0 after the last candidate
}

/** The k largest logits' ids, best first (ties to the lower id). */
export function topKIds(logits: Float32Array, k: number): number[] {
  // A sorted buffer of size k with insertion: O(V·k) worst case, but almost every logit is
  // rejected by one comparison against the current k-th best, so it runs near O(V).
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (best.length === k && z <= logits[best[k - 1]]) continue;
    let j = best.length < k ? best.length : k - 1;
    while (j > 0 && logits[best[j - 1]] < z) j--;
    if (best.length < k) best.splice(j, 0, i);
    else {
      best.pop();
      best.splice(j, 0, i);
    }
  }
  return best;
}
