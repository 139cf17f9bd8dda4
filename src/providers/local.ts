// Our checkpoints and HF Llama-family ones, run on Parley's engine. Chat prompts use Parley's chat
// format (chat.ts) when the tokenizer has its special tokens, else the checkpoint's Jinja chat template.
// Decoding goes through the continuous-batching scheduler. With Parley's format the model may call
// the calculator: the provider evaluates the call, feeds the result back as a tool message and lets
// the model go on, emitting a `tool_call` event for each call.
import { randomUUID } from 'node:crypto';
import { UserError } from '../util/errors.ts';
import { initEngine } from '../engine/ops.ts';
import { loadModel } from '../engine/load-model.ts';
import type { LlamaModel } from '../engine/model.ts';
import type { SamplerOptions } from '../engine/sampling.ts';
import { loadTokenizer, type TokenizerConfig } from '../tokenizer/tokenizer-files.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { parseReply, renderForCompletion, renderForContinuation, stopTokenIds } from '../tokenizer/chat.ts';
import { renderWithTemplate } from '../tokenizer/chat-template.ts';
import { runCalculatorTool } from '../tokenizer/calculator.ts';
import { SPECIAL, SPECIAL_TOKENS } from '../tokenizer/special-tokens.ts';
import { Scheduler } from './scheduler.ts';
import { StopMatcher } from './stop-strings.ts';
import {
  ProviderError, type ChatMessage, type ChatProvider, type GenerationEvent, type ModelInfo, type SamplingOptions,
  type TokenLogprob,
} from './types.ts';

export interface LocalOptions {
  id: string;
  path: string;
  contextLength?: number;
  batchSize?: number; // default 8
  queueSize?: number; // default 64
}

export interface LocalParts {
  id: string;
  model: LlamaModel;
  tokenizer: Tokenizer;
  tokenizerConfig?: TokenizerConfig; // tokenizer_config.json (chat template, special token names)
  hfConfig?: Record<string, unknown>; // config.json (eos ids)
  contextLength?: number;
  batchSize?: number;
  queueSize?: number;
}

/** How many times one reply may call a tool before the provider stops feeding results back. */
export const MAX_TOOL_ROUNDS = 4;

type ChatFormat =
  | { kind: 'parley'; toolCall: number; endOfTurn: number }
  | { kind: 'template'; template: string; bos?: string; eos?: string }
  | { kind: 'none' };

interface RoundResult {
  ids: number[]; // generated (the stop id excluded)
  finishReason: 'stop' | 'length';
  stopString: boolean; // ended by one of the request's stop strings
  toolCall: boolean; // the reply went on into a <|tool_call|> part
}

export class LocalProvider implements ChatProvider {
  readonly info: ModelInfo;
  private readonly scheduler: Scheduler;
  private readonly tokenizer: Tokenizer;
  private readonly format: ChatFormat;
  private readonly stopIds: number[];
  private readonly bos: number | undefined;

  static async load(o: LocalOptions): Promise<LocalProvider> {
    await initEngine();
    const loaded = loadModel(o.path);
    if (loaded.model.scalarHead) {
      loaded.model.dispose();
      throw new UserError(`${o.path} is a reward/value model (it has a scalar head); it scores replies and cannot chat`);
    }
    try {
      const { tokenizer, config } = loadTokenizer(o.path);
      return new LocalProvider({ ...o, model: loaded.model, tokenizer, tokenizerConfig: config, hfConfig: loaded.hfConfig });
    } catch (err) {
      loaded.model.dispose();
      throw err;
    }
  }

  constructor(private readonly parts: LocalParts) {
    const { model, tokenizer } = parts;
    if (tokenizer.vocabSize > model.config.vocabSize) {
      throw new UserError(`model "${parts.id}": the tokenizer has ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${model.config.vocabSize}`);
    }
    this.tokenizer = tokenizer;
    const contextLength = parts.contextLength ?? model.config.maxPositionEmbeddings;
    this.info = { id: parts.id, ownedBy: 'parley', contextLength, backend: 'local' };
    const tc = parts.tokenizerConfig ?? {};
    const isParley = SPECIAL_TOKENS.every((t) => tokenizer.tokenToId(t) !== undefined);
    const eosIds = new Set<number>();
    const eos = parts.hfConfig?.eos_token_id;
    for (const id of Array.isArray(eos) ? eos : [eos]) if (Number.isInteger(id)) eosIds.add(id as number);
    const eosName = tokenName(tc.eos_token);
    if (eosName !== undefined && tokenizer.tokenToId(eosName) !== undefined) eosIds.add(tokenizer.tokenToId(eosName)!);
    if (isParley) {
      this.format = { kind: 'parley', toolCall: tokenizer.tokenToId(SPECIAL.toolCall)!, endOfTurn: tokenizer.tokenToId(SPECIAL.endOfTurn)! };
      for (const id of stopTokenIds(tokenizer)) eosIds.add(id);
    } else if (typeof tc.chat_template === 'string') {
      this.format = { kind: 'template', template: tc.chat_template, bos: tokenName(tc.bos_token), eos: eosName };
    } else {
      this.format = { kind: 'none' };
    }
    this.stopIds = [...eosIds];
    const bosName = tokenName(tc.bos_token);
    this.bos = tc.add_bos_token === true && bosName !== undefined ? tokenizer.tokenToId(bosName) : undefined;
    this.scheduler = new Scheduler(model, {
      batchSize: parts.batchSize ?? 8,
      queueSize: parts.queueSize ?? 64,
      maxContext: contextLength,
    });
  }

  /** Sequences running and waiting, decode steps taken (for metrics and tests). */
  get stats() {
    return this.scheduler.stats;
  }

  async *chat(messages: ChatMessage[], o: SamplingOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    if (this.format.kind === 'none') {
      throw new ProviderError(`model "${this.info.id}" has no chat template (tokenizer_config.json chat_template); use /v1/completions`, 400, 'unsupported_model');
    }
    const continuing = o.continueFinalMessage === true;
    if (continuing && messages.at(-1)?.role !== 'assistant') {
      throw new ProviderError('continueFinalMessage needs an assistant message last', 400, 'invalid_request');
    }
    const stop = new StopMatcher(o.stop);
    const history = [...messages];
    let completionTokens = 0;
    let promptTokens = 0;
    let previous = 0; // tokens of the last prompt plus what was generated after it
    for (let round = 0; ; round++) {
      const prompt = Array.from(this.renderChat(history, continuing && round === 0));
      promptTokens += prompt.length - previous; // only what the conversation added, not our own output again
      const budget = o.maxTokens - completionTokens;
      if (budget <= 0) {
        yield* this.finish(stop, 'length', promptTokens, completionTokens);
        return;
      }
      const seed = o.seed === undefined ? undefined : o.seed + round;
      const r = yield* this.run(prompt, o, budget, seed, stop, signal, this.format.kind === 'parley');
      completionTokens += r.ids.length;
      previous = prompt.length + r.ids.length;
      if (r.stopString) {
        yield { type: 'done', finishReason: 'stop', usage: { promptTokens, completionTokens } };
        return;
      }
      if (this.format.kind === 'parley' && r.toolCall && r.finishReason === 'stop' && round < MAX_TOOL_ROUNDS) {
        const parsed = parseReply(this.tokenizer, [...r.ids, this.format.endOfTurn], () => `call_${randomUUID().slice(0, 12)}`);
        const calls = parsed.message.tool_calls ?? [];
        if (calls.length) {
          // A continued reply and what it went on to say are one assistant turn.
          if (continuing && round === 0) history.push({ ...parsed.message, content: history.pop()!.content + parsed.message.content });
          else history.push(parsed.message);
          for (const call of calls) {
            const result = runCalculatorTool(call);
            yield { type: 'tool_call', call, executed: { result } };
            history.push({ role: 'tool', content: result, tool_call_id: call.id });
          }
          continue;
        }
      }
      yield* this.finish(stop, r.finishReason, promptTokens, completionTokens);
      return;
    }
  }

  async *complete(prompt: string, o: SamplingOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const ids = this.tokenizer.encode(prompt);
    if (this.bos !== undefined) ids.unshift(this.bos);
    if (ids.length === 0) throw new ProviderError('the prompt is empty', 400, 'invalid_request');
    const stop = new StopMatcher(o.stop);
    const r = yield* this.run(ids, o, o.maxTokens, o.seed, stop, signal, false);
    if (r.stopString) yield { type: 'done', finishReason: 'stop', usage: { promptTokens: ids.length, completionTokens: r.ids.length } };
    else yield* this.finish(stop, r.finishReason, ids.length, r.ids.length);
  }

  async close(): Promise<void> {
    await this.scheduler.close();
    this.parts.model.dispose();
  }

  /** The prompt; with `continuation` the trailing assistant message is left open. */
  private renderChat(messages: ChatMessage[], continuation: boolean): ArrayLike<number> {
    if (this.format.kind === 'parley') {
      return continuation ? renderForContinuation(this.tokenizer, messages) : renderForCompletion(this.tokenizer, messages);
    }
    if (this.format.kind === 'template') {
      // A foreign template cannot be told to leave a turn open, so the partial reply is rendered as the
      // start of a new one: the earlier messages with the generation prompt, then the partial text.
      const head = continuation ? messages.slice(0, -1) : messages;
      const ids = renderWithTemplate(this.tokenizer, this.format.template, head, {
        addGenerationPrompt: true, bosToken: this.format.bos ?? '', eosToken: this.format.eos ?? '',
      });
      return continuation ? [...ids, ...this.tokenizer.encode(messages.at(-1)!.content)] : ids;
    }
    throw new Error('unreachable: no chat format');
  }

  private *finish(stop: StopMatcher, reason: 'stop' | 'length', promptTokens: number, completionTokens: number): Generator<GenerationEvent> {
    const rest = stop.flush();
    if (rest) yield { type: 'delta', text: rest };
    yield { type: 'done', finishReason: reason, usage: { promptTokens, completionTokens } };
  }

  /** One scheduled sequence: text deltas through the stop matcher; a <|tool_call|> part is kept back. */
  private async *run(
    prompt: number[], o: SamplingOptions, maxTokens: number, seed: number | undefined, stop: StopMatcher,
    signal: AbortSignal, toolAware: boolean,
  ): AsyncGenerator<GenerationEvent, RoundResult> {
    const sampler: SamplerOptions = {
      temperature: o.temperature, topK: o.topK, topP: o.topP, repetitionPenalty: o.repetitionPenalty,
      frequencyPenalty: o.frequencyPenalty, presencePenalty: o.presencePenalty,
    };
    const seq = this.scheduler.generate(
      prompt, { sampler, maxTokens, stopIds: this.stopIds, seed, topLogprobs: o.logprobs ? o.topLogprobs : 0 }, signal,
    );
    const decode = this.tokenizer.streamDecoder();
    const ids: number[] = [];
    let inTool = false;
    let logprobs: TokenLogprob[] = [];
    const emit = (text: string): GenerationEvent | undefined => {
      if (text === '') return undefined;
      const ev: GenerationEvent = { type: 'delta', text, ...(logprobs.length ? { logprobs } : {}) };
      logprobs = [];
      return ev;
    };
    try {
      for (;;) {
        const r = await seq.next();
        if (r.done) {
          const tail = inTool ? '' : stop.push(decode([], true)).text;
          const ev = emit(tail) ?? (logprobs.length ? { type: 'delta' as const, text: '', logprobs } : undefined);
          if (ev) yield ev;
          return { ids, finishReason: r.value.finishReason, stopString: false, toolCall: inTool };
        }
        const t = r.value;
        ids.push(t.id);
        if (toolAware && this.format.kind === 'parley' && t.id === this.format.toolCall) {
          inTool = true;
          const ev = emit(stop.push(decode([], true)).text);
          if (ev) yield ev;
          continue;
        }
        if (inTool) continue; // the call is reported as a tool_call event, not as text
        if (o.logprobs) {
          logprobs.push({
            token: this.text(t.id), logprob: t.logprob,
            top: (t.top ?? []).map((a) => ({ token: this.text(a.id), logprob: a.logprob })),
          });
        }
        const out = stop.push(this.text(t.id, decode));
        const ev = emit(out.text);
        if (ev) yield ev;
        if (out.stopped) return { ids, finishReason: 'stop', stopString: true, toolCall: false };
      }
    } finally {
      await seq.return(undefined as never); // frees the slot if we stopped early (stop string, abort)
    }
  }

  /** A token's text; ids past the tokenizer (padded embedding rows) have none. */
  private text(id: number, decode?: (ids: ArrayLike<number>) => string): string {
    if (id >= this.tokenizer.vocabSize || this.tokenizer.idToToken(id) === undefined) return '';
    return decode ? decode([id]) : this.tokenizer.decode([id]);
  }
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const c = (v as { content?: unknown } | null | undefined)?.content;
  return typeof c === 'string' ? c : undefined;
}
