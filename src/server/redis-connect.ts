// One way to open a Redis connection: fail fast with a clear message when the server is not there,
// and afterwards reconnect quietly (one log line per distinct error, not one per retry).
import { Redis } from 'ioredis';

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, retryStrategy: (n) => Math.min(n * 200, 2000) });
  let last = '';
  redis.on('error', (err: Error) => {
    if (err.message !== last) console.error(`redis ${url}: ${err.message}`);
    last = err.message;
  });
  redis.on('ready', () => (last = ''));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${url} (PARLEY_REDIS_URL): ${(err as Error).message}`);
  }
  return redis;
}
