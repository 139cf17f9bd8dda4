// What the web app needs beyond the other /api routes: custom instructions (a system message at the
// root of a new conversation) and, for the trainer console, per-day counts of the training data of
// every user, a reply to rank taken from any real conversation, one sampled reply to start a
// demonstration from, and (admins) marking the model version that serves.
// Wire it in buildApp with `registerAppConsole(app, ctx)`.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { samplingSchema, toSampling } from '../sampling.ts';
import { runChoice } from '../v1-run.ts';
import { toChat } from '../../store/datasets.ts';
import { chatMessageSchema } from './common.ts';
import { switchServingVersion } from '../serving-version.ts';

const TRAINERS = ['trainer', 'admin'] as const;
const instructionsBody = z.strictObject({ content: z.string().min(1).max(100_000) });
const statsQuery = z.object({ days: z.coerce.number().int().min(1).max(3650).optional() });
const suggestBody = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  model: z.string().min(1).max(128).optional(),
  sampling: samplingSchema.optional(),
});

/** One row per day (YYYY-MM-DD), newest first. */
export interface DayCounts {
  day: string;
  demonstrations: number;
  rankings: number;
  unusable: number;
  thumbsUp: number;
  thumbsDown: number;
  falsePositives: number;
  falseNegatives: number;
}
type Series = Exclude<keyof DayCounts, 'day'>;

export function registerAppConsole(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.database.db;
  const day = sql<string>`substr(created_at, 1, 10)`;

  // The system prompt goes first in the tree, so every branch's prompt (promptFor) starts with it.
  app.post('/api/conversations/:id/instructions', async (req, reply) => {
    const { user } = await ctx.auth.app(req);
    const conv = await ctx.store.conversations.get(user.id, (req.params as { id: string }).id);
    if (!conv) throw notFound('conversation');
    const body = parse(instructionsBody, req.body);
    if ((await ctx.store.messages.list(conv.id, { limit: 1 })).items.length) {
      throw new ApiError(409, 'custom instructions can only start a conversation that has no messages yet', 'conversation_not_empty');
    }
    const system = await ctx.store.messages.insert({ conversationId: conv.id, parentId: null, role: 'system', content: body.content, status: 'complete' });
    await ctx.store.conversations.update(user.id, conv.id, { currentLeafId: system.id });
    reply.status(201);
    return system;
  });

  app.get('/api/console/stats', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const q = parse(statsQuery, req.query, 'query');
    const since = new Date(Date.now() - (q.days ?? 90) * 86_400_000).toISOString().slice(0, 10);
    const rows = new Map<string, DayCounts>();
    const add = (series: Series, found: { day: string; n: number | string | bigint }[]) => {
      for (const f of found) {
        const row = rows.get(f.day) ?? { day: f.day, demonstrations: 0, rankings: 0, unusable: 0, thumbsUp: 0, thumbsDown: 0, falsePositives: 0, falseNegatives: 0 };
        row[series] += Number(f.n);
        rows.set(f.day, row);
      }
    };
    const count = sql<number>`count(*)`;
    add('demonstrations', await db.selectFrom('demonstrations').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).groupBy(day).execute());
    add('rankings', await db.selectFrom('rankings').select([day.as('day'), count.as('n')]).where('created_at', '>=', since)
      .where('ranking', 'is not', null).where('unusable', '=', 0).groupBy(day).execute());
    add('unusable', await db.selectFrom('rankings').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).where('unusable', '=', 1).groupBy(day).execute());
    add('thumbsUp', await db.selectFrom('feedback').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).where('thumb', '=', 'up').groupBy(day).execute());
    add('thumbsDown', await db.selectFrom('feedback').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).where('thumb', '=', 'down').groupBy(day).execute());
    add('falsePositives', await db.selectFrom('moderation_reports').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).where('kind', '=', 'false_positive').groupBy(day).execute());
    add('falseNegatives', await db.selectFrom('moderation_reports').select([day.as('day'), count.as('n')]).where('created_at', '>=', since).where('kind', '=', 'false_negative').groupBy(day).execute());
    return { since, days: [...rows.values()].sort((a, b) => (a.day < b.day ? 1 : -1)) };
  });

  // A finished, unfiltered model reply from any user's conversation, with the branch that led to it.
  app.get('/api/console/rank-source', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const candidates = () => db.selectFrom('messages').where('role', '=', 'assistant').where('status', '=', 'complete')
      .where('content', '<>', '').where('parent_id', 'is not', null)
      .where((eb) => eb.or([eb('finish_reason', 'is', null), eb('finish_reason', '<>', 'content_filter')]));
    const { n } = await candidates().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    if (Number(n) === 0) throw new ApiError(404, 'no finished model replies to rank yet', 'not_found');
    const pick = await candidates().select(['id', 'conversation_id', 'parent_id']).orderBy('id')
      .offset(Math.floor(Math.random() * Number(n))).limit(1).executeTakeFirstOrThrow();
    const reply = (await ctx.store.messages.get(pick.id))!;
    const prompt = await ctx.store.messages.path(pick.conversation_id, pick.parent_id!);
    return { messageId: reply.id, conversationId: reply.conversationId, model: reply.model, reply: reply.content, prompt: prompt.flatMap(toChat) };
  });

  // One sampled reply (a starting point the trainer edits into a demonstration); nothing is stored.
  app.post('/api/console/suggest', async (req) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    const body = parse(suggestBody, req.body);
    const modelId = body.model ?? ctx.models.defaultModelId;
    if (!modelId) throw new ApiError(503, 'no model is installed or configured: run `parley pipeline`', 'no_model');
    const info = ctx.models.info(modelId);
    if (!info) throw new ApiError(404, `no model "${modelId}"`, 'model_not_found', 'model');
    const sampling = toSampling(body.sampling ?? {}, ctx.config, info.contextLength);
    await ctx.limits.checkQuota(caller.principal);
    const provider = await ctx.models.get(modelId);
    const release = await ctx.limits.acquire(caller.principal);
    try {
      const it = provider.chat(body.messages, sampling, new AbortController().signal)[Symbol.asyncIterator]();
      const r = await runChoice(it, null, {}, { metrics: ctx.metrics, model: modelId, started: performance.now(), moderator: ctx.moderator });
      await ctx.limits.chargeTokens(caller.principal, r.usage.promptTokens + r.usage.completionTokens);
      return { content: r.text, model: modelId, finishReason: r.finishReason };
    } finally {
      release();
    }
  });

  // Switches the serving model to this version's checkpoint (it loads in the background while the
  // old one answers) and records the choice, which the next start-up applies too.
  app.put('/api/model-versions/:id/serving', async (req) => {
    await ctx.auth.app(req, ['admin']);
    const id = (req.params as { id: string }).id;
    const version = await ctx.store.modelVersions.get(id);
    if (!version) throw notFound('model version');
    void (await switchServingVersion(ctx.store, ctx.models, version));
    ctx.bus.publishControl({ type: 'serving', versionId: id }); // the other replicas follow
    return ctx.store.modelVersions.get(id);
  });
}
