// Upgrading a store that already has reports: 0003 adds the categories column without losing rows,
// and rows filed before it read as "no categories".
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations.ts';
import { openStore } from './store.ts';

it('0003 gives reports filed before it an empty category list', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'parley-migrate-')), 'parley.db');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Sqlite(file) }) });
  const { error } = await new Migrator({ db, provider: migrations }).migrateTo('0002_heartbeat');
  assert.equal(error, undefined);
  const t = new Date().toISOString();
  await db.insertInto('users').values({ id: 'u1', username: 'old', password_hash: 'h', role: 'admin', created_at: t }).execute();
  await db.insertInto('moderation_reports').values({
    id: 'r1', user_id: 'u1', message_id: null, text: 'old report', scores: null, kind: 'false_positive', status: 'pending',
    reviewer_id: null, note: null, created_at: t, updated_at: t,
  }).execute();
  await db.destroy();

  const store = await openStore({ sqliteFile: file });
  try {
    const r = await store.moderationReports.get('r1');
    assert.deepEqual([r?.text, r?.categories], ['old report', []]);
    assert.deepEqual((await store.moderationReports.review('r1', 'u1', { categories: ['hate'] }))?.categories, ['hate']);
  } finally {
    await store.close();
  }
});
