// Rate-limit and quota counters in Redis, so limits hold across server replicas: one key per subject
// and clock-aligned window, INCRBY then PEXPIRE (the key outlives its window briefly, then vanishes).
// Concurrency slots: a sorted set per subject whose members are lease slots scored by their expiry
// (Redis's clock), taken all-or-none by a Lua script; expired members are dropped before counting, so
// the slots of a replica that died without freeing them come back after the lease time.
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

  readonly slots = {
    take: async (keys: string[], count: number, max: number, lease: string, ttlMs: number): Promise<boolean> =>
      Number(await this.redis.eval(TAKE, keys.length, ...keys.map(slotKey), count, max, lease, ttlMs)) === 1,
    renew: async (keys: string[], lease: string, count: number, ttlMs: number): Promise<void> => {
      await this.redis.eval(RENEW, keys.length, ...keys.map(slotKey), count, lease, ttlMs);
    },
    free: async (keys: string[], lease: string, count: number): Promise<void> => {
      const members = Array.from({ length: count }, (_, i) => `${lease}:${i + 1}`);
      const m = this.redis.multi();
      for (const k of keys) m.zrem(slotKey(k), ...members);
      await m.exec();
    },
  };

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

const slotKey = (key: string) => `parley:${key}`;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: slot sets; ARGV: count, max, lease, ttl ms. 1 = taken, 0 = some key is full.
const TAKE = `${NOW}
local count, max, lease, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
for _, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  if redis.call('ZCARD', k) + count > max then return 0 end
end
for _, k in ipairs(KEYS) do
  for j = 1, count do redis.call('ZADD', k, now + ttl, lease .. ':' .. j) end
  redis.call('PEXPIRE', k, ttl * 2)
end
return 1`;

// KEYS: slot sets; ARGV: count, lease, ttl ms. Pushes the lease's expiry on (only members still there).
const RENEW = `${NOW}
local count, lease, ttl = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
for _, k in ipairs(KEYS) do
  for j = 1, count do redis.call('ZADD', k, 'XX', now + ttl, lease .. ':' .. j) end
  redis.call('PEXPIRE', k, ttl * 2)
end
return 1`;
