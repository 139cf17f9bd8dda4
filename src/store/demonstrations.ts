// Trainer-written ideal replies to a prompt: supervised fine-tuning data.
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { newId, now } from './ids.ts';
import { clampLimit, decodeCursor, toPage, type Page, type PageRequest } from './pagination.ts';
import type { ChatMessage } from '../providers/types.ts';

export interface Demonstration {
  id: string;
  userId: string;
  prompt: ChatMessage[];
  response: string;
  conversationId: string | null;
  createdAt: string;
}

export class DemonstrationRepo {
  constructor(private readonly db: Kysely<DB>) {}

  async create(userId: string, d: { prompt: ChatMessage[]; response: string; conversationId: string | null }): Promise<Demonstration> {
    const row: DB['demonstrations'] = {
      id: newId(), user_id: userId, prompt: JSON.stringify(d.prompt), response: d.response,
      conversation_id: d.conversationId, created_at: now(),
    };
    await this.db.insertInto('demonstrations').values(row).execute();
    return toDemonstration(row);
  }

  /** One user's demonstrations, or everyone's when userId is null (export). */
  async list(userId: string | null, page: PageRequest = {}): Promise<Page<Demonstration>> {
    const limit = clampLimit(page.limit, 50, 1000);
    let q = this.db.selectFrom('demonstrations').selectAll().orderBy('id').limit(limit + 1);
    if (userId !== null) q = q.where('user_id', '=', userId);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toDemonstration, (r) => [r.id]);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('demonstrations').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function toDemonstration(r: DB['demonstrations']): Demonstration {
  return {
    id: r.id, userId: r.user_id, prompt: JSON.parse(r.prompt), response: r.response,
    conversationId: r.conversation_id, createdAt: r.created_at,
  };
}
