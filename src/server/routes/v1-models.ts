// GET /v1/models, GET /v1/models/{id}, POST /v1/moderations.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, parse } from '../errors.ts';

const moderationBody = z.object({
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.object({ type: z.literal('text'), text: z.string() })).min(1),
  ]),
  model: z.string().optional(),
});

export function registerV1Models(app: FastifyInstance, ctx: ServerContext): void {
  const created = Math.floor(ctx.startedAt / 1000);
  const describe = (m: { id: string; ownedBy: string; contextLength: number; backend: string }) => ({
    id: m.id, object: 'model', created, owned_by: m.ownedBy, context_length: m.contextLength, backend: m.backend,
  });

  app.get('/v1/models', async (req) => {
    await ctx.limits.checkRate(await ctx.auth.v1(req));
    return { object: 'list', data: ctx.models.list().map(describe) };
  });

  // Model ids may contain "/" (e.g. "org/name"), so the id is the rest of the path.
  app.get('/v1/models/*', async (req) => {
    await ctx.limits.checkRate(await ctx.auth.v1(req));
    const id = decodeURIComponent((req.params as { '*': string })['*']);
    const info = ctx.models.info(id);
    if (!info) throw new ApiError(404, `The model \`${id}\` does not exist`, 'model_not_found', 'model');
    return describe(info);
  });

  app.post('/v1/moderations', async (req) => {
    const principal = await ctx.auth.v1(req);
    await ctx.limits.checkRate(principal);
    const body = parse(moderationBody, req.body);
    if (!ctx.moderator) {
      throw new ApiError(503, 'no content classifier is installed on this server', 'moderation_unavailable');
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input.map((x) => (typeof x === 'string' ? x : x.text));
    const total = inputs.reduce((s, t) => s + t.length, 0);
    if (total > ctx.config.maxPromptChars) {
      throw new ApiError(400, `input is ${total} characters; at most ${ctx.config.maxPromptChars} (PARLEY_MAX_PROMPT_CHARS)`, 'context_length_exceeded', 'input');
    }
    const results = await ctx.moderator.moderate(inputs);
    return { id: `modr-${randomBytes(12).toString('base64url')}`, model: ctx.moderator.model, results };
  });
}
