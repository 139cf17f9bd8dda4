// User reports of content-filter mistakes (a false positive: flagged but fine; a false negative:
// harmful but let through), reviewed by an admin; confirmed reports become classifier training data.
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { newId, now } from './ids.ts';
import { clampLimit, decodeCursor, parseJson, toPage, type Page, type PageRequest } from './pagination.ts';

export type ReportKind = DB['moderation_reports']['kind'];
export type ReportStatus = DB['moderation_reports']['status'];

export interface ModerationReport {
  id: string;
  userId: string;
  messageId: string | null;
  text: string;
  scores: Record<string, number> | null;
  kind: ReportKind;
  status: ReportStatus;
  reviewerId: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export class ModerationReportRepo {
  constructor(private readonly db: Kysely<DB>) {}

  async create(
    userId: string,
    r: { messageId: string | null; text: string; scores: Record<string, number> | null; kind: ReportKind; note: string | null },
  ): Promise<ModerationReport> {
    const t = now();
    const row: DB['moderation_reports'] = {
      id: newId(), user_id: userId, message_id: r.messageId, text: r.text, scores: r.scores ? JSON.stringify(r.scores) : null,
      kind: r.kind, status: 'pending', reviewer_id: null, note: r.note, created_at: t, updated_at: t,
    };
    await this.db.insertInto('moderation_reports').values(row).execute();
    return toReport(row);
  }

  /** Reports filed by userId, or all reports (admin review) when userId is null. */
  async list(userId: string | null, opts: PageRequest & { status?: ReportStatus } = {}): Promise<Page<ModerationReport>> {
    const limit = clampLimit(opts.limit, 50, 1000);
    let q = this.db.selectFrom('moderation_reports').selectAll().orderBy('id').limit(limit + 1);
    if (userId !== null) q = q.where('user_id', '=', userId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.cursor) q = q.where('id', '>', decodeCursor(opts.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toReport, (r) => [r.id]);
  }

  async review(id: string, reviewerId: string, status: ReportStatus, note: string | null): Promise<ModerationReport | null> {
    await this.db
      .updateTable('moderation_reports')
      .set({ status, reviewer_id: reviewerId, ...(note !== null ? { note } : {}), updated_at: now() })
      .where('id', '=', id)
      .execute();
    const row = await this.db.selectFrom('moderation_reports').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toReport(row) : null;
  }
}

function toReport(r: DB['moderation_reports']): ModerationReport {
  return {
    id: r.id, userId: r.user_id, messageId: r.message_id, text: r.text, scores: parseJson(r.scores), kind: r.kind,
    status: r.status, reviewerId: r.reviewer_id, note: r.note, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
