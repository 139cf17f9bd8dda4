// Conversations: one user's list (newest first, searchable, archivable), read-only share links.
// Every method that touches a conversation takes the owner's id and filters by it, so a caller can
// never reach another user's conversation through this repository.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { newId, newToken, now } from './ids.ts';
import { clampLimit, decodeCursor, toPage, type Page, type PageRequest } from './pagination.ts';

export interface Conversation {
  id: string;
  userId: string;
  title: string;
  archived: boolean;
  currentLeafId: string | null;
  shareToken: string | null;
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ListConversations extends PageRequest {
  archived?: boolean;
  /** Case-insensitive substring of the title or of any message. */
  search?: string;
}

export class ConversationRepo {
  constructor(private readonly db: Kysely<DB>) {}

  async create(userId: string, title: string, model: string | null = null): Promise<Conversation> {
    const t = now();
    const row = {
      id: newId(), user_id: userId, title, archived: 0, current_leaf_id: null, share_token: null, model,
      created_at: t, updated_at: t,
    };
    await this.db.insertInto('conversations').values(row).execute();
    return toConversation(row);
  }

  async get(userId: string, id: string): Promise<Conversation | null> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  async getByShareToken(token: string): Promise<Conversation | null> {
    const row = await this.db.selectFrom('conversations').selectAll().where('share_token', '=', token).executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  async list(userId: string, opts: ListConversations = {}): Promise<Page<Conversation>> {
    const limit = clampLimit(opts.limit);
    let q = this.db
      .selectFrom('conversations as c')
      .selectAll('c')
      .where('c.user_id', '=', userId)
      .where('c.archived', '=', opts.archived ? 1 : 0)
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit + 1);
    if (opts.cursor) {
      const [updatedAt, id] = decodeCursor(opts.cursor, 2);
      q = q.where((eb) =>
        eb.or([eb('c.updated_at', '<', updatedAt), eb.and([eb('c.updated_at', '=', updatedAt), eb('c.id', '<', id)])]),
      );
    }
    if (opts.search) {
      const pattern = '%' + opts.search.toLowerCase().replace(/[\\%_]/g, (m) => '\\' + m) + '%';
      q = q.where((eb) =>
        eb.or([
          sql<boolean>`lower(c.title) like ${pattern} escape '\\'`,
          eb.exists(
            eb
              .selectFrom('messages as m')
              .select('m.id')
              .whereRef('m.conversation_id', '=', 'c.id')
              .where(sql<boolean>`lower(m.content) like ${pattern} escape '\\'`),
          ),
        ]),
      );
    }
    return toPage(await q.execute(), limit, toConversation, (r) => [r.updated_at, r.id]);
  }

  /** Applies the given changes to the user's conversation; null if it is not theirs. */
  async update(
    userId: string,
    id: string,
    changes: { title?: string; archived?: boolean; currentLeafId?: string | null; model?: string | null },
  ): Promise<Conversation | null> {
    const set: Partial<DB['conversations']> = { updated_at: now() };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.archived !== undefined) set.archived = changes.archived ? 1 : 0;
    if (changes.currentLeafId !== undefined) set.current_leaf_id = changes.currentLeafId;
    if (changes.model !== undefined) set.model = changes.model;
    await this.db.updateTable('conversations').set(set).where('id', '=', id).where('user_id', '=', userId).execute();
    return this.get(userId, id);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('conversations').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Creates (or returns the existing) read-only share token. */
  async share(userId: string, id: string): Promise<string | null> {
    const c = await this.get(userId, id);
    if (!c) return null;
    if (c.shareToken) return c.shareToken;
    const token = newToken(18);
    await this.db.updateTable('conversations').set({ share_token: token }).where('id', '=', id).where('user_id', '=', userId).execute();
    return token;
  }

  async unshare(userId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('conversations')
      .set({ share_token: null })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

function toConversation(r: DB['conversations']): Conversation {
  return {
    id: r.id, userId: r.user_id, title: r.title, archived: Number(r.archived) === 1, currentLeafId: r.current_leaf_id,
    shareToken: r.share_token, model: r.model, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
