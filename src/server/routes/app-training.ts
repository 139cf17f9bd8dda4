// Trainer tools: rankings of K sampled replies, demonstrations, and dataset export (JSONL in the
// formats of DESIGN.md). Rankings and demonstrations belong to the trainer who made them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { samplingSchema, toSampling } from '../sampling.ts';
import { runChoice } from '../v1-run.ts';
import { DATASET_KINDS, exportDataset, type DatasetKind } from '../../store/datasets.ts';
import { chatMessageSchema, pageQuery } from './common.ts';

const TRAINERS = ['trainer', 'admin'] as const;

const sampleBody = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  k: z.number().int().min(2),
  model: z.string().min(1).max(128).optional(),
  sampling: samplingSchema.optional(),
});
const rankBody = z.strictObject({
  ranking: z.array(z.number().int().min(0)).nullable(),
  unusable: z.boolean().optional(),
});
const demoBody = z.strictObject({
  prompt: z.array(chatMessageSchema).min(1),
  response: z.string().min(1).max(1_000_000),
  conversationId: z.string().max(64).nullable().optional(),
});

export function registerAppTraining(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/rankings', async (req, reply) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    const body = parse(sampleBody, req.body);
    if (body.k > ctx.config.maxChoices) throw new ApiError(400, `k is ${body.k}; at most ${ctx.config.maxChoices} (PARLEY_MAX_CHOICES)`, 'invalid_value', 'k');
    const modelId = body.model ?? ctx.models.defaultModelId;
    if (!modelId) throw new ApiError(503, 'no model is installed or configured: run `parley pipeline`', 'no_model');
    const info = ctx.models.info(modelId);
    if (!info) throw new ApiError(404, `no model "${modelId}"`, 'model_not_found', 'model');
    const chars = body.messages.reduce((s, m) => s + m.content.length, 0);
    if (chars > ctx.config.maxPromptChars || body.messages.length > ctx.config.maxMessages) {
      throw new ApiError(400, `the prompt is too long (PARLEY_MAX_PROMPT_CHARS / PARLEY_MAX_MESSAGES)`, 'context_length_exceeded', 'messages');
    }
    const sampling = toSampling(body.sampling ?? {}, ctx.config, info.contextLength);
    await ctx.limits.checkQuota(caller.principal);
    const provider = await ctx.models.get(modelId);
    const release = await ctx.limits.acquire(caller.principal, body.k);
    const controller = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort('client closed');
    });
    try {
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: body.k }, (_, i) => {
          const s = sampling.seed === undefined ? sampling : { ...sampling, seed: sampling.seed + i };
          const it = provider.chat(body.messages, s, controller.signal)[Symbol.asyncIterator]();
          return runChoice(it, null, {}, { metrics: ctx.metrics, model: modelId, started, moderator: null });
        }),
      );
      await ctx.limits.chargeTokens(caller.principal, results.reduce((s, r) => s + r.usage.promptTokens + r.usage.completionTokens, 0));
      reply.status(201);
      return ctx.store.rankings.create(caller.user.id, { prompt: body.messages, completions: results.map((r) => r.text), model: modelId, sampling });
    } finally {
      release();
    }
  });

  app.get('/api/rankings', async (req) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    return ctx.store.rankings.list(caller.user.id, pageQuery(req.query));
  });

  app.get('/api/rankings/:id', async (req) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    const r = await ctx.store.rankings.get(caller.user.id, (req.params as { id: string }).id);
    if (!r) throw notFound('ranking');
    return r;
  });

  app.put('/api/rankings/:id', async (req) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    const existing = await ctx.store.rankings.get(caller.user.id, (req.params as { id: string }).id);
    if (!existing) throw notFound('ranking');
    const body = parse(rankBody, req.body);
    const unusable = body.unusable ?? false;
    if (body.ranking) {
      const k = existing.completions.length;
      const sorted = [...body.ranking].sort((a, b) => a - b);
      if (sorted.length !== k || sorted.some((v, i) => v !== i)) {
        throw new ApiError(400, `ranking must order all ${k} completions: a permutation of 0..${k - 1}`, 'invalid_value', 'ranking');
      }
    } else if (!unusable) {
      throw new ApiError(400, 'give a ranking, or mark the set unusable', 'invalid_value', 'ranking');
    }
    return ctx.store.rankings.rank(caller.user.id, existing.id, body.ranking, unusable);
  });

  app.delete('/api/rankings/:id', async (req, reply) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    if (!(await ctx.store.rankings.delete(caller.user.id, (req.params as { id: string }).id))) throw notFound('ranking');
    reply.status(204);
  });

  app.post('/api/demonstrations', async (req, reply) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    const body = parse(demoBody, req.body);
    if (body.conversationId && !(await ctx.store.conversations.get(caller.user.id, body.conversationId))) {
      throw new ApiError(400, 'conversationId is not one of your conversations', 'invalid_value', 'conversationId');
    }
    reply.status(201);
    return ctx.store.demonstrations.create(caller.user.id, { prompt: body.prompt, response: body.response, conversationId: body.conversationId ?? null });
  });

  app.get('/api/demonstrations', async (req) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    return ctx.store.demonstrations.list(caller.user.id, pageQuery(req.query));
  });

  app.delete('/api/demonstrations/:id', async (req, reply) => {
    const caller = await ctx.auth.app(req, [...TRAINERS]);
    if (!(await ctx.store.demonstrations.delete(caller.user.id, (req.params as { id: string }).id))) throw notFound('demonstration');
    reply.status(204);
  });

  // The whole training set: demonstrations and rankings of every trainer plus thumbs-up replies from
  // every user's conversations, so only admins may download it (as `parley export` on the server).
  app.get('/api/export/:kind', async (req, reply) => {
    await ctx.auth.app(req, ['admin']);
    const kind = (req.params as { kind: string }).kind as DatasetKind;
    if (!DATASET_KINDS.includes(kind)) throw new ApiError(404, `no dataset "${kind}"; one of ${DATASET_KINDS.join(', ')}`, 'not_found');
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${kind}.jsonl"`);
    let out = '';
    for await (const row of exportDataset(ctx.store, kind)) out += JSON.stringify(row) + '\n';
    return out;
  });
}
