// The one interface every model backend implements (local engine, GGUF via node-llama-cpp, any
// OpenAI-compatible server). The server and the training tools talk only to this interface.

export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** An OpenAI-format tool call (the calculator is the one tool Parley's models use). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** OpenAI fine-tuning field on assistant messages: 0 = context only, not trained on (default 1). */
  weight?: 0 | 1;
}

export interface SamplingOptions {
  maxTokens: number;
  temperature: number; // 0 = greedy
  topP: number; // 1 = off
  topK: number; // 0 = off
  presencePenalty: number;
  frequencyPenalty: number;
  repetitionPenalty: number; // 1 = off
  stop: string[]; // stop strings (the model's own end-of-turn always stops)
  seed?: number;
  logprobs: boolean;
  topLogprobs: number; // 0..20
  /**
   * Continue the trailing assistant message instead of starting a new reply after it (its turn is left
   * open in the prompt; the events carry only the new text). Like vLLM's `continue_final_message`.
   */
  continueFinalMessage?: boolean;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

/** One streamed event of a generation. `text` pieces concatenate to the reply. */
export type GenerationEvent =
  | { type: 'delta'; text: string; logprobs?: TokenLogprob[] }
  /**
   * A tool call. Without `executed` the client must run it (an upstream model's call: the reply then ends
   * with finishReason "tool_calls"). With `executed` the provider already ran it, fed `result` back to the
   * model and went on: it is shown to people, never handed to a client to run.
   */
  | { type: 'tool_call'; call: ToolCall; executed?: { result: string } }
  | {
      type: 'done';
      finishReason: 'stop' | 'length' | 'content_filter' | 'tool_calls';
      usage: { promptTokens: number; completionTokens: number };
    };

export interface ModelInfo {
  id: string; // the name clients pass as `model`
  ownedBy: string; // "parley", "ollama", ...
  contextLength: number;
  backend: 'local' | 'gguf' | 'openai';
}

export interface ChatProvider {
  readonly info: ModelInfo;
  /**
   * Streams one reply to a conversation. Aborting `signal` stops generation promptly: the iterable
   * then throws the signal's reason (an `AbortError` unless the caller gave another reason).
   * Failures the caller should map to an HTTP status are thrown as `ProviderError`.
   */
  chat(messages: ChatMessage[], options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent>;
  /** Raw text continuation, for /v1/completions. */
  complete(prompt: string, options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent>;
  /** Releases memory, workers, connections. */
  close(): Promise<void>;
}

/**
 * A failure with the HTTP status the server should answer with: 429 `server_busy` when a local model's
 * queue is full or an upstream rate-limits us, 404 `model_not_found` for an unknown model id,
 * 400 for options a backend cannot honour, 502 `upstream_*` when an upstream server fails.
 */
export class ProviderError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'ProviderError';
    this.status = status;
    this.code = code;
  }
}
