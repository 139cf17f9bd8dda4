import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testBackends } from './test-backends.ts';
import type { Store } from './store.ts';
import { exportDataset } from './datasets.ts';
import { sha256 } from './users.ts';
import { newId } from './ids.ts';

for (const backend of testBackends()) {
  describe(`store on ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
    });

    it('makes the first account admin and later ones users; names are unique', async () => {
      const a = await store.users.create('alice', 'h1');
      const b = await store.users.create('bob', 'h2');
      assert.equal(a?.role, 'admin');
      assert.equal(b?.role, 'user');
      assert.equal(await store.users.create('alice', 'h3'), null);
      assert.equal((await store.users.passwordHashOf('bob'))?.hash, 'h2');
    });

    it('keeps sessions and API keys only as hashes, scoped to their owner', async () => {
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const bob = (await store.users.passwordHashOf('bob'))!.user;
      const s = await store.users.createSession(alice.id);
      assert.equal((await store.users.sessionUser(s.token))?.user.username, 'alice');
      assert.equal((await store.users.sessionUser(s.token))?.csrfToken, s.csrfToken);
      const raw = await store.database.db.selectFrom('sessions').select('id').execute();
      assert.ok(raw.every((r) => r.id !== s.token));
      await store.database.db.insertInto('sessions').values({ id: 'old', user_id: alice.id, csrf_token: 'c', created_at: '2000-01-01T00:00:00.000Z', expires_at: '2000-02-01T00:00:00.000Z' }).execute();
      assert.equal(await store.users.deleteExpiredSessions(), 1);
      assert.ok(await store.users.sessionUser(s.token), 'live sessions stay');
      await store.users.deleteSession(s.token);
      assert.equal(await store.users.sessionUser(s.token), null);

      const before = await store.users.activeApiKeyCount();
      const { key, apiKey } = await store.users.createApiKey(alice.id, 'laptop');
      assert.equal(await store.users.activeApiKeyCount(), before + 1);
      const stored = await store.database.db.selectFrom('api_keys').select('key_hash').where('id', '=', apiKey.id).executeTakeFirstOrThrow();
      assert.equal(stored.key_hash, sha256(key));
      assert.equal((await store.users.userForApiKey(key))?.user.id, alice.id);
      assert.equal(await store.users.revokeApiKey(bob.id, apiKey.id), false, 'bob cannot revoke alice’s key');
      assert.equal(await store.users.revokeApiKey(alice.id, apiKey.id), true);
      assert.equal(await store.users.userForApiKey(key), null);
    });

    it('lists conversations newest first with keyset pagination, search and archive', async () => {
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const bob = (await store.users.passwordHashOf('bob'))!.user;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const c = await store.conversations.create(alice.id, `chat ${i}${i === 3 ? ' about 100%_cotton' : ''}`);
        ids.push(c.id);
        await new Promise((r) => setTimeout(r, 2)); // distinct updated_at
      }
      await store.conversations.create(bob.id, 'bob chat');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof store.conversations.list>> = await store.conversations.list(alice.id, { limit: 3, cursor });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());

      const hit = await store.conversations.list(alice.id, { search: '100%_COTTON' });
      assert.deepEqual(hit.items.map((c) => c.id), [ids[3]]);
      assert.equal((await store.conversations.list(alice.id, { search: '%' })).items.length, 1, '% is matched literally');
      const m = await store.messages.insert({ conversationId: ids[5], parentId: null, role: 'user', content: 'Tell me about Zanzibar', status: 'complete' });
      assert.ok(m.id);
      assert.deepEqual((await store.conversations.list(alice.id, { search: 'zanzibar' })).items.map((c) => c.id), [ids[5]]);
      assert.equal((await store.conversations.list(bob.id, { search: 'zanzibar' })).items.length, 0);

      await store.conversations.update(alice.id, ids[0], { archived: true, title: 'old' });
      assert.ok(!(await store.conversations.list(alice.id, { limit: 100 })).items.some((c) => c.id === ids[0]));
      assert.deepEqual((await store.conversations.list(alice.id, { archived: true })).items.map((c) => c.title), ['old']);

      assert.equal(await store.conversations.get(bob.id, ids[1]), null);
      assert.equal(await store.conversations.update(bob.id, ids[1], { title: 'mine now' }), null);
      assert.equal((await store.conversations.get(alice.id, ids[1]))?.title, 'chat 1');
      assert.equal(await store.conversations.delete(bob.id, ids[1]), false);
      assert.equal(await store.conversations.share(bob.id, ids[1]), null);
      const token = await store.conversations.share(alice.id, ids[1]);
      assert.equal((await store.conversations.getByShareToken(token!))?.id, ids[1]);
      assert.equal(await store.conversations.share(alice.id, ids[1]), token, 'sharing twice returns the same link');
      await store.conversations.unshare(alice.id, ids[1]);
      assert.equal(await store.conversations.getByShareToken(token!), null);
      assert.equal(await store.conversations.delete(alice.id, ids[1]), true);
      assert.equal(await store.conversations.get(alice.id, ids[1]), null);
    });

    it('stores messages as a tree and loads a 1,000-message conversation by pages and by path', async () => {
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const c = await store.conversations.create(alice.id, 'long');
      let parent: string | null = null;
      const ids: string[] = [];
      // One multi-row insert (row by row is the same code path, 1,000 commits slower on PostgreSQL).
      const rows = [];
      for (let i = 0; i < 1000; i++) {
        const id = newId();
        const t = new Date().toISOString();
        rows.push({
          id, conversation_id: c.id, parent_id: parent, role: (i % 2 ? 'assistant' : 'user') as 'assistant' | 'user', content: `m${i}`,
          status: 'complete' as const, model: null, sampling: null, tool_calls: null, tool_call_id: null, moderation: null,
          finish_reason: null, error: null, usage: null, heartbeat_at: null, created_at: t, updated_at: t,
        });
        ids.push(id);
        parent = id;
      }
      for (let i = 0; i < rows.length; i += 100) await store.database.db.insertInto('messages').values(rows.slice(i, i + 100)).execute();
      // A sibling branch off message 997 (an edit).
      const branch = await store.messages.insert({ conversationId: c.id, parentId: ids[997], role: 'assistant', content: 'alt', status: 'complete' });
      const page1 = await store.messages.list(c.id, { limit: 600 });
      const page2 = await store.messages.list(c.id, { limit: 600, cursor: page1.nextCursor });
      assert.equal(page1.items.length, 600);
      assert.equal(page2.items.length, 401);
      assert.equal(page2.nextCursor, null);
      assert.deepEqual([...page1.items, ...page2.items].map((m) => m.id), [...ids, branch.id]);

      const path = await store.messages.path(c.id, branch.id);
      assert.equal(path.length, 999);
      assert.equal(path[0].content, 'm0');
      assert.equal(path.at(-2)!.content, 'm997');
      assert.equal(path.at(-1)!.content, 'alt');
      assert.deepEqual(await store.messages.path('another-conversation', branch.id), []);

      if (backend.name === 'sqlite') {
        const plan = await sql<{ detail: string }>`explain query plan select * from messages where conversation_id = ${c.id} and id > '0' order by id limit 501`.execute(store.database.db);
        assert.match(plan.rows.map((r) => r.detail).join('\n'), /USING INDEX messages_conversation/);
        const plan2 = await sql<{ detail: string }>`explain query plan select * from conversations where user_id = 'u' and archived = 0 order by updated_at desc, id desc limit 51`.execute(store.database.db);
        assert.match(plan2.rows.map((r) => r.detail).join('\n'), /USING INDEX conversations_list/);
        assert.doesNotMatch(plan2.rows.map((r) => r.detail).join('\n'), /TEMP B-TREE/);
      }
      const other = (await store.users.passwordHashOf('bob'))!.user;
      assert.equal(await store.messages.getOwned(other.id, ids[0]), null);
      assert.equal((await store.messages.getOwned(alice.id, ids[0]))?.content, 'm0');
    });

    it('numbers generation events and recovers pending messages after a crash', async () => {
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const c = await store.conversations.create(alice.id, 'gen');
      const u = await store.messages.insert({ conversationId: c.id, parentId: null, role: 'user', content: 'hi', status: 'complete' });
      const a = await store.messages.insert({ conversationId: c.id, parentId: u.id, role: 'assistant', content: '', status: 'pending', model: 'm' });
      await store.messages.appendEvents(a.id, [
        { seq: 1, kind: 'delta', text: 'Hel', data: null },
        { seq: 2, kind: 'delta', text: 'lo', data: null },
        { seq: 3, kind: 'delta', text: ' there', data: null },
      ]);
      assert.deepEqual((await store.messages.eventsAfter(a.id, 1)).map((e) => e.text), ['lo', ' there']);
      assert.equal(await store.messages.lastEventSeq(a.id), 3);
      await assert.rejects(store.messages.appendEvents(a.id, [{ seq: 3, kind: 'delta', text: 'dup', data: null }]));

      // Replica mode: a reply whose heartbeat is fresh belongs to a live replica and is left alone.
      await store.messages.heartbeat([a.id]);
      assert.deepEqual(await store.messages.recoverInterrupted({ staleBefore: new Date(Date.now() - 30_000).toISOString() }), []);
      assert.equal((await store.messages.get(a.id))?.status, 'pending');
      const recovered = await store.messages.recoverInterrupted();
      assert.ok(recovered.includes(a.id));
      const after = await store.messages.get(a.id);
      assert.equal(after?.status, 'interrupted');
      assert.equal(after?.content, 'Hello there');
      const last = (await store.messages.eventsAfter(a.id, 3))[0];
      assert.equal(last.kind, 'interrupted');
      assert.equal(last.seq, 4);
    });

    it('exports SFT, rankings and pairs datasets in the DESIGN formats', async () => {
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const c = await store.conversations.create(alice.id, 'data');
      const u = await store.messages.insert({ conversationId: c.id, parentId: null, role: 'user', content: 'What is 2+2?', status: 'complete' });
      const sampling = { maxTokens: 10, temperature: 0.7, topP: 1, topK: 0, presencePenalty: 0, frequencyPenalty: 0, repetitionPenalty: 1, stop: [], logprobs: false, topLogprobs: 0 };
      const good = await store.messages.insert({ conversationId: c.id, parentId: u.id, role: 'assistant', content: '4', status: 'complete', model: 'm1', sampling });
      const bad = await store.messages.insert({ conversationId: c.id, parentId: u.id, role: 'assistant', content: '5', status: 'complete', model: 'm1', sampling });
      const fb = await store.feedback.upsert(alice.id, good, { thumb: 'up', category: null, comment: null });
      assert.equal(fb.model, 'm1');
      assert.deepEqual(fb.sampling, sampling);
      await store.feedback.upsert(alice.id, bad, { thumb: 'up', category: null, comment: null });
      await store.feedback.upsert(alice.id, bad, { thumb: 'down', category: 'wrong', comment: 'bad math' });
      assert.equal((await store.feedback.forMessage(alice.id, bad.id))?.comment, 'bad math');

      await store.demonstrations.create(alice.id, { prompt: [{ role: 'user', content: 'Say hi' }], response: 'Hi!', conversationId: null });
      const r = await store.rankings.create(alice.id, { prompt: [{ role: 'user', content: 'Pick' }], completions: ['a', 'b', 'c'], model: 'm1', sampling });
      await store.rankings.create(alice.id, { prompt: [{ role: 'user', content: 'junk' }], completions: ['x', 'y'], model: 'm1', sampling });
      const bob = (await store.users.passwordHashOf('bob'))!.user;
      assert.equal(await store.rankings.rank(bob.id, r.id, [0, 1, 2], false), null);
      await store.rankings.rank(alice.id, r.id, [2, 0, 1], false);

      const collect = async (k: 'sft' | 'rankings' | 'pairs') => {
        const out = [];
        for await (const row of exportDataset(store, k)) out.push(row);
        return out;
      };
      const sft = await collect('sft');
      assert.deepEqual(sft.map((x) => x.messages), [
        [{ role: 'user', content: 'Say hi' }, { role: 'assistant', content: 'Hi!' }],
        [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '4' }],
      ]);
      const ranks = await collect('rankings');
      assert.deepEqual(ranks.map((x) => [x.completions, x.ranking]), [[['a', 'b', 'c'], [2, 0, 1]]]);
      const pairs = await collect('pairs');
      const simple = pairs.map((p) => [(p.chosen as any)[0].content, (p.rejected as any)[0].content]);
      assert.deepEqual(simple, [['c', 'a'], ['c', 'b'], ['a', 'b'], ['4', '5']]);
      assert.deepEqual(pairs[3].prompt, [{ role: 'user', content: 'What is 2+2?' }]);
    });

    it('records model versions and serves exactly one', async () => {
      await store.modelVersions.record({ id: 'sft-1', path: 'runs/sft-1', parentId: null, stage: 'sft', metrics: { loss: 1.5 } });
      await new Promise((r) => setTimeout(r, 2)); // versions are ordered by creation time
      await store.modelVersions.record({ id: 'ppo-1', path: 'runs/ppo-1', parentId: 'sft-1', stage: 'ppo', metrics: null });
      assert.equal(await store.modelVersions.setServing('nope'), false);
      await store.modelVersions.setServing('sft-1');
      await store.modelVersions.setServing('ppo-1');
      const all = (await store.modelVersions.list()).items;
      assert.deepEqual(all.map((v) => [v.id, v.serving]), [['sft-1', false], ['ppo-1', true]]);
      assert.deepEqual(all[0].metrics, { loss: 1.5 });
    });

    it('files moderation reports and lets a reviewer settle them', async () => {
      const bob = (await store.users.passwordHashOf('bob'))!.user;
      const alice = (await store.users.passwordHashOf('alice'))!.user;
      const rep = await store.moderationReports.create(bob.id, { messageId: null, text: 'how to bake bread', scores: { violence: 0.8 }, kind: 'false_positive', categories: ['violence'], note: null });
      assert.deepEqual(rep.categories, ['violence']);
      assert.equal((await store.moderationReports.list(alice.id)).items.length, 0);
      assert.equal((await store.moderationReports.list(null, { status: 'pending' })).items[0].id, rep.id);
      const done = await store.moderationReports.review(rep.id, alice.id, { status: 'confirmed', note: 'agreed' });
      assert.equal(done?.status, 'confirmed');
      assert.deepEqual(done?.categories, ['violence'], 'a review without categories keeps them');
      assert.equal(done?.note, 'agreed');
      assert.equal((await store.moderationReports.list(null, { status: 'pending' })).items.length, 0);
      assert.equal(await store.moderationReports.review('nope', alice.id, { status: 'rejected' }), null);

      const missed = await store.moderationReports.create(bob.id, { messageId: null, text: 'a veiled threat', scores: null, kind: 'false_negative', note: null });
      assert.deepEqual(missed.categories, []);
      const fixed = await store.moderationReports.review(missed.id, alice.id, { categories: ['harassment/threatening', 'harassment/threatening'] });
      assert.deepEqual([fixed?.status, fixed?.categories, fixed?.note], ['pending', ['harassment/threatening'], null]);
      assert.deepEqual((await store.moderationReports.get(missed.id))?.categories, ['harassment/threatening']);
      const rows = async () => {
        const out = [];
        for await (const row of exportDataset(store, 'moderation-reports')) out.push(row);
        return out;
      };
      assert.deepEqual(await rows(), [{ text: 'how to bake bread', kind: 'false_positive', categories: ['violence'], status: 'confirmed' }], 'pending reports are not exported');
      await store.moderationReports.review(missed.id, alice.id, { status: 'confirmed' });
      assert.deepEqual((await rows()).map((r) => [r.kind, r.categories]), [['false_positive', ['violence']], ['false_negative', ['harassment/threatening']]]);
      await store.moderationReports.review(rep.id, alice.id, { status: 'rejected' });
      assert.equal((await rows()).length, 1, 'a report rejected after all leaves the export');
    });
  });
}
