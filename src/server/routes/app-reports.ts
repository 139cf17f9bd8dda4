// /api/moderation/reports: users report content-filter mistakes, admins review them, and confirmed
// reports are exported (`/api/export/moderation-reports`, `parley export moderation-reports`) as the
// classifier's training data. Categories are the taxonomy's (src/moderation/taxonomy.ts):
//   false_negative — the categories that should have been flagged; required before it can be confirmed.
//   false_positive — the flags that were wrong; none given on a reported message means the ones it got.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CATEGORIES, isCategory, type Category } from '../../moderation/taxonomy.ts';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { pageQuery, pickKnown } from './common.ts';

const categoriesSchema = z.array(z.enum(CATEGORIES)).max(CATEGORIES.length);
const reportBody = z.strictObject({
  text: z.string().min(1).max(100_000).optional(),
  messageId: z.string().max(64).optional(),
  kind: z.enum(['false_positive', 'false_negative']),
  categories: categoriesSchema.optional(),
  scores: z.record(z.string(), z.number().min(0).max(1)).optional(),
  note: z.string().max(10_000).optional(),
});
const reviewBody = z
  .strictObject({
    status: z.enum(['confirmed', 'rejected', 'pending']).optional(),
    categories: categoriesSchema.optional(),
    note: z.string().max(10_000).optional(),
  })
  .refine((b) => b.status !== undefined || b.categories !== undefined || b.note !== undefined, {
    message: 'give at least one of status, categories, note',
  });
const reportQuery = z.object({ status: z.enum(['pending', 'confirmed', 'rejected']).optional(), all: z.enum(['true', 'false']).optional() });

/** The categories a stored moderation result flagged (message.moderation is OpenAI-shaped or null). */
function flaggedCategories(moderation: unknown): Category[] {
  const flags = (moderation as { categories?: Record<string, boolean> } | null)?.categories ?? {};
  return Object.entries(flags).filter(([c, on]) => on && isCategory(c)).map(([c]) => c as Category);
}

export function registerAppReports(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/moderation/reports', async (req, reply) => {
    const caller = await ctx.auth.app(req);
    const body = parse(reportBody, req.body);
    let text = body.text;
    let scores = body.scores ?? null;
    let categories = body.categories;
    if (body.messageId) {
      const m = await ctx.store.messages.getOwned(caller.user.id, body.messageId);
      if (!m) throw notFound('message');
      text ??= m.content;
      const mod = m.moderation as { category_scores?: Record<string, number> } | null;
      scores ??= mod?.category_scores ?? null;
      if (body.kind === 'false_positive') categories ??= flaggedCategories(m.moderation);
    }
    if (!text) throw new ApiError(400, 'give the text or the messageId being reported', 'invalid_value', 'text');
    reply.status(201);
    return ctx.store.moderationReports.create(caller.user.id, {
      messageId: body.messageId ?? null, text, scores, kind: body.kind, categories: categories ?? [], note: body.note ?? null,
    });
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
    const id = (req.params as { id: string }).id;
    const current = await ctx.store.moderationReports.get(id);
    if (!current) throw notFound('report');
    const status = body.status ?? current.status;
    const categories = body.categories ?? current.categories;
    // A false negative without categories says "harmful" but not how: it cannot label anything.
    if (current.kind === 'false_negative' && status === 'confirmed' && categories.length === 0) {
      throw new ApiError(400, 'a false negative can only be confirmed with at least one category that should have been flagged', 'invalid_value', 'categories');
    }
    const r = await ctx.store.moderationReports.review(id, caller.user.id, { status: body.status, categories: body.categories, note: body.note });
    if (!r) throw notFound('report');
    return r;
  });
}
