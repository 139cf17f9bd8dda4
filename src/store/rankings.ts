// Rankings of K sampled completions for one prompt (best first), the reward model's training data.
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { newId, now } from './ids.ts';
import { clampLimit, decodeCursor, parseJson, toPage, type Page, type PageRequest } from './pagination.ts';
import type { ChatMessage, SamplingOptions } from '../providers/types.ts';

export interface Ranking {
  id: string;
  userId: string;
  prompt: ChatMessage[];
  completions: string[];
  ranking: number[] | null; // indices into completions, best first; null until ranked
  unusable: boolean;
  model: string | null;
  sampling: SamplingOptions | null;
  createdAt: string;
  updatedAt: string;
}

export class RankingRepo {
  constructor(private readonly db: Kysely<DB>) {}

  async create(
    userId: string,
    r: { prompt: ChatMessage[]; completions: string[]; model: string | null; sampling: SamplingOptions | null },
  ): Promise<Ranking> {
    const t = now();
    const row: DB['rankings'] = {
      id: newId(), user_id: userId, prompt: JSON.stringify(r.prompt), completions: JSON.stringify(r.completions),
      ranking: null, unusable: 0, model: r.model, sampling: r.sampling ? JSON.stringify(r.sampling) : null,
      created_at: t, updated_at: t,
    };
    await this.db.insertInto('rankings').values(row).execute();
    return toRanking(row);
  }

  async get(userId: string, id: string): Promise<Ranking | null> {
    const row = await this.db.selectFrom('rankings').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row ? toRanking(row) : null;
  }

  /** Records the order (or marks it unusable); null if the ranking is not the user's. */
  async rank(userId: string, id: string, ranking: number[] | null, unusable: boolean): Promise<Ranking | null> {
    await this.db
      .updateTable('rankings')
      .set({ ranking: ranking ? JSON.stringify(ranking) : null, unusable: unusable ? 1 : 0, updated_at: now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .execute();
    return this.get(userId, id);
  }

  /** One user's rankings, or everyone's when userId is null (export). */
  async list(userId: string | null, page: PageRequest = {}): Promise<Page<Ranking>> {
    const limit = clampLimit(page.limit, 50, 1000);
    let q = this.db.selectFrom('rankings').selectAll().orderBy('id').limit(limit + 1);
    if (userId !== null) q = q.where('user_id', '=', userId);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toRanking, (r) => [r.id]);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('rankings').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function toRanking(r: DB['rankings']): Ranking {
  return {
    id: r.id, userId: r.user_id, prompt: JSON.parse(r.prompt), completions: JSON.parse(r.completions),
    ranking: parseJson(r.ranking), unusable: Number(r.unusable) === 1, model: r.model, sampling: parseJson(r.sampling),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
