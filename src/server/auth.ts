// Who is calling. /v1: a Bearer API key (PARLEY_API_KEYS or one created in the app); with no key
// configured anywhere, loopback clients may call without one (as Ollama and llama.cpp allow).
// /api: a session cookie (HTTP-only) whose writes must carry the session's CSRF token in
// X-CSRF-Token, or a Bearer API key (no cookie, so no CSRF risk).
import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';
import { sha256 } from '../store/users.ts';
import type { Role } from '../store/schema.ts';
import type { ServerConfig } from './config.ts';
import { ApiError } from './errors.ts';
import type { Principal } from './limits.ts';

export const SESSION_COOKIE = 'parley_session';
export const CSRF_HEADER = 'x-csrf-token';
const KEY_COUNT_TTL_MS = 5000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AppCaller {
  user: User;
  principal: Principal;
  via: 'session' | 'key';
  csrfToken: string | null;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  if (!m) throw new ApiError(401, 'Authorization header must be "Bearer <API key>"', 'invalid_api_key');
  return m[1].trim();
}

export class Auth {
  private readonly envKeyHashes: Map<string, number>;
  /** Called for every authenticated /api request (the app counts it against the rate limit). */
  onAppCaller: ((p: Principal) => Promise<void>) | null = null;
  private keyCount: { n: number; at: number } | null = null;

  constructor(private readonly store: Store, private readonly config: ServerConfig) {
    this.envKeyHashes = new Map(config.apiKeys.map((k, i) => [sha256(k), i]));
  }

  /** Call after creating or revoking a key so the keyless-loopback rule updates at once. */
  keysChanged(): void {
    this.keyCount = null;
  }

  private async keysConfigured(): Promise<boolean> {
    if (this.envKeyHashes.size > 0) return true;
    if (!this.keyCount || Date.now() - this.keyCount.at > KEY_COUNT_TTL_MS) {
      this.keyCount = { n: await this.store.users.activeApiKeyCount(), at: Date.now() };
    }
    return this.keyCount.n > 0;
  }

  private async principalForKey(key: string): Promise<{ principal: Principal; user: User | null } | null> {
    const envIndex = this.envKeyHashes.get(sha256(key));
    if (envIndex !== undefined) return { principal: { userId: null, keyId: `env:${envIndex}`, role: null }, user: null };
    const found = await this.store.users.userForApiKey(key);
    if (!found) return null;
    return { principal: { userId: found.user.id, keyId: found.keyId, role: found.user.role }, user: found.user };
  }

  async v1(req: FastifyRequest): Promise<Principal> {
    const key = bearer(req);
    if (key) {
      const found = await this.principalForKey(key);
      if (found) return found.principal;
    }
    if (await this.keysConfigured()) {
      if (key) throw new ApiError(401, 'Incorrect API key provided.', 'invalid_api_key');
      throw new ApiError(401, 'Missing API key: send "Authorization: Bearer <key>" (keys are set by PARLEY_API_KEYS or created in the app).', 'missing_api_key');
    }
    if (!isLoopback(req.socket.remoteAddress)) {
      throw new ApiError(401, 'No API key is configured, so only clients on this machine may call without one. Create a key in the app or set PARLEY_API_KEYS.', 'missing_api_key');
    }
    // Like Ollama: with no keys configured, whatever key a local client sends is ignored.
    return { userId: null, keyId: null, role: null };
  }

  /** The signed-in user of an /api request, or null. Enforces CSRF on cookie-authenticated writes. */
  async appOptional(req: FastifyRequest): Promise<AppCaller | null> {
    const key = bearer(req);
    if (key) {
      const found = await this.principalForKey(key);
      if (!found?.user) throw new ApiError(401, 'Incorrect API key provided (app routes need a key created by a user).', 'invalid_api_key');
      return { user: found.user, principal: found.principal, via: 'key', csrfToken: null };
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return null;
    const s = await this.store.users.sessionUser(token);
    if (!s) return null;
    if (!SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== s.csrfToken) {
      throw new ApiError(403, `missing or wrong ${CSRF_HEADER} header (GET /api/auth/me returns the token)`, 'csrf_failed');
    }
    return { user: s.user, principal: { userId: s.user.id, keyId: null, role: s.user.role }, via: 'session', csrfToken: s.csrfToken };
  }

  async app(req: FastifyRequest, roles?: Role[]): Promise<AppCaller> {
    const caller = await this.appOptional(req);
    if (!caller) throw new ApiError(401, 'sign in first', 'not_signed_in');
    await this.onAppCaller?.(caller.principal);
    if (roles && !roles.includes(caller.user.role)) {
      throw new ApiError(403, `this needs the ${roles.join(' or ')} role; you are ${caller.user.role}`, 'forbidden');
    }
    return caller;
  }
}
