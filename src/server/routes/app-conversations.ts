// /api/conversations/* : the signed-in user's conversations (list, search, rename, archive, delete,
// export) and read-only share links. Every lookup is by (owner, id): another user's id is a 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import type { Message } from '../../store/messages.ts';
import { pageQuery, pickKnown } from './common.ts';

const listQuery = z.object({
  q: z.string().max(200).optional(),
  archived: z.enum(['true', 'false']).optional(),
});
const createBody = z.strictObject({ title: z.string().max(200).optional(), model: z.string().min(1).max(128).optional() });
const updateBody = z.strictObject({
  title: z.string().max(200).optional(),
  archived: z.boolean().optional(),
  currentLeafId: z.string().max(64).nullable().optional(),
  model: z.string().min(1).max(128).nullable().optional(),
});

export async function allMessages(ctx: ServerContext, conversationId: string): Promise<Message[]> {
  const out: Message[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof ctx.store.messages.list>> = await ctx.store.messages.list(conversationId, { cursor, limit: 1000 });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function registerAppConversations(app: FastifyInstance, ctx: ServerContext): void {
  const owned = async (userId: string, id: string) => {
    const c = await ctx.store.conversations.get(userId, id);
    if (!c) throw notFound('conversation');
    return c;
  };

  app.get('/api/conversations', async (req) => {
    const { user } = await ctx.auth.app(req);
    const q = parse(listQuery, pickKnown(req.query, ['q', 'archived']), 'query');
    return ctx.store.conversations.list(user.id, { ...pageQuery(req.query), search: q.q || undefined, archived: q.archived === 'true' });
  });

  app.post('/api/conversations', async (req, reply) => {
    const { user } = await ctx.auth.app(req);
    const body = parse(createBody, req.body ?? {});
    if (body.model && !ctx.models.info(body.model)) throw new ApiError(404, `no model "${body.model}"`, 'model_not_found', 'model');
    reply.status(201);
    return ctx.store.conversations.create(user.id, body.title ?? '', body.model ?? null);
  });

  app.get('/api/conversations/:id', async (req) => {
    const { user } = await ctx.auth.app(req);
    return owned(user.id, (req.params as { id: string }).id);
  });

  app.get('/api/conversations/:id/messages', async (req) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    return ctx.store.messages.list(c.id, pageQuery(req.query));
  });

  app.get('/api/conversations/:id/feedback', async (req) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    return { items: await ctx.store.feedback.forConversation(user.id, c.id) };
  });

  app.patch('/api/conversations/:id', async (req) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    const body = parse(updateBody, req.body);
    if (body.currentLeafId) {
      const leaf = await ctx.store.messages.get(body.currentLeafId);
      if (!leaf || leaf.conversationId !== c.id) throw new ApiError(400, 'currentLeafId is not a message of this conversation', 'invalid_value', 'currentLeafId');
    }
    if (body.model && !ctx.models.info(body.model)) throw new ApiError(404, `no model "${body.model}"`, 'model_not_found', 'model');
    return ctx.store.conversations.update(user.id, c.id, body);
  });

  app.delete('/api/conversations/:id', async (req, reply) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    // Stop replies still running in it; their rows go with the conversation.
    for (const m of await allMessages(ctx, c.id)) if (m.status === 'pending') ctx.generations.stop(m.id);
    await ctx.store.conversations.delete(user.id, c.id);
    reply.status(204);
  });

  app.get('/api/conversations/:id/export', async (req, reply) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    reply.header('content-disposition', `attachment; filename="conversation-${c.id}.json"`);
    return { conversation: c, messages: await allMessages(ctx, c.id) };
  });

  app.post('/api/conversations/:id/share', async (req) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    const token = await ctx.store.conversations.share(user.id, c.id);
    return { token, path: `/api/shared/${token}` };
  });

  app.delete('/api/conversations/:id/share', async (req, reply) => {
    const { user } = await ctx.auth.app(req);
    const c = await owned(user.id, (req.params as { id: string }).id);
    await ctx.store.conversations.unshare(user.id, c.id);
    reply.status(204);
  });

  // Read-only and public: the branch on screen when the link is opened, nothing else of the account.
  app.get('/api/shared/:token', async (req) => {
    await ctx.limits.checkRateOf([`ip:${req.ip}`]);
    const c = await ctx.store.conversations.getByShareToken((req.params as { token: string }).token);
    if (!c) throw notFound('shared conversation');
    const path = c.currentLeafId ? await ctx.store.messages.path(c.id, c.currentLeafId) : [];
    return {
      title: c.title,
      createdAt: c.createdAt,
      messages: path.map((m) => ({ id: m.id, role: m.role, content: m.content, model: m.model, createdAt: m.createdAt })),
    };
  });
}
