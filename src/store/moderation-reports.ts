// User reports of content-filter mistakes (a false positive: flagged but fine; a false negative:
// harmful but let through), reviewed by an admin; confirmed reports become classifier training data
// (`parley export moderation-reports`, read by `parley train moderation --reports`).
// Categories are validated against the taxonomy by the caller (the HTTP routes); the store keeps them.
import type { Kysely } from 'kysely';
import type { Category } from '../moderation/taxonomy.ts';
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
  /** false_negative: what should have been flagged; false_positive: which flags were wrong ([] = all). */
  categories: Category[];
  status: ReportStatus;
  reviewerId: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewReport {
  messageId: string | null;
  text: string;
  scores: Record<string, number> | null;
  kind: ReportKind;
  categories?: Category[];
  note: string | null;
}

/** An admin's decision; fields left out keep their value. */
export interface ReportReview {
  status?: ReportStatus;
  categories?: Category[];
  note?: string | null;
}

export class ModerationReportRepo {
  constructor(private readonly db: Kysely<DB>) {}

  async create(userId: string, r: NewReport): Promise<ModerationReport> {
    const t = now();
    const row: DB['moderation_reports'] = {
      id: newId(), user_id: userId, message_id: r.messageId, text: r.text, scores: r.scores ? JSON.stringify(r.scores) : null,
      kind: r.kind, categories: JSON.stringify(unique(r.categories ?? [])), status: 'pending', reviewer_id: null, note: r.note,
      created_at: t, updated_at: t,
    };
    await this.db.insertInto('moderation_reports').values(row).execute();
    return toReport(row);
  }

  async get(id: string): Promise<ModerationReport | null> {
    const row = await this.db.selectFrom('moderation_reports').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toReport(row) : null;
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

  /** Records a review by reviewerId; null when no report has this id. */
  async review(id: string, reviewerId: string, change: ReportReview): Promise<ModerationReport | null> {
    await this.db
      .updateTable('moderation_reports')
      .set({
        reviewer_id: reviewerId,
        updated_at: now(),
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.categories !== undefined ? { categories: JSON.stringify(unique(change.categories)) } : {}),
        ...(change.note !== undefined && change.note !== null ? { note: change.note } : {}),
      })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }
}

function unique(cats: Category[]): Category[] {
  return [...new Set(cats)];
}

function toReport(r: DB['moderation_reports']): ModerationReport {
  return {
    id: r.id, userId: r.user_id, messageId: r.message_id, text: r.text, scores: parseJson(r.scores), kind: r.kind,
    categories: parseJson<Category[]>(r.categories) ?? [], status: r.status, reviewerId: r.reviewer_id, note: r.note,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
