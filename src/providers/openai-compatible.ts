// A provider backed by any server that speaks the OpenAI wire format (vLLM, Ollama, llama.cpp's
// server, OpenAI itself). Requests always stream (SSE) so tokens reach our clients as they arrive;
// upstream failures become ProviderErrors whose message names the upstream and what to check.
import {
  ProviderError,
  type ChatMessage,
  type ChatProvider,
  type GenerationEvent,
  type ModelInfo,
  type SamplingOptions,
  type TokenLogprob,
  type ToolCall,
} from './types.ts';
import { parseSse } from './sse.ts';

export interface OpenAICompatibleOptions {
  id: string; // the name our clients use
  baseUrl: string; // e.g. http://localhost:11434/v1 (the part before /chat/completions)
  apiKey?: string;
  upstreamModel?: string; // the name the upstream knows the model by (default: id)
  contextLength?: number; // only for /v1/models; the upstream enforces its own limit
  ownedBy?: string;
  headers?: Record<string, string>;
}

type FinishReason = Extract<GenerationEvent, { type: 'done' }>['finishReason'];

export class OpenAICompatibleProvider implements ChatProvider {
  readonly info: ModelInfo;
  private readonly baseUrl: string;
  private readonly upstreamModel: string;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.upstreamModel = options.upstreamModel ?? options.id;
    this.info = {
      id: options.id,
      ownedBy: options.ownedBy ?? hostOf(this.baseUrl),
      contextLength: options.contextLength ?? 0,
      backend: 'openai',
    };
  }

  // continueFinalMessage needs nothing more: the partial reply goes last as an assistant message (what
  // Open WebUI sends); OpenAI itself refuses vLLM's continue_final_message, so it is not sent.
  chat(messages: ChatMessage[], options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    const body: Record<string, unknown> = {
      model: this.upstreamModel,
      messages: messages.map(toWireMessage),
      ...samplingFields(options),
    };
    if (options.logprobs) {
      body.logprobs = true;
      if (options.topLogprobs > 0) body.top_logprobs = options.topLogprobs;
    }
    return this.stream('/chat/completions', body, signal, 'chat');
  }

  complete(prompt: string, options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    const body: Record<string, unknown> = { model: this.upstreamModel, prompt, ...samplingFields(options) };
    // The legacy completions API takes the number of alternatives as `logprobs`.
    if (options.logprobs) body.logprobs = options.topLogprobs;
    return this.stream('/completions', body, signal, 'completion');
  }

  async close(): Promise<void> {
    // fetch keeps no per-provider connections we could release.
  }

  private async *stream(
    path: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
    kind: 'chat' | 'completion',
  ): AsyncGenerator<GenerationEvent> {
    const url = this.baseUrl + path;
    const response = await this.post(url, { ...body, stream: true, stream_options: { include_usage: true } }, signal);
    if (!response.body) throw new ProviderError(`upstream ${url} answered with an empty body`, 502, 'upstream_error');

    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    let finish: FinishReason | undefined;
    let usage: { promptTokens: number; completionTokens: number } | undefined;
    let chunks = 0;
    try {
      for await (const ev of parseSse(response.body)) {
        if (ev.data === '[DONE]') break;
        let chunk: WireChunk;
        try {
          chunk = JSON.parse(ev.data) as WireChunk;
        } catch {
          throw new ProviderError(`upstream ${url} sent an event that is not JSON: ${ev.data.slice(0, 200)}`, 502, 'upstream_error');
        }
        if (chunk.error) {
          throw new ProviderError(`upstream ${url} failed mid-stream: ${errorText(chunk.error)}`, 502, 'upstream_error');
        }
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
        }
        const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
        if (!choice) continue;
        chunks++;
        const text = kind === 'chat' ? choice.delta?.content ?? '' : choice.text ?? '';
        const logprobs = kind === 'chat' ? chatLogprobs(choice.logprobs) : completionLogprobs(choice.logprobs);
        if (text !== '' || logprobs) yield { type: 'delta', text, ...(logprobs ? { logprobs } : {}) };
        for (const part of choice.delta?.tool_calls ?? []) {
          const i = part.index ?? toolCalls.length;
          const call = (toolCalls[i] ??= { id: '', name: '', arguments: '' });
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
        }
        if (choice.finish_reason) finish = mapFinish(choice.finish_reason);
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (err instanceof ProviderError) throw err;
      throw new ProviderError(`upstream ${url} broke off the stream: ${(err as Error).message}`, 502, 'upstream_error');
    }
    if (signal.aborted) throw signal.reason;
    if (!finish) throw new ProviderError(`upstream ${url} ended the stream before the reply finished`, 502, 'upstream_error');
    for (const [i, call] of toolCalls.entries()) {
      if (!call) continue;
      const tc: ToolCall = { id: call.id || `call_${i}`, type: 'function', function: { name: call.name, arguments: call.arguments } };
      yield { type: 'tool_call', call: tc };
    }
    // Servers that ignore stream_options send no usage; one chunk is one token on every server we know.
    yield { type: 'done', finishReason: finish, usage: usage ?? { promptTokens: 0, completionTokens: chunks } };
  }

  private async post(url: string, body: unknown, signal: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          ...this.options.headers,
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ProviderError(`cannot reach upstream ${url} (${why}); is the server running?`, 502, 'upstream_unreachable');
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: string; detail?: unknown };
      message = parsed.error !== undefined ? errorText(parsed.error) : parsed.message ?? JSON.stringify(parsed.detail ?? parsed);
    } catch {
      // not JSON: keep the raw text
    }
    throw upstreamStatusError(url, response.status, message, this.upstreamModel);
  }
}

function upstreamStatusError(url: string, status: number, message: string, model: string): ProviderError {
  const said = `upstream ${url} answered ${status}: ${message || '(no message)'}`;
  if (status === 401 || status === 403) {
    return new ProviderError(`${said} — check the API key configured for this model`, 502, 'upstream_auth');
  }
  if (status === 404) return new ProviderError(`${said} — does the upstream serve model "${model}" at this URL?`, 502, 'upstream_not_found');
  if (status === 429) return new ProviderError(said, 429, 'upstream_rate_limited');
  if (status === 400 || status === 422) return new ProviderError(said, 400, 'upstream_invalid_request');
  if (status === 413) return new ProviderError(said, 413, 'upstream_too_large');
  return new ProviderError(said, 502, 'upstream_error');
}

/** The OpenAI fields for our sampling options; non-standard ones only when set, as OpenAI rejects them. */
function samplingFields(o: SamplingOptions): Record<string, unknown> {
  const f: Record<string, unknown> = { max_tokens: o.maxTokens, temperature: o.temperature };
  if (o.topP !== 1) f.top_p = o.topP;
  if (o.presencePenalty !== 0) f.presence_penalty = o.presencePenalty;
  if (o.frequencyPenalty !== 0) f.frequency_penalty = o.frequencyPenalty;
  if (o.stop.length > 0) f.stop = o.stop;
  if (o.seed !== undefined) f.seed = o.seed;
  if (o.topK > 0) f.top_k = o.topK; // vLLM, llama.cpp, Ollama
  if (o.repetitionPenalty !== 1) f.repetition_penalty = o.repetitionPenalty; // vLLM, llama.cpp
  return f;
}

function toWireMessage(m: ChatMessage): Record<string, unknown> {
  const w: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.tool_calls?.length) w.tool_calls = m.tool_calls;
  if (m.tool_call_id) w.tool_call_id = m.tool_call_id;
  return w;
}

function mapFinish(reason: string): FinishReason {
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content_filter';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  return 'stop'; // "stop", "eos", "stop_sequence", ...
}

function chatLogprobs(lp: WireChoice['logprobs']): TokenLogprob[] | undefined {
  const content = (lp as { content?: WireTokenLogprob[] } | null | undefined)?.content;
  if (!content?.length) return undefined;
  return content.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    top: (t.top_logprobs ?? []).map((a) => ({ token: a.token, logprob: a.logprob })),
  }));
}

function completionLogprobs(lp: WireChoice['logprobs']): TokenLogprob[] | undefined {
  const l = lp as { tokens?: string[]; token_logprobs?: number[]; top_logprobs?: (Record<string, number> | null)[] } | null | undefined;
  if (!l?.tokens?.length) return undefined;
  return l.tokens.map((token, i) => ({
    token,
    logprob: l.token_logprobs?.[i] ?? 0,
    top: Object.entries(l.top_logprobs?.[i] ?? {}).map(([t, p]) => ({ token: t, logprob: p })),
  }));
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  const m = (e as { message?: unknown })?.message;
  return typeof m === 'string' ? m : JSON.stringify(e);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'upstream';
  }
}

// The parts of the wire format we read (OpenAI chat.completion.chunk / text_completion).
interface WireTokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: { token: string; logprob: number }[];
}
interface WireChoice {
  index?: number;
  delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] };
  text?: string;
  logprobs?: unknown;
  finish_reason?: string | null;
}
interface WireChunk {
  choices?: WireChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}
