// GGUF models through node-llama-cpp, an optional dependency (≈725 MB with its llama.cpp binaries)
// that is imported only when a GGUF model is configured. Install it with: npm i -E node-llama-cpp@3.21.1
// Concurrency: one llama.cpp context with `slots` sequences; requests beyond them wait in a bounded
// queue (full → ProviderError 429), like the local engine's scheduler.
import { availableParallelism } from 'node:os';
import { UserError } from '../util/errors.ts';
import {
  ProviderError,
  type ChatMessage,
  type ChatProvider,
  type GenerationEvent,
  type ModelInfo,
  type SamplingOptions,
} from './types.ts';
import { readGgufHeaderFile, metaNumber } from './gguf-reader.ts';

export const NODE_LLAMA_CPP_INSTALL = 'npm i -E node-llama-cpp@3.21.1';

export interface GgufOptions {
  id: string;
  path: string;
  contextLength?: number;
  gpuLayers?: number | 'auto';
  threads?: number;
  slots?: number; // concurrent sequences (default 2)
  queueSize?: number; // waiting requests beyond the slots (default 32)
}

// The slice of node-llama-cpp's v3 API this file uses (the package is optional, so no type import).
interface LlamaModule {
  getLlama(options?: { gpu?: false | 'auto' }): Promise<{
    loadModel(o: { modelPath: string; gpuLayers?: number | 'auto' }): Promise<LlamaModelLike>;
  }>;
  LlamaChat: new (o: { contextSequence: unknown; autoDisposeSequence?: boolean }) => {
    generateResponse(history: unknown[], o: Record<string, unknown>): Promise<{ metadata: { stopReason: string } }>;
    dispose(): void;
  };
  LlamaCompletion: new (o: { contextSequence: unknown; autoDisposeSequence?: boolean }) => {
    generateCompletionWithMeta(text: string, o: Record<string, unknown>): Promise<{ metadata: { stopReason: string } }>;
    dispose(): void;
  };
}
interface LlamaModelLike {
  trainContextSize: number;
  detokenize(tokens: readonly number[]): string;
  createContext(o: { contextSize?: number; sequences: number; threads?: number }): Promise<LlamaContextLike>;
  dispose(): Promise<void>;
}
interface LlamaContextLike {
  getSequence(): SequenceLike;
  dispose(): Promise<void>;
}
interface SequenceLike {
  tokenMeter?: { usedInputTokens: number };
  clearHistory(): Promise<void>;
  dispose(): void;
}

/** Imports node-llama-cpp, or explains how to install it. */
export async function importNodeLlamaCpp(modelId: string): Promise<LlamaModule> {
  const specifier = 'node-llama-cpp'; // a variable, so TypeScript does not require the package
  try {
    return (await import(specifier)) as LlamaModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UserError(
        `model "${modelId}" is a GGUF file, which Parley runs through the optional package node-llama-cpp; ` +
          `it is not installed. Install it with: ${NODE_LLAMA_CPP_INSTALL}`,
      );
    }
    throw err;
  }
}

export class GgufProvider implements ChatProvider {
  private readonly free: SequenceLike[];
  private readonly waiting: ((s: SequenceLike) => void)[] = [];

  private constructor(
    readonly info: ModelInfo,
    private readonly lib: LlamaModule,
    private readonly model: LlamaModelLike,
    private readonly context: LlamaContextLike,
    sequences: SequenceLike[],
    private readonly queueSize: number,
  ) {
    this.free = sequences;
  }

  static async load(o: GgufOptions): Promise<GgufProvider> {
    // Check the file before the heavy import so a wrong path is reported as such.
    const header = await readGgufHeaderFile(o.path);
    const lib = await importNodeLlamaCpp(o.id);
    const llama = await lib.getLlama();
    const model = await llama.loadModel({ modelPath: o.path, gpuLayers: o.gpuLayers });
    const slots = o.slots ?? 2;
    const contextLength = o.contextLength ?? model.trainContextSize;
    // An explicit thread count: llama.cpp's own default can exceed the cores a container really has, and
    // its spinning threads then slow decoding by orders of magnitude on a busy machine.
    const threads = o.threads ?? (Number(process.env.PARLEY_THREADS) || availableParallelism());
    const context = await model.createContext({ contextSize: contextLength, sequences: slots, threads });
    const sequences = Array.from({ length: slots }, () => context.getSequence());
    const arch = String(header.metadata.get('general.architecture'));
    const info: ModelInfo = {
      id: o.id,
      ownedBy: 'gguf',
      contextLength: contextLength ?? metaNumber(header, `${arch}.context_length`) ?? 0,
      backend: 'gguf',
    };
    return new GgufProvider(info, lib, model, context, sequences, o.queueSize ?? 32);
  }

  chat(messages: ChatMessage[], options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    const history = messages.map((m) =>
      m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role === 'system' ? 'system' : 'user', text: m.content },
    );
    return this.run(signal, options, async (seq, common) => {
      const chat = new this.lib.LlamaChat({ contextSequence: seq, autoDisposeSequence: false });
      try {
        return (await chat.generateResponse(history, common)).metadata.stopReason;
      } finally {
        chat.dispose();
      }
    });
  }

  complete(prompt: string, options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    return this.run(signal, options, async (seq, common) => {
      const completion = new this.lib.LlamaCompletion({ contextSequence: seq, autoDisposeSequence: false });
      try {
        return (await completion.generateCompletionWithMeta(prompt, common)).metadata.stopReason;
      } finally {
        completion.dispose();
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.free) s.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }

  /** Runs one generation on a free sequence, turning node-llama-cpp's callbacks into our events. */
  private async *run(
    signal: AbortSignal,
    o: SamplingOptions,
    generate: (seq: SequenceLike, common: Record<string, unknown>) => Promise<string>,
  ): AsyncGenerator<GenerationEvent> {
    if (o.logprobs) throw new ProviderError('logprobs are not available for GGUF models', 400, 'unsupported_option');
    const seq = await this.acquire(signal);
    const pending: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let stopReason = '';
    const before = { input: seq.tokenMeter?.usedInputTokens ?? 0 };
    // Text is rebuilt from all tokens so far (onToken exists in every v3 release; a token can end
    // inside a UTF-8 character, so a trailing U+FFFD waits for the next token).
    const tokens: number[] = [];
    let shown = 0;
    const common: Record<string, unknown> = {
      onToken: (chunk: number[]) => {
        tokens.push(...chunk);
        const text = this.model.detokenize(tokens);
        if (text.endsWith('\uFFFD') || text.length <= shown) return;
        pending.push(text.slice(shown));
        shown = text.length;
        wake?.();
      },
      signal,
      stopOnAbortSignal: true,
      maxTokens: o.maxTokens,
      temperature: o.temperature,
      topP: o.topP,
      ...(o.topK > 0 ? { topK: o.topK } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.stop.length ? { customStopTriggers: o.stop } : {}),
      ...(o.repetitionPenalty !== 1 || o.presencePenalty !== 0 || o.frequencyPenalty !== 0
        ? { repeatPenalty: { penalty: o.repetitionPenalty, presencePenalty: o.presencePenalty, frequencyPenalty: o.frequencyPenalty } }
        : {}),
    };
    const job = seq
      .clearHistory()
      .then(() => generate(seq, common))
      .then((r) => (stopReason = r), (err) => (failure = err))
      .finally(() => {
        finished = true;
        wake?.();
      });
    try {
      for (;;) {
        while (pending.length) yield { type: 'delta', text: pending.shift()! };
        if (finished) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await job;
      if (signal.aborted) throw signal.reason;
      if (failure) throw failure;
      const tail = this.model.detokenize(tokens).slice(shown);
      if (tail) yield { type: 'delta', text: tail };
      const usage = {
        promptTokens: Math.max(0, (seq.tokenMeter?.usedInputTokens ?? 0) - before.input),
        completionTokens: tokens.length,
      };
      yield { type: 'done', finishReason: stopReason === 'maxTokens' ? 'length' : 'stop', usage };
    } finally {
      await job;
      this.release(seq);
    }
  }

  private acquire(signal: AbortSignal): Promise<SequenceLike> {
    const s = this.free.pop();
    if (s) return Promise.resolve(s);
    if (this.waiting.length >= this.queueSize) {
      return Promise.reject(new ProviderError(`model "${this.info.id}" is busy: ${this.waiting.length} requests are already waiting; retry shortly`, 429, 'server_busy'));
    }
    return new Promise((resolve, reject) => {
      const take = (seq: SequenceLike) => {
        signal.removeEventListener('abort', onAbort);
        resolve(seq);
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(seq: SequenceLike): void {
    const next = this.waiting.shift();
    if (next) next(seq);
    else this.free.push(seq);
  }
}
