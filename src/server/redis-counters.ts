// Rate-limit and quota counters in Redis, so limits hold across server replicas: one key per subject
// and clock-aligned window, INCRBY then PEXPIRE (the key outlives its window briefly, then vanishes).
import type { Redis } from 'ioredis';
import { connectRedis } from './redis-connect.ts';
import type { CounterStore } from './limits.ts';

export class RedisCounterStore implements CounterStore {
  private constructor(private readonly redis: Redis) {}

  static async connect(url: string): Promise<RedisCounterStore> {
    return new RedisCounterStore(await connectRedis(url));
  }

  private key(key: string, windowMs: number): string {
    return `parley:count:${key}:${windowMs}:${Math.floor(Date.now() / windowMs)}`;
  }

  async add(key: string, amount: number, windowMs: number): Promise<number> {
    const k = this.key(key, windowMs);
    const result = await this.redis.multi().incrby(k, amount).pexpire(k, windowMs * 2).exec();
    const [err, value] = result?.[0] ?? [new Error('no reply from Redis'), null];
    if (err) throw err;
    return Number(value);
  }

  async get(key: string, windowMs: number): Promise<number> {
    return Number((await this.redis.get(this.key(key, windowMs))) ?? 0);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
