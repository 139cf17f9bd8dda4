// Accounts, sign-in sessions and API keys. Secrets (session tokens, API keys) are stored only as
// sha256 hashes: they are long random tokens, so a fast hash is enough; passwords get argon2 in the
// server, never here.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from './schema.ts';
import { newId, newToken, now } from './ids.ts';
import { clampLimit, decodeCursor, toPage, type Page, type PageRequest } from './pagination.ts';

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const SESSION_DAYS = 30;

export class UserRepo {
  constructor(private readonly db: Kysely<DB>) {}

  /** Creates an account; the first account ever created is an admin. Null if the name is taken. */
  async create(username: string, passwordHash: string): Promise<User | null> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
      if (taken) return null;
      const any = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
      const row = { id: newId(), username, password_hash: passwordHash, role: (any ? 'user' : 'admin') as Role, created_at: now() };
      await trx.insertInto('users').values(row).execute();
      return toUser(row);
    });
  }

  async anyUser(): Promise<boolean> {
    return !!(await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst());
  }

  async passwordHashOf(username: string): Promise<{ user: User; hash: string } | null> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? { user: toUser(row), hash: row.password_hash } : null;
  }

  async get(id: string): Promise<User | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async list(page: PageRequest = {}): Promise<Page<User>> {
    const limit = clampLimit(page.limit);
    let q = this.db.selectFrom('users').selectAll().orderBy('id').limit(limit + 1);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toUser, (r) => [r.id]);
  }

  async setRole(id: string, role: Role): Promise<User | null> {
    await this.db.updateTable('users').set({ role }).where('id', '=', id).execute();
    return this.get(id);
  }

  // ---- sessions ----

  /** Returns the cookie token (shown once) and the CSRF token bound to the session. */
  async createSession(userId: string): Promise<{ token: string; csrfToken: string; expiresAt: string }> {
    const token = newToken(32);
    const csrfToken = newToken(24);
    const expiresAt = new Date(Date.now() + SESSION_DAYS * 86400_000).toISOString();
    await this.db
      .insertInto('sessions')
      .values({ id: sha256(token), user_id: userId, csrf_token: csrfToken, created_at: now(), expires_at: expiresAt })
      .execute();
    return { token, csrfToken, expiresAt };
  }

  async sessionUser(token: string): Promise<{ user: User; csrfToken: string } | null> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.username', 'users.role', 'users.created_at', 'sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.id', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.expires_at < now()) return null;
    return { user: toUser(row), csrfToken: row.csrf_token };
  }

  /** Removes sessions past their expiry (run at startup; expired ones are already refused). */
  async deleteExpiredSessions(): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<', now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
  }

  // ---- API keys ----

  /** Returns the key itself once; only its hash is kept. */
  async createApiKey(userId: string, name: string): Promise<{ key: string; apiKey: ApiKey }> {
    const key = 'pk-' + newToken(30);
    const row = {
      id: newId(), user_id: userId, name, key_hash: sha256(key), prefix: key.slice(0, 8),
      created_at: now(), last_used_at: null, revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { key, apiKey: toApiKey(row) };
  }

  async listApiKeys(userId: string, page: PageRequest = {}): Promise<Page<ApiKey>> {
    const limit = clampLimit(page.limit);
    let q = this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .limit(limit + 1);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toApiKey, (r) => [r.id]);
  }

  /** Revokes one of the user's own keys; false if it is not theirs or not found. */
  async revokeApiKey(userId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async userForApiKey(key: string): Promise<{ user: User; keyId: string } | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .select(['users.id', 'users.username', 'users.role', 'users.created_at', 'api_keys.id as key_id'])
      .where('api_keys.key_hash', '=', sha256(key))
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    await this.db.updateTable('api_keys').set({ last_used_at: now() }).where('id', '=', row.key_id).execute();
    return { user: toUser(row), keyId: row.key_id };
  }

  async activeApiKeyCount(): Promise<number> {
    const r = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

function toUser(r: { id: string; username: string; role: Role; created_at: string }): User {
  return { id: r.id, username: r.username, role: r.role, createdAt: r.created_at };
}

function toApiKey(r: DB['api_keys']): ApiKey {
  return { id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}
