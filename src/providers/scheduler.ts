// Continuous batching over the engine's Decoder: every running sequence advances one token per step
// in a single batched decode; between steps, finished and cancelled sequences leave (freeing their KV
// cache slot) and waiting ones join: all that join at one step boundary are prefilled together with
// `Decoder.prefillMany` (prompts of similar length share one forward, so the weights are read once per group
// rather than once per prompt). Requests beyond the batch wait in a bounded queue; a full queue refuses new
// work with ProviderError 429 `server_busy`.
//
// Each sequence samples with its own options and PRNG, so what it generates does not depend on which
// other sequences share its steps (for greedy decoding: what it would generate alone; a prompt prefilled
// in company goes through matmuls with more rows, which sum in another order, so its logits equal a lone
// prefill's to float32 rounding — a tie within ~1e-6 could in principle break the other way).
import type { LlamaModel } from '../engine/model.ts';
import { Decoder } from '../engine/decode.ts';
import {
  Rng, TokenHistory, sampleToken, logSoftmaxAt, topKIds, validateSampler, type SamplerOptions,
} from '../engine/sampling.ts';
import { ProviderError } from './types.ts';

export interface SequenceOptions {
  sampler: SamplerOptions;
  maxTokens: number;
  stopIds: number[]; // generation ends when one is sampled (not reported as a token)
  seed?: number; // default: random
  topLogprobs: number; // alternatives per token, 0..20 (0 = none)
}

/** One generated token with its log-probability under the model (raw logits, no temperature). */
export interface ScheduledToken {
  id: number;
  logprob: number;
  top?: { id: number; logprob: number }[];
}

export type SequenceEnd = { finishReason: 'stop' | 'length'; promptTokens: number; completionTokens: number };

export interface SchedulerOptions {
  batchSize: number; // sequences decoded together (KV cache slots)
  queueSize: number; // sequences allowed to wait for a slot
  maxContext: number; // prompt + generated tokens per sequence
  /** 'batched' (default): the sequences joining at one step are prefilled together; 'single': one by one (benchmarks compare the two). */
  prefill?: 'batched' | 'single';
}

export interface SchedulerStats {
  running: number;
  waiting: number;
  steps: number; // batched decode steps so far
  maxBatch: number; // the most sequences one step has decoded
  maxJoined: number; // the most sequences prefilled at one step boundary (together unless prefill: 'single')
}

/** A per-sequence channel: the scheduler pushes tokens, the consumer async-iterates them. */
class Sequence {
  slot = -1;
  logits: Float32Array | null = null; // next-token logits, once prefilled
  generated = 0;
  history: TokenHistory;
  rng: Rng;
  lastToken = -1;
  closed = false; // the consumer stopped listening (or the request was aborted)
  private queue: (ScheduledToken | SequenceEnd | Error)[] = [];
  private wake: (() => void) | undefined;
  private readonly onAbort = () => this.wake?.();

  constructor(readonly prompt: number[], readonly opts: SequenceOptions, readonly signal: AbortSignal) {
    this.history = new TokenHistory(prompt);
    this.rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  push(item: ScheduledToken | SequenceEnd | Error): void {
    this.queue.push(item);
    this.wake?.();
  }

  async *events(onClose: () => void): AsyncGenerator<ScheduledToken, SequenceEnd> {
    try {
      for (;;) {
        while (this.queue.length) {
          if (this.signal.aborted) throw this.signal.reason; // tokens already queued are not delivered
          const item = this.queue.shift()!;
          if (item instanceof Error) throw item;
          if ('finishReason' in item) return item;
          yield item;
        }
        if (this.signal.aborted) throw this.signal.reason;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.signal.removeEventListener('abort', this.onAbort);
      this.closed = true;
      onClose();
    }
  }
}

export class Scheduler {
  private readonly decoder: Decoder;
  private readonly running: Sequence[] = [];
  private readonly waiting: Sequence[] = [];
  private loop: Promise<void> | undefined;
  private closed = false;
  readonly stats: SchedulerStats = { running: 0, waiting: 0, steps: 0, maxBatch: 0, maxJoined: 0 };

  constructor(readonly model: LlamaModel, readonly options: SchedulerOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${options.batchSize}`);
    if (!Number.isInteger(options.queueSize) || options.queueSize < 0) throw new RangeError(`queueSize must be ≥ 0, got ${options.queueSize}`);
    if (options.prefill !== undefined && options.prefill !== 'batched' && options.prefill !== 'single') {
      throw new RangeError(`prefill must be "batched" or "single", got ${JSON.stringify(options.prefill)}`);
    }
    this.decoder = new Decoder(model, options.batchSize, options.maxContext);
  }

  /**
   * Queues a sequence and returns its tokens as they are generated; the generator's return value says
   * how it ended. Stopping the iteration early (break, return) or aborting `signal` cancels the
   * sequence and frees its slot at the next step boundary. Throws ProviderError 429 when the queue is
   * full, 400 when the prompt does not fit the context.
   */
  generate(prompt: number[], opts: SequenceOptions, signal: AbortSignal): AsyncGenerator<ScheduledToken, SequenceEnd> {
    if (this.closed) throw new ProviderError('the model is shutting down', 503, 'model_closed');
    validateSampler(opts.sampler);
    if (prompt.length < 1) throw new ProviderError('the prompt is empty', 400, 'invalid_request');
    // Checked here, not at prefill: a bad prompt prefilled with others would fail them all.
    const V = this.model.config.vocabSize;
    const bad = prompt.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (bad >= 0) {
      throw new ProviderError(`prompt token ${bad} is ${prompt[bad]}, not a token id of this model (0..${V - 1})`, 400, 'invalid_request');
    }
    if (prompt.length >= this.options.maxContext) {
      throw new ProviderError(
        `the prompt is ${prompt.length} tokens; this model's context holds ${this.options.maxContext} (prompt and reply together)`,
        400,
        'context_length_exceeded',
      );
    }
    signal.throwIfAborted();
    // Runs between steps (JS is single-threaded), so cancelled sequences can give their places back now.
    this.retireClosed();
    const free = this.options.batchSize - this.running.length;
    if (this.waiting.length >= this.options.queueSize + Math.max(0, free)) {
      throw new ProviderError(
        `the model is busy: ${this.running.length} replies are being generated and ${this.waiting.length} are waiting (the limit); retry shortly`,
        429,
        'server_busy',
      );
    }
    const seq = new Sequence(prompt, opts, signal);
    this.waiting.push(seq);
    this.updateStats();
    this.start();
    return seq.events(() => this.start());
  }

  /** Fails everything still queued or running and frees the decoder's memory. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.running, ...this.waiting]) {
      s.closed = true;
      s.push(new ProviderError('the model was unloaded', 503, 'model_closed'));
    }
    await this.loop;
    this.decoder.dispose();
  }

  private start(): void {
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
      if (this.waiting.length || this.running.length) this.start();
    });
  }

  private async run(): Promise<void> {
    // Start at the next macrotask, not inside the generate() call that woke the loop: requests arriving in
    // the same tick (or the same burst of I/O callbacks) then join the first step together.
    await new Promise((r) => setImmediate(r));
    while (this.running.length || this.waiting.length) {
      try {
        this.retireClosed();
        this.admit();
        this.step();
      } catch (err) {
        // An engine failure ends every sequence in flight rather than leaving clients hanging.
        for (const s of [...this.running, ...this.waiting]) this.finish(s, err as Error);
      }
      this.updateStats();
      // Let HTTP handlers, consumers and aborts run between steps.
      await new Promise((r) => setImmediate(r));
    }
  }

  private retireClosed(): void {
    for (const s of [...this.waiting]) {
      if (s.closed || s.signal.aborted) this.remove(s);
    }
    for (const s of [...this.running]) {
      if (s.closed || s.signal.aborted) this.remove(s);
    }
  }

  /**
   * Moves waiting sequences into free slots and prefills them (at a step boundary, so the batch stays
   * consistent): all of them in one `prefillMany` call, which groups them by length and bounds each
   * forward's rows itself; or one by one with `prefill: 'single'`.
   */
  private admit(): void {
    const joining: Sequence[] = [];
    while (this.waiting.length && this.decoder.cache.freeSlots > 0) {
      const s = this.waiting.shift()!;
      s.slot = this.decoder.cache.acquire();
      this.running.push(s);
      if (s.opts.maxTokens <= 0) {
        this.finish(s, { finishReason: 'length', promptTokens: s.prompt.length, completionTokens: 0 });
        continue;
      }
      joining.push(s);
    }
    if (!joining.length) return;
    this.stats.maxJoined = Math.max(this.stats.maxJoined, joining.length);
    if (this.options.prefill === 'single') {
      for (const s of joining) s.logits = this.decoder.prefill(s.slot, s.prompt);
      return;
    }
    const logits = this.decoder.prefillMany(joining.map((s) => s.slot), joining.map((s) => s.prompt));
    joining.forEach((s, i) => (s.logits = logits[i]));
  }

  /** Samples one token for every running sequence, then decodes those that go on as one batch. */
  private step(): void {
    const goOn: Sequence[] = [];
    for (const s of [...this.running]) {
      const logits = s.logits;
      if (!logits) continue;
      s.logits = null;
      const id = sampleToken(logits.slice(), s.opts.sampler, s.history, s.rng);
      if (s.opts.stopIds.includes(id)) {
        this.finish(s, { finishReason: 'stop', promptTokens: s.prompt.length, completionTokens: s.generated });
        continue;
      }
      const logprob = logSoftmaxAt(logits, id);
      const tok: ScheduledToken = { id, logprob };
      if (s.opts.topLogprobs > 0) {
        tok.top = topKIds(logits, s.opts.topLogprobs).map((t) => ({ id: t, logprob: logprob - logits[id] + logits[t] }));
      }
      s.history.add(id);
      s.generated++;
      s.lastToken = id;
      s.push(tok);
      const full = this.decoder.cache.lens[s.slot] >= this.options.maxContext;
      if (s.generated >= s.opts.maxTokens || full) {
        this.finish(s, { finishReason: 'length', promptTokens: s.prompt.length, completionTokens: s.generated });
      } else goOn.push(s);
    }
    if (!goOn.length) return;
    const logits = this.decoder.step(goOn.map((s) => s.slot), goOn.map((s) => s.lastToken));
    const V = this.model.config.vocabSize;
    goOn.forEach((s, i) => (s.logits = logits.subarray(i * V, (i + 1) * V)));
    this.stats.steps++;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, goOn.length);
  }

  private finish(s: Sequence, end: SequenceEnd | Error): void {
    s.push(end);
    this.remove(s);
  }

  private remove(s: Sequence): void {
    const w = this.waiting.indexOf(s);
    if (w >= 0) this.waiting.splice(w, 1);
    const r = this.running.indexOf(s);
    if (r >= 0) {
      this.running.splice(r, 1);
      this.decoder.cache.release(s.slot);
      s.slot = -1;
    }
  }

  private updateStats(): void {
    this.stats.running = this.running.length;
    this.stats.waiting = this.waiting.length;
  }
}
