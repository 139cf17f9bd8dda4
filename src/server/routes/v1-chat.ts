// POST /v1/chat/completions and POST /v1/completions in the OpenAI wire format, streaming and not.
// Unknown request fields are ignored (as OpenAI-compatible servers do) so LangChain and other
// clients that send extra options work unchanged; known fields are validated strictly.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ChatMessage, ChatProvider, GenerationEvent, SamplingOptions } from '../../providers/types.ts';
import type { ServerContext } from '../context.ts';
import { ApiError, errorBody, parse } from '../errors.ts';
import type { Principal } from '../limits.ts';
import { samplingShape, toSampling } from '../sampling.ts';
import { SseStream } from '../sse.ts';
import { chatLogprobs, completionLogprobs, runChoice, type ChoiceResult, type ChoiceSink } from '../v1-run.ts';
import { ProviderError } from '../../providers/types.ts';

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});
const common = {
  model: z.string().min(1),
  n: z.number().int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().nullish(),
};
const chatBody = z.object({ ...common, ...samplingShape, messages: z.array(message).min(1) });
const completionBody = z.object({
  ...common,
  ...samplingShape,
  prompt: z.union([z.string(), z.array(z.string()).min(1)]),
  logprobs: z.number().int().min(0).max(5).nullish(), // the legacy API's logprobs is a count
  echo: z.boolean().nullish(),
  suffix: z.null().optional(),
});

const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;

function toChatMessages(list: z.infer<typeof message>[]): ChatMessage[] {
  return list.map((m) => {
    const content = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join('');
    const out: ChatMessage = { role: m.role === 'developer' ? 'system' : m.role, content };
    if (m.tool_calls) out.tool_calls = m.tool_calls;
    if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
    return out;
  });
}

interface Job {
  principal: Principal;
  provider: ChatProvider;
  modelId: string;
  sampling: SamplingOptions;
  /** One stream per choice. */
  starts: ((signal: AbortSignal) => AsyncIterable<GenerationEvent>)[];
  release: () => void;
}

/** Shared checks and setup: auth, rate, schema, model, limits, concurrency. */
async function prepare<T extends { model: string; n?: number | null }>(
  ctx: ServerContext, req: FastifyRequest, parseBody: (raw: unknown) => T,
): Promise<{ principal: Principal; body: T; provider: ChatProvider; modelId: string }> {
  const principal = await ctx.auth.v1(req);
  await ctx.limits.checkRate(principal);
  const body = parseBody(req.body);
  if (!ctx.models.info(body.model)) {
    throw new ApiError(404, `The model \`${body.model}\` does not exist. GET /v1/models lists the available ones.`, 'model_not_found', 'model');
  }
  const n = body.n ?? 1;
  if (n > ctx.config.maxChoices) throw new ApiError(400, `n is ${n}; at most ${ctx.config.maxChoices} (PARLEY_MAX_CHOICES)`, 'invalid_value', 'n');
  await ctx.limits.checkQuota(principal);
  const provider = await ctx.models.get(body.model);
  return { principal, body, provider, modelId: body.model };
}

function checkPromptSize(ctx: ServerContext, chars: number, count: number, param: string): void {
  if (count > ctx.config.maxMessages) {
    throw new ApiError(400, `${count} messages; at most ${ctx.config.maxMessages} (PARLEY_MAX_MESSAGES)`, 'too_many_messages', param);
  }
  if (chars > ctx.config.maxPromptChars) {
    throw new ApiError(400, `the prompt is ${chars} characters; at most ${ctx.config.maxPromptChars} (PARLEY_MAX_PROMPT_CHARS)`, 'context_length_exceeded', param);
  }
}

/**
 * Runs every choice; streams when asked. Provider failures before the first event still get a
 * proper HTTP status, because headers are sent only once each choice has produced its first event.
 */
async function execute(
  ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, job: Job, stream: boolean,
  format: {
    chunk(index: number, piece: { text?: string; role?: boolean; toolCall?: { call: any; index: number }; logprobs?: any; finish?: string }): unknown;
    final(results: ChoiceResult[]): unknown;
    usageChunk(results: ChoiceResult[]): unknown;
    includeUsage: boolean;
  },
): Promise<unknown> {
  const controller = new AbortController();
  const started = performance.now();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort('client closed');
  });
  const iterators = job.starts.map((s) => s(controller.signal)[Symbol.asyncIterator]());
  const runCtx = { metrics: ctx.metrics, model: job.modelId, started, moderator: ctx.moderator };
  try {
    const firsts = await Promise.all(iterators.map((it) => it.next()));
    if (!stream) {
      const results = await Promise.all(iterators.map((it, i) => runChoice(it, firsts[i], {}, runCtx)));
      await charge(ctx, job.principal, results);
      return format.final(results);
    }
    const sse = new SseStream(reply);
    iterators.forEach((_, i) => sse.send(format.chunk(i, { role: true })));
    try {
      const results = await Promise.all(
        iterators.map(async (it, i) => {
          const sink: ChoiceSink = {
            delta: (text, lp) => sse.send(format.chunk(i, { text, logprobs: lp })),
            toolCall: (call, index) => sse.send(format.chunk(i, { toolCall: { call, index } })),
          };
          const r = await runChoice(it, firsts[i], sink, runCtx);
          const finish = r.toolCalls.length && r.finishReason === 'stop' ? 'tool_calls' : r.finishReason;
          sse.send(format.chunk(i, { finish }));
          return r;
        }),
      );
      await charge(ctx, job.principal, results);
      if (format.includeUsage) sse.send(format.usageChunk(results));
      sse.send('[DONE]');
    } catch (err) {
      const clientLeft = controller.signal.aborted;
      controller.abort('failed'); // the other choices stop too
      if (!clientLeft) {
        const status = err instanceof ProviderError ? err.status : 500;
        const code = err instanceof ProviderError ? err.code : 'generation_failed';
        req.log.error(err);
        sse.send(errorBody(status, (err as Error).message, code, null));
      }
    } finally {
      sse.end();
    }
    return reply;
  } catch (err) {
    controller.abort('failed');
    throw err;
  } finally {
    job.release();
  }
}

async function charge(ctx: ServerContext, p: Principal, results: ChoiceResult[]) {
  const prompt = results[0]?.usage.promptTokens ?? 0;
  await ctx.limits.chargeTokens(p, prompt + results.reduce((s, r) => s + r.usage.completionTokens, 0));
}

function usageOf(results: ChoiceResult[]) {
  const prompt_tokens = results[0]?.usage.promptTokens ?? 0;
  const completion_tokens = results.reduce((s, r) => s + r.usage.completionTokens, 0);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** Distinct seeds per choice, so n > 1 with a seed still gives n different (reproducible) replies. */
function choiceSampling(s: SamplingOptions, i: number): SamplingOptions {
  return s.seed === undefined || i === 0 ? s : { ...s, seed: s.seed + i };
}

export function registerV1Chat(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/chat/completions', async (req, reply) => {
    const { principal, body, provider, modelId } = await prepare(ctx, req, (raw) => parse(chatBody, raw));
    const messages = toChatMessages(body.messages);
    checkPromptSize(ctx, messages.reduce((s, m) => s + m.content.length, 0), messages.length, 'messages');
    const sampling = toSampling(body, ctx.config, provider.info.contextLength);
    const n = body.n ?? 1;
    const release = await ctx.limits.acquire(principal, n);
    const id = newId('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: modelId, system_fingerprint: `parley-${modelId}` };
    const includeUsage = !!body.stream_options?.include_usage;
    const starts = Array.from({ length: n }, (_, i) => (signal: AbortSignal) => provider.chat(messages, choiceSampling(sampling, i), signal));
    return execute(ctx, req, reply, { principal, provider, modelId, sampling, starts, release }, !!body.stream, {
      includeUsage,
      chunk(index, p) {
        const delta: Record<string, unknown> = {};
        if (p.role) Object.assign(delta, { role: 'assistant', content: '' });
        if (p.text !== undefined) delta.content = p.text;
        if (p.toolCall) {
          delta.tool_calls = [{ index: p.toolCall.index, id: p.toolCall.call.id, type: 'function', function: p.toolCall.call.function }];
        }
        const choice = {
          index, delta, finish_reason: p.finish ?? null,
          logprobs: p.logprobs && sampling.logprobs ? chatLogprobs(p.logprobs) : null,
        };
        return { ...base, object: 'chat.completion.chunk', choices: [choice], ...(includeUsage ? { usage: null } : {}) };
      },
      usageChunk: (results) => ({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageOf(results) }),
      final: (results) => ({
        ...base,
        object: 'chat.completion',
        choices: results.map((r, index) => ({
          index,
          message: {
            role: 'assistant',
            content: r.text,
            refusal: null,
            ...(r.toolCalls.length ? { tool_calls: r.toolCalls } : {}),
          },
          logprobs: sampling.logprobs ? chatLogprobs(r.logprobs) : null,
          finish_reason: r.toolCalls.length && r.finishReason === 'stop' ? 'tool_calls' : r.finishReason,
        })),
        usage: usageOf(results),
      }),
    });
  });

  app.post('/v1/completions', async (req, reply) => {
    const { principal, body, provider, modelId } = await prepare(ctx, req, (raw) => parse(completionBody, raw));
    const prompts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
    checkPromptSize(ctx, prompts.reduce((s, p) => s + p.length, 0), prompts.length, 'prompt');
    const { logprobs: lpCount, ...rest } = body;
    const sampling = toSampling({ ...rest, logprobs: lpCount != null, top_logprobs: lpCount ?? null }, ctx.config, provider.info.contextLength);
    const n = body.n ?? 1;
    const total = n * prompts.length;
    if (total > ctx.config.maxChoices) {
      throw new ApiError(400, `${prompts.length} prompts × n=${n} = ${total} completions; at most ${ctx.config.maxChoices} (PARLEY_MAX_CHOICES)`, 'invalid_value', 'n');
    }
    const release = await ctx.limits.acquire(principal, total);
    const id = newId('cmpl');
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'text_completion', created, model: modelId, system_fingerprint: `parley-${modelId}` };
    const promptOf = (index: number) => prompts[Math.floor(index / n)];
    const echo = !!body.echo;
    const starts = Array.from({ length: total }, (_, i) => (signal: AbortSignal) => provider.complete(promptOf(i), choiceSampling(sampling, i % n), signal));
    const includeUsage = !!body.stream_options?.include_usage;
    const offsets = new Array(total).fill(0);
    return execute(ctx, req, reply, { principal, provider, modelId, sampling, starts, release }, !!body.stream, {
      includeUsage,
      chunk(index, p) {
        let text = p.text ?? '';
        if (p.role) text = echo ? promptOf(index) : '';
        const logprobs = p.logprobs && sampling.logprobs ? completionLogprobs(p.logprobs, offsets[index]) : null;
        offsets[index] += text.length;
        return { ...base, choices: [{ index, text, logprobs, finish_reason: p.finish ?? null }], ...(includeUsage ? { usage: null } : {}) };
      },
      usageChunk: (results) => ({ ...base, choices: [], usage: usageOf(results) }),
      final: (results) => ({
        ...base,
        choices: results.map((r, index) => ({
          index,
          text: (echo ? promptOf(index) : '') + r.text,
          logprobs: sampling.logprobs ? completionLogprobs(r.logprobs, echo ? promptOf(index).length : 0) : null,
          finish_reason: r.finishReason === 'tool_calls' ? 'stop' : r.finishReason,
        })),
        usage: usageOf(results),
      }),
    });
  });
}
