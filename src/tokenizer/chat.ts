// Parley's chat format: how a conversation (OpenAI chat messages) becomes token ids, which of those
// tokens the assistant learns from, and how generated ids become a message again.
//
// Exact rendering, with no whitespace added between parts:
//
//   <|begin_of_text|>
//   system     <|system|>{content}<|end_of_turn|>
//   user       <|user|>{content}<|end_of_turn|>
//   assistant  <|assistant|>{content}<|tool_call|>{name}\n{arguments}…<|end_of_turn|>
//              (one <|tool_call|> part per tool call, none for a plain reply)
//   tool       <|tool_output|>{content}<|end_of_turn|>
//   for completion, finally: <|assistant|>
//
// e.g. <|begin_of_text|><|user|>What is 12*(3+4)?<|end_of_turn|><|assistant|><|tool_call|>calculator
// {"expression":"12*(3+4)"}<|end_of_turn|><|tool_output|>84<|end_of_turn|><|assistant|>It is 84.<|end_of_turn|>
//
// Message text is always encoded as ordinary text, so a user who types "<|user|>" gets bytes, never the
// control token. The loss mask is 1 on what the assistant produces — its text, its tool calls (the
// <|tool_call|> token, the name and arguments) and its <|end_of_turn|> — and 0 on everything else,
// including the <|assistant|> marker, which the prompt supplies at generation time. An assistant message
// with `weight: 0` (OpenAI's fine-tuning field) is context only: all its tokens get mask 0, so a deliberately
// wrong earlier answer in a demonstration (the "you made a mistake" family) is never learned.
import type { ChatMessage, ToolCall } from '../providers/types.ts';
import { UserError } from '../util/errors.ts';
import { specialIds, type SpecialIds } from './special-tokens.ts';
import type { Tokenizer } from './tokenizer.ts';

export interface RenderedConversation {
  ids: Int32Array; // [n]
  mask: Uint8Array; // [n], 1 where the assistant's tokens are trained on
}

const idsCache = new WeakMap<Tokenizer, SpecialIds>();
function ids(tokenizer: Tokenizer): SpecialIds {
  let s = idsCache.get(tokenizer);
  if (!s) idsCache.set(tokenizer, (s = specialIds(tokenizer)));
  return s;
}

class Builder {
  readonly ids: number[] = [];
  readonly mask: number[] = [];
  constructor(private readonly tokenizer: Tokenizer) {}
  token(id: number, learn: boolean): void {
    this.ids.push(id);
    this.mask.push(learn ? 1 : 0);
  }
  text(text: string, learn: boolean): void {
    for (const id of this.tokenizer.encode(text)) this.token(id, learn);
  }
}

function contentOf(m: ChatMessage, index: number): string {
  const c = (m as { content: unknown }).content;
  if (c === null || c === undefined) return '';
  if (typeof c !== 'string') throw new UserError(`message ${index}: content must be a string`);
  return c;
}

function render(tokenizer: Tokenizer, messages: ChatMessage[], b: Builder): void {
  const s = ids(tokenizer);
  b.token(s.begin, false);
  messages.forEach((m, i) => {
    const content = contentOf(m, i);
    switch (m.role) {
      case 'system':
      case 'user':
      case 'tool':
        b.token(m.role === 'system' ? s.system : m.role === 'user' ? s.user : s.toolOutput, false);
        b.text(content, false);
        b.token(s.endOfTurn, false);
        break;
      case 'assistant': {
        const weight = m.weight ?? 1;
        if (weight !== 0 && weight !== 1) throw new UserError(`message ${i}: weight must be 0 or 1, got ${JSON.stringify(weight)}`);
        const learn = weight === 1;
        b.token(s.assistant, false);
        b.text(content, learn);
        for (const [k, call] of (m.tool_calls ?? []).entries()) {
          const fn = call?.function;
          if (!fn || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
            throw new UserError(`message ${i}: tool_calls[${k}] needs function.name and function.arguments as strings`);
          }
          b.token(s.toolCall, learn);
          b.text(`${fn.name}\n${fn.arguments}`, learn);
        }
        b.token(s.endOfTurn, learn);
        break;
      }
      default:
        throw new UserError(`message ${i}: unknown role ${JSON.stringify((m as { role: unknown }).role)} (expected system, user, assistant or tool)`);
    }
  });
}

/** Ids and loss mask of a whole conversation, for training. */
export function renderConversation(tokenizer: Tokenizer, messages: ChatMessage[]): RenderedConversation {
  const b = new Builder(tokenizer);
  render(tokenizer, messages, b);
  return { ids: Int32Array.from(b.ids), mask: Uint8Array.from(b.mask) };
}

/** Ids of a conversation followed by <|assistant|>: the prompt for generating the next reply. */
export function renderForCompletion(tokenizer: Tokenizer, messages: ChatMessage[]): Int32Array {
  const b = new Builder(tokenizer);
  render(tokenizer, messages, b);
  b.token(ids(tokenizer).assistant, false);
  return Int32Array.from(b.ids);
}

/**
 * Ids of a conversation whose last message, an assistant reply cut short, is left open (no
 * <|end_of_turn|> after its text), so generating continues that reply instead of starting a new one.
 */
export function renderForContinuation(tokenizer: Tokenizer, messages: ChatMessage[]): Int32Array {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant') {
    throw new UserError(`message ${messages.length - 1}: only a trailing assistant message can be continued`);
  }
  if (last.tool_calls?.length) throw new UserError(`message ${messages.length - 1}: a reply that ends in a tool call cannot be continued`);
  const b = new Builder(tokenizer);
  render(tokenizer, messages.slice(0, -1), b);
  b.token(ids(tokenizer).assistant, false);
  b.text(contentOf(last, messages.length - 1), false);
  return Int32Array.from(b.ids);
}

/** The ids that end a reply (the engine stops generating at any of them). */
export function stopTokenIds(tokenizer: Tokenizer): number[] {
  const s = ids(tokenizer);
  return [s.endOfTurn, s.begin, s.system, s.user, s.assistant, s.toolOutput, s.pad];
}

export interface ParsedReply {
  /** The assistant message: its text, and its well-formed tool calls if any. */
  message: ChatMessage;
  /** True when the reply ended with <|end_of_turn|> (false: cut off, e.g. by a token limit). */
  complete: boolean;
  /** What was wrong with the reply (a malformed tool call, a stray control token). Never thrown. */
  problems: string[];
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Generated ids (what followed <|assistant|>) → a message. A tool call part must be a name, a newline
 * and a JSON object; anything else is reported in `problems` and left out of `tool_calls`.
 * `makeId(k)` names the k-th tool call of the reply (OpenAI's `id`).
 */
export function parseReply(
  tokenizer: Tokenizer,
  generated: ArrayLike<number>,
  makeId: (k: number) => string = (k) => `call_${k}`,
): ParsedReply {
  const s = ids(tokenizer);
  const stops = new Set(stopTokenIds(tokenizer));
  const problems: string[] = [];
  const parts: number[][] = [[]]; // parts[0] is the text, then one per <|tool_call|>
  let complete = false;
  for (let i = 0; i < generated.length; i++) {
    const id = generated[i];
    if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
      problems.push(`token id ${id} is not in the vocabulary`);
      continue;
    }
    if (id === s.endOfTurn) {
      complete = true;
      break;
    }
    if (stops.has(id)) {
      problems.push(`reply contains ${tokenizer.idToToken(id)} before its end of turn`);
      complete = true;
      break;
    }
    if (id === s.toolCall) parts.push([]);
    else parts[parts.length - 1].push(id);
  }
  const content = tokenizer.decode(parts[0]);
  const calls: ToolCall[] = [];
  for (let k = 1; k < parts.length; k++) {
    const text = tokenizer.decode(parts[k]);
    const nl = text.indexOf('\n');
    const name = (nl < 0 ? text : text.slice(0, nl)).trim();
    const args = nl < 0 ? '' : text.slice(nl + 1);
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch {
      parsed = undefined;
    }
    if (!TOOL_NAME.test(name)) problems.push(`malformed tool call (bad name): ${JSON.stringify(text)}`);
    else if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`malformed tool call (arguments are not a JSON object): ${JSON.stringify(text)}`);
    } else calls.push({ id: makeId(calls.length), type: 'function', function: { name, arguments: args } });
  }
  const message: ChatMessage = { role: 'assistant', content };
  if (calls.length > 0) message.tool_calls = calls;
  return { message, complete, problems };
}
