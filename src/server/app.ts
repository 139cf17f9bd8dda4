// Builds the Fastify app: /health, /metrics, /v1/* (OpenAI-compatible) and /api/* (the web app).
// The caller owns the store and the model registry; close() stops generations and the HTTP server.
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { Auth } from './auth.ts';
import { defaultConfig, type ServerConfig } from './config.ts';
import type { Models, ServerContext } from './context.ts';
import { installErrorHandler } from './errors.ts';
import { InProcessBus, type GenerationBus } from './generation/bus.ts';
import { GenerationManager } from './generation/manager.ts';
import { Limits, MemoryCounterStore, type CounterStore } from './limits.ts';
import { Metrics } from './metrics.ts';
import type { Moderator } from './moderation.ts';
import { registerV1Chat } from './routes/v1-chat.ts';
import { registerV1Models } from './routes/v1-models.ts';
import { registerAppAuth } from './routes/app-auth.ts';
import { registerAppConversations } from './routes/app-conversations.ts';
import { registerAppMessages } from './routes/app-messages.ts';
import { registerAppTraining } from './routes/app-training.ts';
import { registerAppAccount } from './routes/app-account.ts';
import { registerAppConsole } from './routes/app-console.ts';
import { registerAppRuns } from './routes/app-runs.ts';
import { followServingVersion } from './serving-version.ts';

export interface AppOptions {
  store: Store;
  models: Models;
  moderator?: Moderator | null;
  config?: ServerConfig;
  /** Swap in Redis-backed implementations to run several replicas. */
  bus?: GenerationBus;
  counters?: CounterStore;
  /** Node process metrics (memory, event loop) in /metrics; off in tests that build many apps. */
  processMetrics?: boolean;
  logger?: boolean;
}

export interface ParleyApp {
  app: FastifyInstance;
  ctx: ServerContext;
  /** "METHOD /path" of every route, for tests that must cover them all. */
  routes: string[];
  close(): Promise<void>;
}

export async function buildApp(opts: AppOptions): Promise<ParleyApp> {
  const config = opts.config ?? defaultConfig();
  const app = Fastify({ bodyLimit: config.maxBodyBytes, logger: opts.logger ?? false, return503OnClosing: true });
  const routes: string[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  await app.register(cookie);
  installErrorHandler(app);
  const metrics = new Metrics(opts.processMetrics ?? true);
  metrics.install(app);
  const bus = opts.bus ?? new InProcessBus();
  const moderator = opts.moderator ?? null;
  const ctx: ServerContext = {
    store: opts.store,
    models: opts.models,
    moderator,
    config,
    auth: new Auth(opts.store, config),
    limits: new Limits(config, opts.counters ?? new MemoryCounterStore()),
    metrics,
    generations: new GenerationManager(opts.store.messages, bus, metrics, moderator),
    bus,
    startedAt: Date.now(),
  };

  ctx.auth.onAppCaller = (p) => ctx.limits.checkRate(p);
  // Another replica (or this one) switched the serving version: serve it here too.
  const unsubscribeServing = bus.subscribeControl((m) => {
    if (m.type === 'serving') void followServingVersion(opts.store, opts.models, m.versionId);
  });

  app.get('/health', async (_req, reply) => {
    try {
      await sql`select 1`.execute(opts.store.database.db);
    } catch (err) {
      reply.status(503);
      return { status: 'unavailable', database: (err as Error).message };
    }
    return { status: 'ok', database: opts.store.database.dialect, models: opts.models.list().length, moderation: !!moderator };
  });

  registerV1Chat(app, ctx);
  registerV1Models(app, ctx);
  registerAppAuth(app, ctx);
  registerAppConversations(app, ctx);
  registerAppMessages(app, ctx);
  registerAppTraining(app, ctx);
  registerAppAccount(app, ctx);
  registerAppConsole(app, ctx);
  registerAppRuns(app, ctx);

  return {
    app,
    ctx,
    routes,
    async close() {
      unsubscribeServing();
      await ctx.generations.shutdown();
      await app.close();
      await bus.close();
    },
  };
}
