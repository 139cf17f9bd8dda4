// Store benchmark: the conversation list and a 1,000-message conversation, on SQLite (a fresh file)
// or on PostgreSQL (DATABASE_URL, in a fresh schema dropped afterwards). Prints JSON lines
// {"bench":"store", backend, query, median_ms, max_ms} over 20 runs after 3 warm-ups.
// Usage: npx tsx src/store/bench-store.ts            (SQLite)
//        DATABASE_URL=postgres://… npx tsx src/store/bench-store.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from './store.ts';
import { newId } from './ids.ts';
import type { DB } from './schema.ts';

const url = process.env.DATABASE_URL;
const schema = `parley_bench_${randomBytes(4).toString('hex')}`;
const store: Store = url ? await openStore({ databaseUrl: url, pgSchema: schema }) : await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'parley-bench-')) });
const backend = store.database.dialect;

try {
  const u = (await store.users.create('bench', 'not a login'))!;
  // 200 conversations of 20 messages and one of 1,000: 5,000 messages of ~540 characters.
  let big = { id: '', leaf: '' };
  for (let c = 0; c < 201; c++) {
    const conv = await store.conversations.create(u.id, `conversation ${c}`);
    const n = c === 200 ? 1000 : 20;
    let parent: string | null = null;
    const rows: DB['messages'][] = [];
    for (let i = 0; i < n; i++) {
      const id = newId();
      const t = new Date().toISOString();
      rows.push({
        id, conversation_id: conv.id, parent_id: parent, role: i % 2 ? 'assistant' : 'user', content: 'lorem ipsum dolor sit amet '.repeat(20),
        status: 'complete', model: null, sampling: null, tool_calls: null, tool_call_id: null, moderation: null, finish_reason: null,
        error: null, usage: null, heartbeat_at: null, created_at: t, updated_at: t,
      });
      parent = id;
    }
    for (let i = 0; i < rows.length; i += 100) await store.database.db.insertInto('messages').values(rows.slice(i, i + 100)).execute();
    if (c === 200) big = { id: conv.id, leaf: parent! };
  }
  const time = async (query: string, f: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await f();
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await f();
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    console.log(JSON.stringify({ bench: 'store', backend, query, median_ms: +runs[10].toFixed(2), max_ms: +runs[19].toFixed(2) }));
  };
  await time('conversation list, first page of 50 (201 conversations)', () => store.conversations.list(u.id, { limit: 50 }));
  await time('1,000-message conversation, all messages', () => store.messages.list(big.id, { limit: 1000 }));
  await time('1,000-message conversation, branch path root→leaf', () => store.messages.path(big.id, big.leaf));
  await time('search titles and 5,000 messages (no match)', () => store.conversations.list(u.id, { search: 'nothing matches this' }));
} finally {
  await store.close();
  if (url) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
