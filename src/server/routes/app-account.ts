// /api/keys (a user's API keys), /api/models, /api/model-versions, and the filter-mistake reports
// (app-reports.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { pageQuery } from './common.ts';
import { registerAppReports } from './app-reports.ts';

const keyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

export function registerAppAccount(app: FastifyInstance, ctx: ServerContext): void {
  registerAppReports(app, ctx);
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

  app.get('/api/model-versions', async (req) => {
    await ctx.auth.app(req);
    return ctx.store.modelVersions.list(pageQuery(req.query));
  });
}
