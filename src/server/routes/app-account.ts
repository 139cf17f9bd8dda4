// /api/keys (a user's API keys), /api/models, /api/moderation/reports (users report filter
// mistakes; admins review them), /api/model-versions.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { pageQuery, pickKnown } from './common.ts';

const keyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
const reportBody = z.strictObject({
  text: z.string().min(1).max(100_000).optional(),
  messageId: z.string().max(64).optional(),
  kind: z.enum(['false_positive', 'false_negative']),
  scores: z.record(z.string(), z.number().min(0).max(1)).optional(),
  note: z.string().max(10_000).optional(),
});
const reviewBody = z.strictObject({ status: z.enum(['confirmed', 'rejected', 'pending']), note: z.string().max(10_000).optional() });
const reportQuery = z.object({ status: z.enum(['pending', 'confirmed', 'rejected']).optional(), all: z.enum(['true', 'false']).optional() });

export function registerAppAccount(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/keys', async (req) => {
    const caller = await ctx.auth.app(req);
    return ctx.store.users.listApiKeys(caller.user.id, pageQuery(req.query));
  });

  app.post('/api/keys', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const { name } = parse(keyBody, req.body);
    const created = await ctx.store.users.createApiKey(caller.user.id, name);
    ctx.auth.keysChanged();
    reply.status(201);
    return { ...created.apiKey, key: created.key }; // the key is shown this once
  });

  app.delete('/api/keys/:id', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    if (!(await ctx.store.users.revokeApiKey(caller.user.id, (req.params as { id: string }).id))) throw notFound('API key');
    ctx.auth.keysChanged();
    reply.status(204);
  });

  app.get('/api/models', async (req) => {
    await ctx.auth.app(req);
    return { default: ctx.models.defaultModelId ?? null, data: ctx.models.list() };
  });

  app.post('/api/moderation/reports', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const body = parse(reportBody, req.body);
    let text = body.text;
    let scores = body.scores ?? null;
    if (body.messageId) {
      const m = await ctx.store.messages.getOwned(caller.user.id, body.messageId);
      if (!m) throw notFound('message');
      text ??= m.content;
      const mod = m.moderation as { category_scores?: Record<string, number> } | null;
      scores ??= mod?.category_scores ?? null;
    }
    if (!text) throw new ApiError(400, 'give the text or the messageId being reported', 'invalid_value', 'text');
    reply.status(201);
    return ctx.store.moderationReports.create(caller.user.id, { messageId: body.messageId ?? null, text, scores, kind: body.kind, note: body.note ?? null });
  });

  // Users see their own reports; admins see everyone's with ?all=true.
  app.get('/api/moderation/reports', async (req) => {
    const caller = await ctx.auth.app(req);
    const q = parse(reportQuery, pickKnown(req.query, ['status', 'all']), 'query');
    if (q.all === 'true' && caller.user.role !== 'admin') throw new ApiError(403, 'only admins review all reports', 'forbidden');
    return ctx.store.moderationReports.list(q.all === 'true' ? null : caller.user.id, { ...pageQuery(req.query), status: q.status });
  });

  app.patch('/api/moderation/reports/:id', async (req) => {
    const caller = await ctx.auth.app(req, ['admin']);
    const body = parse(reviewBody, req.body);
    const r = await ctx.store.moderationReports.review((req.params as { id: string }).id, caller.user.id, body.status, body.note ?? null);
    if (!r) throw notFound('report');
    return r;
  });

  app.get('/api/model-versions', async (req) => {
    await ctx.auth.app(req);
    return ctx.store.modelVersions.list(pageQuery(req.query));
  });
}
