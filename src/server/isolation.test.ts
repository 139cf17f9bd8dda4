// One user can never read or change another's data: every /api route that takes an id is called by
// another user (with the role the route needs) on the owner's resources, and must answer as if the
// resource did not exist; lists never show it; afterwards the owner's data is unchanged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../store/test-backends.ts';
import { AppClient, ScriptedProvider, startTestServer, type TestServer } from './test-support.ts';

for (const backend of testBackends()) {
  describe(`isolation between users on ${backend.name}`, () => {
    let s: TestServer;
    let alice: AppClient;
    let bob: AppClient;
    const ids: Record<string, string> = {};
    before(async () => {
      s = await startTestServer(backend, { providers: [new ScriptedProvider('scripted')] });
      const root = await AppClient.signUp(s.url, 'root');
      alice = await AppClient.signUp(s.url, 'alice');
      bob = await AppClient.signUp(s.url, 'bob');
      for (const c of [alice, bob]) await root.call('PATCH', `/api/admin/users/${(c as any).user.id}`, { role: 'trainer' });
      const conv = (await alice.call('POST', '/api/conversations', { title: 'alice private', model: 'scripted' })).json;
      const sent = (await alice.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'secret plans' })).json;
      await alice.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      await alice.call('PUT', `/api/messages/${sent.assistantMessage.id}/feedback`, { thumb: 'up' });
      const ranking = (await alice.call('POST', '/api/rankings', { messages: [{ role: 'user', content: 'q' }], k: 2 })).json;
      await alice.call('PUT', `/api/rankings/${ranking.id}`, { ranking: [1, 0] });
      const demo = (await alice.call('POST', '/api/demonstrations', { prompt: [{ role: 'user', content: 'q' }], response: 'a' })).json;
      const key = (await alice.call('POST', '/api/keys', { name: 'alice key' })).json;
      const report = (await alice.call('POST', '/api/moderation/reports', { messageId: sent.assistantMessage.id, kind: 'false_negative' })).json;
      Object.assign(ids, {
        conversation: conv.id, user: sent.userMessage.id, assistant: sent.assistantMessage.id, ranking: ranking.id, demo: demo.id,
        key: key.id, keySecret: key.key, report: report.id, alice: (alice as any).user.id,
      });
    });
    after(() => s.stop());

    it('answers 404 (or 403 for admin-only routes) to every id-taking route called by another user', async () => {
      const probes: [string, string, unknown?, number?][] = [
        ['GET', `/api/conversations/${ids.conversation}`],
        ['PATCH', `/api/conversations/${ids.conversation}`, { title: 'pwned' }],
        ['DELETE', `/api/conversations/${ids.conversation}`],
        ['GET', `/api/conversations/${ids.conversation}/messages`],
        ['POST', `/api/conversations/${ids.conversation}/messages`, { content: 'hi' }],
        ['GET', `/api/conversations/${ids.conversation}/export`],
        ['GET', `/api/conversations/${ids.conversation}/feedback`],
        ['POST', `/api/conversations/${ids.conversation}/share`],
        ['DELETE', `/api/conversations/${ids.conversation}/share`],
        ['GET', `/api/messages/${ids.assistant}`],
        ['POST', `/api/messages/${ids.user}/edit`, { content: 'changed' }],
        ['POST', `/api/messages/${ids.assistant}/regenerate`, {}],
        ['POST', `/api/messages/${ids.assistant}/continue`, {}],
        ['POST', `/api/messages/${ids.assistant}/stop`],
        ['GET', `/api/messages/${ids.assistant}/stream`],
        ['PUT', `/api/messages/${ids.assistant}/feedback`, { thumb: 'down' }],
        ['GET', `/api/messages/${ids.assistant}/feedback`],
        ['GET', `/api/rankings/${ids.ranking}`],
        ['PUT', `/api/rankings/${ids.ranking}`, { ranking: [0, 1] }],
        ['DELETE', `/api/rankings/${ids.ranking}`],
        ['DELETE', `/api/demonstrations/${ids.demo}`],
        ['DELETE', `/api/keys/${ids.key}`],
        ['PATCH', `/api/moderation/reports/${ids.report}`, { status: 'rejected' }, 403],
        ['PATCH', `/api/admin/users/${ids.alice}`, { role: 'user' }, 403],
        ['POST', `/api/conversations/${ids.conversation}/instructions`, { content: 'be terse' }],
        // Training runs are shared by every trainer (not one user's): an id that names no run is not found.
        ['GET', `/api/runs/${ids.conversation}`],
        ['GET', `/api/runs/${ids.conversation}/metrics`],
        ['GET', `/api/runs/${ids.conversation}/eval`],
        ['GET', `/api/runs/${ids.conversation}/report`],
        // Admin-only: refused by role before the id is even looked up, so any id will do.
        ['PUT', `/api/model-versions/${ids.conversation}/serving`, {}, 403],
      ];
      // Every /api route with an id parameter must be probed here (except the public share link and
      // the admin-only dataset export, whose :kind names a dataset rather than a resource).
      const covered = new Set(probes.map(([m, p]) => `${m} ${p.replace(/\/[0-9a-f]{32}(?=\/|$)/g, '/:id')}`));
      const idRoutes = s.routes.filter((r) => r.includes('/api/') && r.includes(':') && !r.includes(':token') && !r.includes(':kind'));
      assert.deepEqual(idRoutes.filter((r) => !covered.has(r)), [], 'routes with an id that this test does not probe');
      for (const [method, path, body, expected = 404] of probes) {
        const r = path.endsWith('/stream') ? await bob.call(method, path) : await bob.call(method, path, body);
        assert.equal(r.status, expected, `${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
      }
    });

    it('never lists or accepts another user’s resources by reference', async () => {
      for (const path of ['/api/conversations', '/api/rankings', '/api/demonstrations', '/api/keys', '/api/moderation/reports']) {
        const r = await bob.call('GET', path);
        assert.equal(r.status, 200, path);
        assert.equal(r.json.items.length, 0, `${path} shows nothing of alice's`);
      }
      assert.equal((await bob.call('GET', '/api/conversations?q=secret')).json.items.length, 0);
      assert.equal((await bob.call('GET', '/api/export/sft')).status, 403, 'a trainer cannot download other users’ rated replies');
      assert.equal((await bob.call('POST', '/api/moderation/reports', { messageId: ids.assistant, kind: 'false_positive' })).status, 404);
      assert.equal((await bob.call('POST', '/api/demonstrations', { prompt: [{ role: 'user', content: 'q' }], response: 'a', conversationId: ids.conversation })).status, 400);
      const mine = (await bob.call('POST', '/api/conversations', { model: 'scripted' })).json;
      assert.equal((await bob.call('POST', `/api/conversations/${mine.id}/messages`, { content: 'x', parentId: ids.assistant })).status, 400);
      assert.equal((await bob.call('PATCH', `/api/conversations/${mine.id}`, { currentLeafId: ids.assistant })).status, 400);
    });

    it('leaves the owner’s data as it was', async () => {
      const conv = (await alice.call('GET', `/api/conversations/${ids.conversation}`)).json;
      assert.equal(conv.title, 'alice private');
      assert.equal(conv.shareToken, null);
      assert.equal((await alice.call('GET', `/api/conversations/${ids.conversation}/messages`)).json.items.length, 2);
      assert.equal((await alice.call('GET', `/api/messages/${ids.assistant}/feedback`)).json.feedback.thumb, 'up');
      assert.deepEqual((await alice.call('GET', `/api/conversations/${ids.conversation}/feedback`)).json.items.map((f: any) => [f.messageId, f.thumb]), [[ids.assistant, 'up']]);
      assert.deepEqual((await alice.call('GET', `/api/rankings/${ids.ranking}`)).json.ranking, [1, 0]);
      assert.equal((await alice.call('GET', '/api/demonstrations')).json.items.length, 1);
      assert.equal((await fetch(`${s.url}/api/auth/me`, { headers: { authorization: `Bearer ${ids.keySecret}` } })).status, 200);
      assert.equal((await alice.call('GET', '/api/moderation/reports')).json.items[0].status, 'pending');
      assert.equal((await alice.call('GET', '/api/auth/me')).json.user.role, 'trainer');
    });
  });
}
