// The content filter's feedback loop end to end: a user reports a filter mistake over HTTP, an admin
// confirms it (with the right categories), the admin export yields JSONL, and the classifier trainer's
// readReports turns it into a training example with the right labels.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReports } from '../../moderation/reports.ts';
import { testBackends } from '../../store/test-backends.ts';
import { AppClient, KeywordModerator, ScriptedProvider, startTestServer, type TestServer } from '../test-support.ts';

for (const backend of testBackends()) {
  describe(`filter-mistake reports on ${backend.name}`, () => {
    let s: TestServer;
    let admin: AppClient;
    let user: AppClient;
    before(async () => {
      s = await startTestServer(backend, { providers: [new ScriptedProvider('scripted')], moderator: new KeywordModerator() });
      admin = await AppClient.signUp(s.url, 'root');
      user = await AppClient.signUp(s.url, 'carol');
    });
    after(() => s.stop());

    it('validates categories against the taxonomy and defaults a false positive to the flags it got', async () => {
      const bad = await user.call('POST', '/api/moderation/reports', { text: 'x', kind: 'false_negative', categories: ['violence', 'rudeness'] });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.param, 'categories.1');
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'an iffy but harmless joke' })).json;
      await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      const fp = await user.call('POST', '/api/moderation/reports', { messageId: sent.userMessage.id, kind: 'false_positive' });
      assert.equal(fp.status, 201);
      assert.deepEqual([fp.json.text, fp.json.categories, fp.json.scores.violence], ['an iffy but harmless joke', ['violence'], 0.6]);
      const given = await user.call('POST', '/api/moderation/reports', { messageId: sent.userMessage.id, kind: 'false_positive', categories: [] });
      assert.deepEqual(given.json.categories, [], 'an explicit empty list (everything was wrong) is kept');
      const fn = await user.call('POST', '/api/moderation/reports', { messageId: sent.assistantMessage.id, kind: 'false_negative' });
      assert.deepEqual([fn.status, fn.json.categories], [201, []], 'a false negative may be filed before anyone names its categories');
    });

    it('goes from a report over HTTP to an admin-confirmed training example', async () => {
      const missed = (await user.call('POST', '/api/moderation/reports', { text: 'meet me after school, you will regret it', kind: 'false_negative' })).json;
      const wrong = (await user.call('POST', '/api/moderation/reports', { text: 'how do I kill a python process', kind: 'false_positive', categories: ['violence'] })).json;
      const dubious = (await user.call('POST', '/api/moderation/reports', { text: 'I love pizza', kind: 'false_negative', categories: ['hate'] })).json;

      const refused = await admin.call('PATCH', `/api/moderation/reports/${missed.id}`, { status: 'confirmed' });
      assert.equal(refused.status, 400, 'a false negative needs a category before it is confirmed');
      assert.equal(refused.json.error.param, 'categories');
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${missed.id}`, {})).status, 400, 'an empty review changes nothing');
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${missed.id}`, { categories: ['nonsense'] })).status, 400);
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${'0'.repeat(32)}`, { status: 'rejected' })).status, 404);
      assert.equal((await user.call('PATCH', `/api/moderation/reports/${missed.id}`, { categories: ['harassment'] })).status, 403);

      const ok = await admin.call('PATCH', `/api/moderation/reports/${missed.id}`, { status: 'confirmed', categories: ['harassment/threatening'], note: 'a threat' });
      assert.equal(ok.status, 200);
      assert.deepEqual([ok.json.status, ok.json.categories, ok.json.note, ok.json.reviewerId], ['confirmed', ['harassment/threatening'], 'a threat', (admin as any).user.id]);
      const cleared = await admin.call('PATCH', `/api/moderation/reports/${missed.id}`, { categories: [] });
      assert.equal(cleared.status, 400, 'a confirmed false negative cannot lose its last category');
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${wrong.id}`, { status: 'confirmed' })).json.status, 'confirmed');
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${dubious.id}`, { status: 'rejected' })).json.status, 'rejected');
      const mine = (await user.call('GET', '/api/moderation/reports?status=confirmed')).json.items;
      assert.deepEqual(mine.map((r: any) => r.categories), [['harassment/threatening'], ['violence']], 'the reporter sees the reviewed categories');

      assert.equal((await user.call('GET', '/api/export/moderation-reports')).status, 403);
      const exported = await fetch(`${s.url}/api/export/moderation-reports`, { headers: { cookie: admin.cookie } });
      assert.equal(exported.status, 200);
      assert.match(exported.headers.get('content-disposition')!, /moderation-reports\.jsonl/);
      const file = join(mkdtempSync(join(tmpdir(), 'parley-reports-')), 'reports.jsonl');
      writeFileSync(file, await exported.text());
      const examples = readReports(file);
      assert.deepEqual(examples.map((e) => e.text), ['meet me after school, you will regret it', 'how do I kill a python process'], 'only confirmed reports');
      assert.deepEqual(new Set(examples[0].labels), new Set(['harassment', 'harassment/threatening']));
      assert.deepEqual(new Set(examples[0].mask), new Set(['harassment', 'harassment/threatening']));
      assert.deepEqual(examples[1].labels, []);
      assert.deepEqual(new Set(examples[1].mask), new Set(['violence', 'violence/graphic']));
      assert.ok(examples.every((e) => e.source === 'report'));
    });
  });
}
