// Rate limits, token quotas and per-user concurrency. Counters live behind `CounterStore` so a Redis
// implementation (INCRBY + PEXPIRE on the same keys) can make them hold across replicas; the
// in-process one below is exact for a single server. Concurrency is counted in this process and, when
// the store shares slots (Redis), across replicas too, with leases a crashed replica cannot leak.
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import type { ServerConfig } from './config.ts';

export interface CounterStore {
  /** Adds `amount` to the counter for the current window of `windowMs` and returns the new total. */
  add(key: string, amount: number, windowMs: number): Promise<number>;
  get(key: string, windowMs: number): Promise<number>;
  /**
   * Concurrency slots shared between replicas (absent: this process counts alone). Takes `count` slots
   * under every key for lease `lease`, all or none, if each key stays at or under `max`; the lease lapses
   * after `ttlMs` unless renewed, so the slots of a replica that died free themselves.
   */
  slots?: {
    take(keys: string[], count: number, max: number, lease: string, ttlMs: number): Promise<boolean>;
    renew(keys: string[], lease: string, count: number, ttlMs: number): Promise<void>;
    free(keys: string[], lease: string, count: number): Promise<void>;
  };
}

/** How long a shared concurrency lease lives without renewal; renewed every third of it. */
export const SLOT_LEASE_MS = 30_000;

/** Fixed windows aligned to the clock (minute, day); old windows are dropped as they expire. */
export class MemoryCounterStore implements CounterStore {
  private readonly counts = new Map<string, { window: number; n: number }>();

  async add(key: string, amount: number, windowMs: number): Promise<number> {
    const window = Math.floor(Date.now() / windowMs);
    const c = this.counts.get(key);
    if (!c || c.window !== window) {
      if (this.counts.size > 100_000) this.sweep(windowMs);
      this.counts.set(key, { window, n: amount });
      return amount;
    }
    c.n += amount;
    return c.n;
  }

  async get(key: string, windowMs: number): Promise<number> {
    const c = this.counts.get(key);
    return c && c.window === Math.floor(Date.now() / windowMs) ? c.n : 0;
  }

  private sweep(windowMs: number): void {
    const window = Math.floor(Date.now() / windowMs);
    for (const [k, c] of this.counts) if (c.window !== window) this.counts.delete(k);
  }
}

/** Who is asking: a signed-in user, an API key (usually of a user), or a keyless loopback client. */
export interface Principal {
  userId: string | null;
  keyId: string | null; // 'env:N' for PARLEY_API_KEYS entries
  role: 'admin' | 'trainer' | 'user' | null;
}

/**
 * The counter subjects a request is charged to: both the user and the key, when both exist. A keyless
 * loopback client (no key configured anywhere) is neither, and like Ollama's is not limited: it is the
 * machine's owner, and the model's own queue still bounds the load.
 */
export function subjects(p: Principal): string[] {
  const s: string[] = [];
  if (p.userId) s.push(`user:${p.userId}`);
  if (p.keyId) s.push(`key:${p.keyId}`);
  return s;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export class Limits {
  private readonly running = new Map<string, number>();
  private readonly leases = new Map<string, { keys: string[]; count: number }>(); // shared leases held here
  private renewal: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly counters: CounterStore = new MemoryCounterStore(),
  ) {}

  /** Counts one request; 429 when a subject is over its per-minute limit. */
  async checkRate(p: Principal): Promise<void> {
    await this.checkRateOf(subjects(p));
  }

  /** The same limit for explicit subjects, e.g. `ip:1.2.3.4` for sign-in attempts. */
  async checkRateOf(list: string[]): Promise<void> {
    if (this.config.requestsPerMinute === 0) return;
    for (const s of list) {
      const n = await this.counters.add(`rpm:${s}`, 1, MINUTE);
      if (n > this.config.requestsPerMinute) {
        const retry = Math.ceil((MINUTE - (Date.now() % MINUTE)) / 1000);
        throw new ApiError(429, `rate limit reached: ${this.config.requestsPerMinute} requests per minute for ${s.split(':')[0]} (PARLEY_RATE_LIMIT_PER_MINUTE)`, 'rate_limit_exceeded', null, { 'retry-after': String(retry) });
      }
    }
  }

  /** 429 before generating when a subject has used up its daily tokens. */
  async checkQuota(p: Principal): Promise<void> {
    if (this.config.tokensPerDay === 0) return;
    for (const s of subjects(p)) {
      if ((await this.counters.get(`tokens:${s}`, DAY)) >= this.config.tokensPerDay) {
        throw new ApiError(429, `daily token quota of ${this.config.tokensPerDay} used up for ${s.split(':')[0]} (PARLEY_TOKEN_QUOTA_PER_DAY)`, 'insufficient_quota');
      }
    }
  }

  async chargeTokens(p: Principal, tokens: number): Promise<void> {
    if (this.config.tokensPerDay === 0 || tokens <= 0) return;
    for (const s of subjects(p)) await this.counters.add(`tokens:${s}`, tokens, DAY);
  }

  /**
   * Reserves `count` concurrent generation slots for the principal; resolves to the release function.
   * 429 when the user (or key) already runs the maximum, in this process or (shared slots) anywhere.
   */
  async acquire(p: Principal, count = 1): Promise<() => void> {
    const max = this.config.maxConcurrentPerUser;
    const keys = subjects(p);
    const refuse = () => new ApiError(429, `too many generations at once: at most ${max} per user (PARLEY_MAX_CONCURRENT_PER_USER)`, 'concurrency_limit_exceeded');
    if (max > 0) {
      for (const k of keys) if ((this.running.get(k) ?? 0) + count > max) throw refuse();
    }
    for (const k of keys) this.running.set(k, (this.running.get(k) ?? 0) + count);
    const releaseHere = () => {
      for (const k of keys) {
        const n = (this.running.get(k) ?? 0) - count;
        if (n <= 0) this.running.delete(k);
        else this.running.set(k, n);
      }
    };
    const shared = max > 0 && keys.length > 0 ? this.counters.slots : undefined;
    let lease: string | null = null;
    if (shared) {
      lease = randomUUID();
      const slotKeys = keys.map((k) => `slots:${k}`);
      let ok: boolean;
      try {
        ok = await shared.take(slotKeys, count, max, lease, SLOT_LEASE_MS);
      } catch (err) {
        releaseHere();
        throw err;
      }
      if (!ok) {
        releaseHere();
        throw refuse();
      }
      this.leases.set(lease, { keys: slotKeys, count });
      this.renewLeases();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseHere();
      if (shared && lease) {
        const held = this.leases.get(lease)!;
        this.leases.delete(lease);
        shared.free(held.keys, lease, held.count).catch(() => {}); // failing that, the lease lapses by itself
      }
    };
  }

  /** Keeps this process's shared leases alive while they are held. */
  private renewLeases(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      if (this.leases.size === 0) {
        clearInterval(this.renewal!);
        this.renewal = null;
        return;
      }
      for (const [lease, held] of this.leases) this.counters.slots?.renew(held.keys, lease, held.count, SLOT_LEASE_MS).catch(() => {});
    }, SLOT_LEASE_MS / 3);
    this.renewal.unref();
  }
}
