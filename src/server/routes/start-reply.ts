// Starting an assistant reply from the app: every check runs before any row is written (so a refused
// request leaves nothing behind), then the pending message is stored and handed to the manager.
import type { ChatMessage, ChatProvider, SamplingOptions } from '../../providers/types.ts';
import type { Conversation } from '../../store/conversations.ts';
import type { Message } from '../../store/messages.ts';
import type { AppCaller } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { toSampling, type SamplingFields } from '../sampling.ts';
import { toChat } from '../../store/datasets.ts';

export interface Prepared {
  modelId: string;
  provider: ChatProvider;
  sampling: SamplingOptions;
  release: () => void;
}

/** Resolves the model, validates sampling, checks limits and reserves a concurrency slot. */
export async function prepareReply(
  ctx: ServerContext, caller: AppCaller, conv: Conversation, model: string | undefined, fields: SamplingFields | undefined,
): Promise<Prepared> {
  const modelId = model ?? conv.model ?? ctx.models.defaultModelId;
  if (!modelId) {
    throw new ApiError(503, 'no model is installed or configured: run `parley pipeline` to train one, or configure an upstream model', 'no_model');
  }
  const info = ctx.models.info(modelId);
  if (!info) throw new ApiError(404, `no model "${modelId}"`, 'model_not_found', 'model');
  const sampling = toSampling(fields ?? {}, ctx.config, info.contextLength);
  await ctx.limits.checkQuota(caller.principal);
  const provider = await ctx.models.get(modelId);
  const release = await ctx.limits.acquire(caller.principal);
  return { modelId, provider, sampling, release };
}

/** The prompt for a reply: the branch ending at `lastId`, without failed empty replies. */
export async function promptFor(ctx: ServerContext, conv: Conversation, lastId: string): Promise<ChatMessage[]> {
  const path = await ctx.store.messages.path(conv.id, lastId);
  const prompt = path.filter((m) => !(m.status === 'error' && m.content === '')).flatMap(toChat);
  if (prompt.length > ctx.config.maxMessages) {
    throw new ApiError(400, `the conversation has ${prompt.length} messages on this branch; at most ${ctx.config.maxMessages} (PARLEY_MAX_MESSAGES)`, 'too_many_messages');
  }
  const chars = prompt.reduce((s, m) => s + m.content.length, 0);
  if (chars > ctx.config.maxPromptChars) {
    throw new ApiError(400, `the conversation is ${chars} characters on this branch; at most ${ctx.config.maxPromptChars} (PARLEY_MAX_PROMPT_CHARS)`, 'context_length_exceeded');
  }
  return prompt;
}

/** Stores a pending assistant reply under `parent` and starts generating it. */
export async function startReply(
  ctx: ServerContext, caller: AppCaller, conv: Conversation, parent: Message, p: Prepared,
): Promise<Message> {
  let prompt: ChatMessage[];
  try {
    prompt = await promptFor(ctx, conv, parent.id);
  } catch (err) {
    p.release();
    throw err;
  }
  const assistant = await ctx.store.messages.insert({
    conversationId: conv.id, parentId: parent.id, role: 'assistant', content: '', status: 'pending', model: p.modelId, sampling: p.sampling,
  });
  await ctx.store.conversations.update(caller.user.id, conv.id, { currentLeafId: assistant.id });
  const verdict = parent.moderation && ctx.moderator ? ctx.moderator.decide(parent.moderation as never) : 'allow';
  if (verdict === 'block') {
    // The prompt was refused by the content filter: the reply ends at once, with nothing generated.
    p.release();
    await ctx.store.messages.update(assistant.id, { status: 'complete', finishReason: 'content_filter', moderation: parent.moderation });
    await ctx.store.messages.appendEvents(assistant.id, [{ seq: 1, kind: 'done', text: '', data: { status: 'complete', finishReason: 'content_filter' } }]);
  } else {
    launch(ctx, caller, assistant.id, prompt, p, 0, '');
  }
  return (await ctx.store.messages.get(assistant.id))!;
}

/**
 * Hands a reply to the generation manager. With `continued` (the message being continued, last in
 * `prompt`) the provider goes on with that reply rather than starting a new one after it.
 */
export function launch(
  ctx: ServerContext, caller: AppCaller, messageId: string, prompt: ChatMessage[], p: Prepared, lastSeq: number, baseContent: string,
  continued?: Message,
): void {
  const sampling = continued ? { ...p.sampling, continueFinalMessage: true } : p.sampling;
  void ctx.generations.start({
    messageId, modelId: p.modelId, provider: p.provider, prompt, sampling, lastSeq, baseContent,
    ...(continued?.toolCalls ? { baseToolCalls: continued.toolCalls } : {}),
    onEnd: (usage) => {
      p.release();
      void ctx.limits.chargeTokens(caller.principal, usage.promptTokens + usage.completionTokens);
    },
  });
}

/** Scores a user's text with the content filter (when one is installed) and stores the result. */
export async function moderateInput(ctx: ServerContext, message: Message): Promise<Message> {
  if (!ctx.moderator || message.content.trim() === '') return message;
  const [result] = await ctx.moderator.moderate([message.content]);
  await ctx.store.messages.update(message.id, { moderation: result });
  return { ...message, moderation: result };
}
