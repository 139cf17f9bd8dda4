// /api messages: send, edit (a new branch), regenerate (a sibling), continue, stop, re-attach to a
// running reply (SSE, resumable with ?after=N or Last-Event-ID), and feedback on a reply.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { samplingSchema } from '../sampling.ts';
import { SseStream } from '../sse.ts';
import { launch, moderateInput, prepareReply, promptFor, startReply } from './start-reply.ts';
import type { AppCaller } from '../auth.ts';

const generationFields = {
  model: z.string().min(1).max(128).optional(),
  sampling: samplingSchema.optional(),
};
const sendBody = z.strictObject({
  content: z.string().min(1).max(1_000_000),
  parentId: z.string().max(64).nullable().optional(), // default: the conversation's current leaf
  ...generationFields,
});
const editBody = z.strictObject({ content: z.string().min(1).max(1_000_000), ...generationFields });
const regenerateBody = z.strictObject(generationFields);
const continueBody = z.strictObject({ sampling: samplingSchema.optional() });
const feedbackBody = z.strictObject({
  thumb: z.enum(['up', 'down']).nullable(),
  category: z.string().max(64).nullable().optional(),
  comment: z.string().max(10_000).nullable().optional(),
});
const streamQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0];
  return line.length > 80 ? line.slice(0, 77) + '…' : line;
}

export function registerAppMessages(app: FastifyInstance, ctx: ServerContext): void {
  const ownedMessage = async (caller: AppCaller, id: string) => {
    const m = await ctx.store.messages.getOwned(caller.user.id, id);
    if (!m) throw notFound('message');
    const conv = (await ctx.store.conversations.get(caller.user.id, m.conversationId))!;
    return { m, conv };
  };

  app.post('/api/conversations/:id/messages', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const conv = await ctx.store.conversations.get(caller.user.id, (req.params as { id: string }).id);
    if (!conv) throw notFound('conversation');
    const body = parse(sendBody, req.body);
    const parentId = body.parentId !== undefined ? body.parentId : conv.currentLeafId;
    if (parentId) {
      const parent = await ctx.store.messages.get(parentId);
      if (!parent || parent.conversationId !== conv.id) throw new ApiError(400, 'parentId is not a message of this conversation', 'invalid_value', 'parentId');
      if (parent.status === 'pending') throw new ApiError(409, 'the reply to build on is still being generated; stop it or wait', 'reply_pending', 'parentId');
    }
    const prepared = await prepareReply(ctx, caller, conv, body.model, body.sampling);
    let user = await ctx.store.messages.insert({ conversationId: conv.id, parentId: parentId ?? null, role: 'user', content: body.content, status: 'complete' });
    user = await moderateInput(ctx, user);
    if (!conv.title) await ctx.store.conversations.update(caller.user.id, conv.id, { title: titleFrom(body.content) });
    const assistant = await startReply(ctx, caller, conv, user, prepared);
    reply.status(201);
    return { userMessage: user, assistantMessage: assistant };
  });

  app.get('/api/messages/:id', async (req) => {
    const caller = await ctx.auth.app(req);
    return (await ownedMessage(caller, (req.params as { id: string }).id)).m;
  });

  app.post('/api/messages/:id/edit', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const { m, conv } = await ownedMessage(caller, (req.params as { id: string }).id);
    if (m.role !== 'user') throw new ApiError(400, 'only user messages can be edited (regenerate an assistant reply instead)', 'invalid_value');
    const body = parse(editBody, req.body);
    const prepared = await prepareReply(ctx, caller, conv, body.model, body.sampling);
    let user = await ctx.store.messages.insert({ conversationId: conv.id, parentId: m.parentId, role: 'user', content: body.content, status: 'complete' });
    user = await moderateInput(ctx, user);
    const assistant = await startReply(ctx, caller, conv, user, prepared);
    reply.status(201);
    return { userMessage: user, assistantMessage: assistant };
  });

  app.post('/api/messages/:id/regenerate', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const { m, conv } = await ownedMessage(caller, (req.params as { id: string }).id);
    if (m.role !== 'assistant' || !m.parentId) throw new ApiError(400, 'only assistant replies can be regenerated', 'invalid_value');
    const body = parse(regenerateBody, req.body ?? {});
    const parent = (await ctx.store.messages.get(m.parentId))!;
    const prepared = await prepareReply(ctx, caller, conv, body.model ?? m.model ?? undefined, body.sampling);
    reply.status(201);
    return { assistantMessage: await startReply(ctx, caller, conv, parent, prepared) };
  });

  app.post('/api/messages/:id/continue', async (req) => {
    const caller = await ctx.auth.app(req);
    const { m, conv } = await ownedMessage(caller, (req.params as { id: string }).id);
    if (m.role !== 'assistant') throw new ApiError(400, 'only assistant replies can be continued', 'invalid_value');
    if (m.status === 'pending') throw new ApiError(409, 'this reply is still being generated', 'reply_pending');
    const body = parse(continueBody, req.body ?? {});
    const prepared = await prepareReply(ctx, caller, conv, m.model ?? undefined, body.sampling ?? undefined);
    let prompt;
    try {
      prompt = await promptFor(ctx, conv, m.id);
    } catch (err) {
      prepared.release();
      throw err;
    }
    let lastSeq = await ctx.store.messages.lastEventSeq(m.id);
    if (lastSeq === 0 && m.content) {
      // Keep the invariant "the deltas spell the content" for a reply that has no events yet.
      await ctx.store.messages.appendEvents(m.id, [{ seq: 1, kind: 'delta', text: m.content, data: null }]);
      lastSeq = 1;
    }
    await ctx.store.messages.update(m.id, { status: 'pending', finishReason: null, error: null });
    await ctx.store.conversations.update(caller.user.id, conv.id, { currentLeafId: m.id });
    launch(ctx, caller, m.id, prompt, prepared, lastSeq, m.content, m);
    return { assistantMessage: await ctx.store.messages.get(m.id), after: lastSeq };
  });

  app.post('/api/messages/:id/stop', async (req) => {
    const caller = await ctx.auth.app(req);
    const { m } = await ownedMessage(caller, (req.params as { id: string }).id);
    if (m.status === 'pending') ctx.generations.stop(m.id);
    return { id: m.id, stopping: m.status === 'pending' };
  });

  app.get('/api/messages/:id/stream', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const { m } = await ownedMessage(caller, (req.params as { id: string }).id);
    const q = parse(streamQuery, req.query, 'query');
    const lastEventId = Number(req.headers['last-event-id']);
    const after = q.after ?? (Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : 0);
    const sse = new SseStream(reply);
    const heartbeat = setInterval(() => sse.comment('keep-alive'), 15_000);
    try {
      for await (const e of ctx.generations.follow(m.id, after, sse.signal)) {
        sse.send({ seq: e.seq, kind: e.kind, text: e.text, ...(e.data ?? {}) }, { id: e.seq, event: e.kind });
      }
    } finally {
      clearInterval(heartbeat);
      sse.end();
    }
    return reply;
  });

  app.put('/api/messages/:id/feedback', async (req) => {
    const caller = await ctx.auth.app(req);
    const { m } = await ownedMessage(caller, (req.params as { id: string }).id);
    if (m.role !== 'assistant') throw new ApiError(400, 'feedback is given on assistant replies', 'invalid_value');
    const body = parse(feedbackBody, req.body);
    return ctx.store.feedback.upsert(caller.user.id, m, { thumb: body.thumb, category: body.category ?? null, comment: body.comment ?? null });
  });

  app.get('/api/messages/:id/feedback', async (req) => {
    const caller = await ctx.auth.app(req);
    const { m } = await ownedMessage(caller, (req.params as { id: string }).id);
    return { feedback: await ctx.store.feedback.forMessage(caller.user.id, m.id) };
  });
}
