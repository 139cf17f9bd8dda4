// `parley serve` / `npm start`: opens the store, recovers replies a killed server left pending,
// loads the configured models and the content filter, and serves until SIGINT/SIGTERM.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, storeOptionsFromEnv } from '../store/store.ts';
import { ModelRegistry } from '../providers/registry.ts';
import { buildApp } from './app.ts';
import { HEARTBEAT_MS } from './generation/manager.ts';
import { configFromEnv } from './config.ts';
import { loadModerator } from './moderation-adapter.ts';
import { serveWebApp } from './web-app.ts';
import { applyServingVersion } from './serving-version.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

export async function startServer(overrides: { port?: number; host?: string } = {}): Promise<void> {
  const config = { ...configFromEnv(), ...overrides };
  const storeOptions = storeOptionsFromEnv();
  const store = await openStore(storeOptions);
  const where = storeOptions.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `SQLite ${join(storeOptions.dataDir ?? './data', 'parley.db')}`;
  await store.users.deleteExpiredSessions();
  // One server: every pending reply was left by a previous run. Replicas (Redis configured): only
  // replies whose replica has stopped beating, checked now and then rather than at startup only.
  const report = (ids: string[]) => {
    if (ids.length) console.log(`${ids.length} reply(ies) left unfinished by a stopped server are marked interrupted (they can be continued)`);
  };
  let sweep: NodeJS.Timeout | null = null;
  if (config.redisUrl) {
    const recoverStale = () =>
      store.messages.recoverInterrupted({ staleBefore: new Date(Date.now() - 6 * HEARTBEAT_MS).toISOString() }).then(report, (err) => console.error('recovery sweep failed:', err));
    await recoverStale();
    sweep = setInterval(recoverStale, 2 * HEARTBEAT_MS);
    sweep.unref();
  } else {
    report(await store.messages.recoverInterrupted());
  }

  const models = await ModelRegistry.fromEnvironment();
  for (const notice of models.notices) console.log(notice);
  const serving = await applyServingVersion(store, models);
  if (serving) console.log(serving);
  const { moderator, notice } = await loadModerator();
  if (notice) console.log(notice);

  // With Redis, replicas share generation events, stop requests and rate counters.
  const redis = config.redisUrl
    ? {
        bus: await (await import('./generation/redis-bus.ts')).RedisBus.connect(config.redisUrl),
        counters: await (await import('./redis-counters.ts')).RedisCounterStore.connect(config.redisUrl),
      }
    : null;
  const parley = await buildApp({ store, models, moderator, config, logger: false, ...(redis ?? {}) });
  const webBuilt = await serveWebApp(parley.app, join(repoRoot, 'web', 'dist'));
  await parley.app.listen({ port: config.port, host: config.host });

  const list = models.list();
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(`Parley is listening on http://${shown}:${config.port} (data: ${where})`);
  console.log(list.length ? `models: ${list.map((m) => `${m.id} (${m.backend})`).join(', ')}; default ${models.defaultModelId}` : 'models: none configured');
  if (!webBuilt) console.log('the web app is not built (web/dist missing); the API is available');
  if (config.redisUrl) console.log('replica mode: generation events and rate limits go through Redis (PARLEY_REDIS_URL)');
  console.log(config.apiKeys.length ? `/v1 requires one of the ${config.apiKeys.length} PARLEY_API_KEYS` : '/v1 answers clients on this machine without a key until a key is configured');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: stopping (running replies are marked interrupted)`);
    if (sweep) clearInterval(sweep);
    await parley.close();
    await redis?.counters.close();
    await models.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
