// Server settings from PARLEY_* environment variables (each listed in README.md here), with
// defaults that work with no configuration at all.
import { UserError } from '../util/errors.ts';

export interface ServerConfig {
  port: number;
  host: string;
  /** Keys accepted as `Authorization: Bearer` on /v1 besides those users create in the app. */
  apiKeys: string[];
  maxBodyBytes: number;
  maxMessages: number;
  maxPromptChars: number;
  defaultMaxTokens: number;
  maxCompletionTokens: number;
  maxChoices: number; // n on /v1, K for rankings
  requestsPerMinute: number; // per user and per key; 0 = unlimited
  tokensPerDay: number; // per user and per key; 0 = unlimited
  maxConcurrentPerUser: number; // generations running at once; 0 = unlimited
  allowSignup: boolean;
  cookieSecure: boolean;
  /** redis://… — generation events, stop requests and rate counters shared by all replicas. */
  redisUrl: string | null;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const v = env[name];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name}=${v} must be a whole number ≥ ${min}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new UserError(`${name}=${env[name]} must be true or false`);
}

export function configFromEnv(env: Env = process.env): ServerConfig {
  return {
    port: int(env, 'PORT', 3000, 0),
    host: env.PARLEY_HOST || '0.0.0.0',
    apiKeys: (env.PARLEY_API_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    maxBodyBytes: int(env, 'PARLEY_MAX_BODY_BYTES', 1_048_576, 1024),
    maxMessages: int(env, 'PARLEY_MAX_MESSAGES', 500, 1),
    maxPromptChars: int(env, 'PARLEY_MAX_PROMPT_CHARS', 200_000, 1),
    defaultMaxTokens: int(env, 'PARLEY_DEFAULT_MAX_TOKENS', 1024, 1),
    maxCompletionTokens: int(env, 'PARLEY_MAX_COMPLETION_TOKENS', 8192, 1),
    maxChoices: int(env, 'PARLEY_MAX_CHOICES', 8, 1),
    requestsPerMinute: int(env, 'PARLEY_RATE_LIMIT_PER_MINUTE', 600),
    tokensPerDay: int(env, 'PARLEY_TOKEN_QUOTA_PER_DAY', 0),
    maxConcurrentPerUser: int(env, 'PARLEY_MAX_CONCURRENT_PER_USER', 4),
    allowSignup: bool(env, 'PARLEY_ALLOW_SIGNUP', true),
    cookieSecure: bool(env, 'PARLEY_COOKIE_SECURE', false),
    redisUrl: env.PARLEY_REDIS_URL || null,
  };
}

/** Defaults, for tests and embedding; override what you need. */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...configFromEnv({}), ...overrides };
}
