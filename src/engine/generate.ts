// Text generation over token ids: prefill each prompt into its own KV-cache slot, then decode all
// unfinished sequences together, one token each per step, sampling with sampling.ts.
//
// Each sequence i draws from its own PRNG seeded with seed + i, so a batch gives exactly the
// tokens the same prompts give one at a time with seeds seed, seed+1, ….
// Reported log-probs are the model's own: log softmax of the raw logits (no temperature or
// penalties), the number PPO and evaluation want.
import { UserError } from '../util/errors.ts';
import type { LlamaModel } from './model.ts';
import { Decoder } from './decode.ts';
import {
  Rng, TokenHistory, defaultSampler, sampleToken, validateSampler, logSoftmaxAt, topKIds, type SamplerOptions,
} from './sampling.ts';

export interface GenerateOptions extends Partial<SamplerOptions> {
  maxTokens: number;
  /** Generation of a sequence ends when it samples one of these; the stop id is not in `ids`. */
  stopIds?: number[];
  /** Default: a random seed (then output is not reproducible). */
  seed?: number;
  /** How many alternatives to report per token (0 = none). */
  topLogprobs?: number;
}

export interface Generation {
  ids: number[]; // new tokens only
  logprobs: number[]; // log p(ids[i]) under the model
  top?: Array<Array<{ id: number; logprob: number }>>; // per token, when topLogprobs > 0
  finishReason: 'stop' | 'length';
  stopId?: number; // the stop id that ended it
}

export interface TokenEvent {
  seq: number; // index into the prompts
  id: number;
  logprob: number;
}

/** All prompts' generations, advanced one token per `step()` (lets a server yield between steps). */
export class BatchGeneration {
  readonly results: Generation[];
  private decoder: Decoder;
  private sampler: SamplerOptions;
  private rngs: Rng[];
  private histories: TokenHistory[];
  private slots: number[];
  private pending: Array<Float32Array | null>; // next-token logits per unfinished sequence
  private stop: Set<number>;

  constructor(readonly model: LlamaModel, prompts: ArrayLike<number>[], readonly opts: GenerateOptions) {
    if (prompts.length === 0) throw new UserError('no prompts to generate from');
    if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new UserError(`max tokens must be an integer >= 0, got ${opts.maxTokens}`);
    const topN = opts.topLogprobs ?? 0;
    if (!Number.isInteger(topN) || topN < 0 || topN > 20) throw new UserError(`top logprobs must be 0..20, got ${topN}`);
    this.sampler = { ...defaultSampler, ...definedOnly(opts) };
    validateSampler(this.sampler);
    const V = model.config.vocabSize;
    for (const id of opts.stopIds ?? []) {
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new UserError(`stop id ${id} is outside the vocabulary (size ${V})`);
    }
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new UserError(`prompt ${i} is empty: at least one token is needed`);
      for (let t = 0; t < p.length; t++) {
        if (!Number.isInteger(p[t]) || p[t] < 0 || p[t] >= V) {
          throw new UserError(`prompt ${i}: id ${p[t]} at position ${t} is outside the vocabulary (size ${V})`);
        }
      }
    });
    this.stop = new Set(opts.stopIds ?? []);
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    if (!Number.isInteger(seed)) throw new UserError(`seed must be an integer, got ${seed}`);
    const maxT = Math.max(...prompts.map((p) => p.length)) + Math.max(1, opts.maxTokens);
    this.decoder = new Decoder(model, prompts.length, maxT);
    this.rngs = prompts.map((_, i) => new Rng(seed + i));
    this.histories = prompts.map((p) => new TokenHistory(Array.from(p)));
    this.results = prompts.map(() => ({ ids: [], logprobs: [], finishReason: 'length' as const, ...(topN ? { top: [] } : {}) }));
    this.slots = prompts.map(() => this.decoder.cache.acquire());
    this.pending = opts.maxTokens > 0 ? this.decoder.prefillMany(this.slots, prompts) : prompts.map(() => null);
  }

  get done(): boolean {
    return this.pending.every((p) => p === null);
  }

  /** Samples one token for every unfinished sequence, then runs the model on those that go on. */
  step(): TokenEvent[] {
    const events: TokenEvent[] = [];
    const goOn: number[] = [];
    const topN = this.opts.topLogprobs ?? 0;
    for (let i = 0; i < this.pending.length; i++) {
      const logits = this.pending[i];
      if (!logits) continue;
      const r = this.results[i];
      const id = sampleToken(logits.slice(), this.sampler, this.histories[i], this.rngs[i]);
      this.pending[i] = null;
      if (this.stop.has(id)) {
        r.finishReason = 'stop';
        r.stopId = id;
        continue;
      }
      const logprob = logSoftmaxAt(logits, id);
      r.ids.push(id);
      r.logprobs.push(logprob);
      if (topN && r.top) r.top.push(topKIds(logits, topN).map((t) => ({ id: t, logprob: logprob - logits[id] + logits[t] })));
      this.histories[i].add(id);
      events.push({ seq: i, id, logprob });
      if (r.ids.length < this.opts.maxTokens) goOn.push(i);
    }
    if (goOn.length) {
      const logits = this.decoder.step(goOn.map((i) => this.slots[i]), goOn.map((i) => this.results[i].ids[this.results[i].ids.length - 1]));
      const V = this.model.config.vocabSize;
      goOn.forEach((i, s) => (this.pending[i] = logits.subarray(s * V, (s + 1) * V)));
    }
    return events;
  }

  dispose(): void {
    this.decoder.dispose();
  }
}

function definedOnly(o: GenerateOptions): Partial<SamplerOptions> {
  const out: Partial<SamplerOptions> = {};
  for (const k of Object.keys(defaultSampler) as Array<keyof SamplerOptions>) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Generates for every prompt (a batch), calling `onToken` as tokens appear. */
export function generate(
  model: LlamaModel, prompts: ArrayLike<number>[], opts: GenerateOptions, onToken?: (e: TokenEvent) => void,
): Generation[] {
  const g = new BatchGeneration(model, prompts, opts);
  try {
    while (!g.done) for (const e of g.step()) onToken?.(e);
    return g.results;
  } finally {
    g.dispose();
  }
}

/** The same as generate(), yielding to the event loop between steps and stopping early on `signal`. */
export async function* generateStream(
  model: LlamaModel, prompts: ArrayLike<number>[], opts: GenerateOptions, signal?: AbortSignal,
): AsyncGenerator<TokenEvent, Generation[]> {
  const g = new BatchGeneration(model, prompts, opts);
  try {
    while (!g.done) {
      signal?.throwIfAborted();
      for (const e of g.step()) yield e;
      await new Promise((r) => setImmediate(r));
    }
    return g.results;
  } finally {
    g.dispose();
  }
}
