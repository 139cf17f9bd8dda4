// Thumbs, category and comment on an assistant message, one per user per message, stored with the
// model and sampling settings that produced the message so training can tell replies apart.
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { newId, now } from './ids.ts';
import { clampLimit, decodeCursor, parseJson, toPage, type Page, type PageRequest } from './pagination.ts';
import type { SamplingOptions } from '../providers/types.ts';

export interface Feedback {
  id: string;
  messageId: string;
  userId: string;
  thumb: 'up' | 'down' | null;
  category: string | null;
  comment: string | null;
  model: string | null;
  sampling: SamplingOptions | null;
  createdAt: string;
  updatedAt: string;
}

export interface FeedbackInput {
  thumb: 'up' | 'down' | null;
  category: string | null;
  comment: string | null;
}

export class FeedbackRepo {
  constructor(private readonly db: Kysely<DB>) {}

  /** Sets the user's feedback on a message (replacing earlier feedback). The caller checks ownership. */
  async upsert(
    userId: string,
    message: { id: string; model: string | null; sampling: SamplingOptions | null },
    input: FeedbackInput,
  ): Promise<Feedback> {
    const t = now();
    const sampling = message.sampling ? JSON.stringify(message.sampling) : null;
    await this.db
      .insertInto('feedback')
      .values({
        id: newId(), message_id: message.id, user_id: userId, thumb: input.thumb, category: input.category,
        comment: input.comment, model: message.model, sampling, created_at: t, updated_at: t,
      })
      .onConflict((oc) =>
        oc.columns(['message_id', 'user_id']).doUpdateSet({
          thumb: input.thumb, category: input.category, comment: input.comment, updated_at: t,
        }),
      )
      .execute();
    const row = await this.db
      .selectFrom('feedback')
      .selectAll()
      .where('message_id', '=', message.id)
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return toFeedback(row);
  }

  async forMessage(userId: string, messageId: string): Promise<Feedback | null> {
    const row = await this.db
      .selectFrom('feedback')
      .selectAll()
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toFeedback(row) : null;
  }

  /** The user's feedback on the messages of one conversation (to show thumbs after a reload). */
  async forConversation(userId: string, conversationId: string): Promise<Feedback[]> {
    const rows = await this.db
      .selectFrom('feedback')
      .innerJoin('messages', 'messages.id', 'feedback.message_id')
      .selectAll('feedback')
      .where('messages.conversation_id', '=', conversationId)
      .where('feedback.user_id', '=', userId)
      .orderBy('feedback.id')
      .limit(10_000)
      .execute();
    return rows.map(toFeedback);
  }

  /** All feedback with a given thumb, for dataset export (trainer/admin only, checked by the caller). */
  async listByThumb(thumb: 'up' | 'down', page: PageRequest = {}): Promise<Page<Feedback>> {
    const limit = clampLimit(page.limit, 500, 1000);
    let q = this.db.selectFrom('feedback').selectAll().where('thumb', '=', thumb).orderBy('id').limit(limit + 1);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toFeedback, (r) => [r.id]);
  }
}

function toFeedback(r: DB['feedback']): Feedback {
  return {
    id: r.id, messageId: r.message_id, userId: r.user_id, thumb: r.thumb, category: r.category, comment: r.comment,
    model: r.model, sampling: parseJson(r.sampling), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
