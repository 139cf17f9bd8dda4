import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './store.ts';
import { exportToFile } from './export-file.ts';
import { readReports } from '../moderation/reports.ts';

it('parley export writes JSONL from the store in PARLEY_DATA', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-export-'));
  const store = await openStore({ dataDir: dir });
  const u = (await store.users.create('t', 'h'))!;
  await store.demonstrations.create(u.id, { prompt: [{ role: 'user', content: 'Hi' }], response: 'Hello!', conversationId: null });
  await store.demonstrations.create(u.id, { prompt: [{ role: 'user', content: '2+2?' }], response: '4', conversationId: null });
  await store.close();
  const out = join(dir, 'sft.jsonl');
  assert.equal(await exportToFile('sft', out, { PARLEY_DATA: dir }), 2);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows[1].messages, [{ role: 'user', content: '2+2?' }, { role: 'assistant', content: '4' }]);
  assert.equal(await exportToFile('pairs', join(dir, 'pairs.jsonl'), { PARLEY_DATA: dir }), 0);
});

it('parley export moderation-reports writes the confirmed reports parley train moderation --reports reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-export-'));
  const store = await openStore({ dataDir: dir });
  const u = (await store.users.create('t', 'h'))!;
  const fn = await store.moderationReports.create(u.id, { messageId: null, text: 'you will pay for this', scores: null, kind: 'false_negative', categories: ['violence'], note: null });
  await store.moderationReports.create(u.id, { messageId: null, text: 'still pending', scores: null, kind: 'false_positive', note: null });
  await store.moderationReports.review(fn.id, u.id, { status: 'confirmed' });
  await store.close();
  const out = join(dir, 'reports.jsonl');
  assert.equal(await exportToFile('moderation-reports', out, { PARLEY_DATA: dir }), 1);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { text: 'you will pay for this', kind: 'false_negative', categories: ['violence'], status: 'confirmed' });
  assert.deepEqual(readReports(out).map((e) => [e.text, e.labels]), [['you will pay for this', ['violence']]]);
});
