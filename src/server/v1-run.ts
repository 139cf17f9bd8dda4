// One choice of a /v1 completion: drains a provider stream, forwarding pieces as they come, and
// sums up text, tool calls, logprobs, finish reason and usage. Shared by chat and text completions.
import type { GenerationEvent, TokenLogprob, ToolCall } from '../providers/types.ts';
import type { Metrics } from './metrics.ts';
import { OutputGuard } from './generation/output-guard.ts';
import type { Moderator } from './moderation.ts';

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

export interface ChoiceResult {
  text: string;
  toolCalls: ToolCall[];
  logprobs: TokenLogprob[];
  finishReason: FinishReason;
  usage: { promptTokens: number; completionTokens: number };
}

export interface ChoiceSink {
  delta?(text: string, logprobs: TokenLogprob[] | undefined): void;
  toolCall?(call: ToolCall, index: number): void;
}

export async function runChoice(
  iterator: AsyncIterator<GenerationEvent>,
  first: IteratorResult<GenerationEvent> | null,
  sink: ChoiceSink,
  ctx: { metrics: Metrics; model: string; started: number; moderator: Moderator | null },
): Promise<ChoiceResult> {
  const r: ChoiceResult = { text: '', toolCalls: [], logprobs: [], finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
  const guard = new OutputGuard(ctx.moderator);
  let sawDone = false;
  let next = first ?? (await iterator.next());
  while (!next.done) {
    const ev = next.value;
    if (ev.type === 'delta' && ev.text !== '') {
      if (r.text === '') ctx.metrics.timeToFirstToken.observe({ model: ctx.model }, (performance.now() - ctx.started) / 1000);
      r.text += ev.text;
      if (ev.logprobs) r.logprobs.push(...ev.logprobs);
      sink.delta?.(ev.text, ev.logprobs);
      if (await guard.blocks(r.text, false)) {
        r.finishReason = 'content_filter';
        await iterator.return?.();
        break;
      }
    } else if (ev.type === 'tool_call' && !ev.executed) {
      // Only calls the client must run are reported. One the provider already ran (the local
      // calculator) is not, and the reply keeps the provider's finish reason ("stop").
      sink.toolCall?.(ev.call, r.toolCalls.length);
      r.toolCalls.push(ev.call);
    } else if (ev.type === 'done') {
      sawDone = true;
      r.finishReason = ev.finishReason;
      r.usage = ev.usage;
    }
    next = await iterator.next();
  }
  if (r.finishReason !== 'content_filter' && sawDone && (await guard.blocks(r.text, true))) r.finishReason = 'content_filter';
  ctx.metrics.countTokens(ctx.model, r.usage);
  return r;
}

/** OpenAI chat logprobs for a list of tokens. */
export function chatLogprobs(list: TokenLogprob[]) {
  const bytes = (t: string) => [...Buffer.from(t, 'utf8')];
  return {
    content: list.map((l) => ({
      token: l.token, logprob: l.logprob, bytes: bytes(l.token),
      top_logprobs: l.top.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytes(t.token) })),
    })),
    refusal: null,
  };
}

/** Legacy completions logprobs (parallel arrays, text offsets). */
export function completionLogprobs(list: TokenLogprob[], offset0: number) {
  let offset = offset0;
  const text_offset: number[] = [];
  for (const l of list) {
    text_offset.push(offset);
    offset += l.token.length;
  }
  return {
    tokens: list.map((l) => l.token),
    token_logprobs: list.map((l) => l.logprob),
    top_logprobs: list.map((l) => Object.fromEntries(l.top.map((t) => [t.token, t.logprob]))),
    text_offset,
  };
}
