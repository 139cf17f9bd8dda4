// The web app's /api routes against a running server, on every database backend.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../store/test-backends.ts';
import { AppClient, KeywordModerator, ScriptedProvider, startTestServer, type TestServer } from './test-support.ts';

async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const backend of testBackends()) {
  describe(`/api on ${backend.name}`, () => {
    let s: TestServer;
    let admin: AppClient & { user: { id: string; role: string } };
    let user: AppClient & { user: { id: string; role: string } };
    const slow = new ScriptedProvider('slow', 15, 30);
    const calc = Object.assign(new ScriptedProvider('calc'), { toolCall: 'executed' as const });
    before(async () => {
      s = await startTestServer(backend, { providers: [new ScriptedProvider('scripted'), slow, calc], moderator: new KeywordModerator() });
      admin = await AppClient.signUp(s.url, 'ada');
      user = await AppClient.signUp(s.url, 'bo');
    });
    after(() => s.stop());

    it('signs up (first account admin), keeps the session in an HTTP-only cookie and checks CSRF', async () => {
      assert.equal(admin.user.role, 'admin');
      assert.equal(user.user.role, 'user');
      const c = new AppClient(s.url);
      const r = await c.call('POST', '/api/auth/signup', { username: 'cy', password: 'long enough pw' });
      assert.match(r.setCookie[0], /HttpOnly/i);
      assert.match(r.setCookie[0], /SameSite=Lax/i);
      assert.equal((await c.call('POST', '/api/auth/signup', { username: 'cy', password: 'long enough pw' })).status, 409);
      assert.equal((await c.call('POST', '/api/auth/signup', { username: 'dee', password: 'short' })).json.error.param, 'password');
      const me = await c.call('GET', '/api/auth/me');
      assert.equal(me.json.user.username, 'cy');
      const noCsrf = await c.call('POST', '/api/conversations', {}, { 'x-csrf-token': '' });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json.error.code, 'csrf_failed');
      assert.equal((await c.call('POST', '/api/conversations', {})).status, 201);
      await c.call('POST', '/api/auth/signout');
      assert.equal((await c.call('GET', '/api/auth/me')).status, 401);
      const bad = new AppClient(s.url);
      assert.equal((await bad.call('POST', '/api/auth/signin', { username: 'cy', password: 'wrong password' })).status, 401);
      assert.equal((await bad.call('POST', '/api/auth/signin', { username: 'nobody', password: 'wrong password' })).status, 401);
      assert.equal((await bad.call('POST', '/api/auth/signin', { username: 'cy', password: 'long enough pw' })).status, 200);
      assert.equal((await bad.call('GET', '/api/auth/me')).json.user.username, 'cy');
    });

    it('lets only admins change roles', async () => {
      assert.equal((await user.call('PATCH', `/api/admin/users/${user.user.id}`, { role: 'admin' })).status, 403);
      const r = await admin.call('PATCH', `/api/admin/users/${user.user.id}`, { role: 'trainer' });
      assert.equal(r.json.role, 'trainer');
      await admin.call('PATCH', `/api/admin/users/${user.user.id}`, { role: 'user' });
      assert.equal((await admin.call('GET', '/api/admin/users?limit=2')).json.items.length, 2);
    });

    it('sends a message, stores the reply as pending first, and streams it to the end', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const sent = await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'hello there', sampling: { temperature: 0.3, max_tokens: 50 } });
      assert.equal(sent.status, 201);
      assert.equal(sent.json.userMessage.parentId, null);
      assert.equal(sent.json.assistantMessage.parentId, sent.json.userMessage.id);
      const { res, events } = await user.stream(`/api/messages/${sent.json.assistantMessage.id}/stream`);
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(events.map((e) => e.data.text).join(''), 'Echo: hello there');
      assert.deepEqual(events.map((e) => Number(e.id)), events.map((_, i) => i + 1));
      assert.equal(events.at(-1)!.event, 'done');
      const m = (await user.call('GET', `/api/messages/${sent.json.assistantMessage.id}`)).json;
      assert.equal(m.status, 'complete');
      assert.equal(m.content, 'Echo: hello there');
      assert.equal(m.sampling.temperature, 0.3);
      assert.equal(m.model, 'scripted');
      const c = (await user.call('GET', `/api/conversations/${conv.id}`)).json;
      assert.equal(c.title, 'hello there');
      assert.equal(c.currentLeafId, m.id);
    });

    it('keeps generating when the client leaves, and a client resumes from the last event it saw', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'slow' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'resume me' })).json;
      const id = sent.assistantMessage.id;
      const first = await user.stream(`/api/messages/${id}/stream`, {}, 3); // then the tab closes
      const lastSeen = Number(first.events.at(-1)!.id);
      assert.equal(lastSeen, 3);
      const rest = await user.stream(`/api/messages/${id}/stream?after=${lastSeen}`);
      assert.equal(Number(rest.events[0].id), 4);
      const text = [...first.events, ...rest.events].map((e) => e.data.text).join('');
      const final = (await user.call('GET', `/api/messages/${id}`)).json;
      assert.equal(final.status, 'complete');
      assert.equal(text, final.content);
      assert.ok(final.content.endsWith(' w29'));
      const viaHeader = await user.stream(`/api/messages/${id}/stream`, { 'last-event-id': String(final.content.split(' ').length - 1) });
      assert.ok(viaHeader.events.length >= 1 && viaHeader.events.length < 5);
    });

    it('stops on request; a stopped or interrupted reply can be continued', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'slow' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'stop me' })).json;
      const id = sent.assistantMessage.id;
      await user.stream(`/api/messages/${id}/stream`, {}, 2);
      assert.equal((await user.call('POST', `/api/messages/${id}/stop`)).json.stopping, true);
      const stopped = await waitFor(() => user.call('GET', `/api/messages/${id}`), (r) => r.json.status !== 'pending');
      assert.equal(stopped.json.status, 'stopped');
      const partial = stopped.json.content as string;
      assert.ok(partial.length > 0 && !partial.endsWith('w29'));
      const all = await user.stream(`/api/messages/${id}/stream`);
      assert.equal(all.events.at(-1)!.event, 'stopped');

      const cont = await user.call('POST', `/api/messages/${id}/continue`);
      assert.equal(cont.status, 200);
      const more = await user.stream(`/api/messages/${id}/stream?after=${cont.json.after}`);
      assert.equal(more.events.at(-1)!.event, 'done');
      const done = (await user.call('GET', `/api/messages/${id}`)).json;
      assert.equal(done.status, 'complete');
      assert.equal(done.content, partial + more.events.map((e) => e.data.text).join(''));
      assert.ok(done.content.startsWith('Echo: stop me w0') && done.content.endsWith(' w29'));
    });

    it('survives deleting a conversation while its reply is being generated', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'slow' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'doomed' })).json;
      await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`, {}, 2);
      assert.equal((await user.call('DELETE', `/api/conversations/${conv.id}`)).status, 204);
      await waitFor(async () => s.ctx.generations.isRunning(sent.assistantMessage.id), (running) => !running);
      assert.equal(s.ctx.generations.isRunning(sent.assistantMessage.id), false);
      assert.equal((await user.call('GET', `/api/messages/${sent.assistantMessage.id}`)).status, 404);
      assert.equal((await fetch(`${s.url}/health`)).status, 200);
    });

    it('limits concurrent replies per user', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'slow' })).json;
      const started: string[] = [];
      let refused: Awaited<ReturnType<AppClient['call']>> | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: `n${i}`, parentId: null });
        if (r.status === 201) started.push(r.json.assistantMessage.id);
        else refused = r;
      }
      assert.equal(started.length, 4, 'PARLEY_MAX_CONCURRENT_PER_USER defaults to 4');
      assert.equal(refused?.status, 429);
      assert.equal(refused?.json.error.code, 'concurrency_limit_exceeded');
      for (const id of started) await user.call('POST', `/api/messages/${id}/stop`);
      await waitFor(async () => started.some((id) => s.ctx.generations.isRunning(id)), (any) => !any);
      assert.equal((await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'again', parentId: null })).status, 201);
    });

    it('stores a calculator call the provider ran, with its result, and replays it in the next prompt', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'calc' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'two plus three' })).json;
      const { events } = await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      const call = events.find((e) => e.event === 'tool_call')!;
      assert.deepEqual(call.data.executed, { result: '5', offset: 'Echo:'.length });
      const m = (await user.call('GET', `/api/messages/${sent.assistantMessage.id}`)).json;
      assert.deepEqual([m.status, m.finishReason, m.content], ['complete', 'stop', 'Echo: two plus three']);
      assert.deepEqual(m.toolCalls.map((c: any) => [c.function.name, c.executed]), [['calculator', { result: '5', offset: 5 }]]);
      const second = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'and again' })).json;
      await user.stream(`/api/messages/${second.assistantMessage.id}/stream`);
      assert.deepEqual(calc.prompts.at(-1)!.map((x) => [x.role, x.content]), [
        ['user', 'two plus three'], ['assistant', 'Echo:'], ['tool', '5'], ['assistant', ' two plus three'], ['user', 'and again'],
      ]);
    });

    it('continues a reply left pending by a killed server after recovery', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const u = await s.store.messages.insert({ conversationId: conv.id, parentId: null, role: 'user', content: 'a b c', status: 'complete' });
      const a = await s.store.messages.insert({ conversationId: conv.id, parentId: u.id, role: 'assistant', content: '', status: 'pending', model: 'scripted' });
      await s.store.messages.appendEvents(a.id, [{ seq: 1, kind: 'delta', text: 'Echo:', data: null }, { seq: 2, kind: 'delta', text: ' a', data: null }]);
      await s.store.messages.recoverInterrupted();
      const m = (await user.call('GET', `/api/messages/${a.id}`)).json;
      assert.deepEqual([m.status, m.content], ['interrupted', 'Echo: a']);
      await user.call('POST', `/api/messages/${a.id}/continue`);
      await user.stream(`/api/messages/${a.id}/stream?after=3`);
      assert.equal((await user.call('GET', `/api/messages/${a.id}`)).json.content, 'Echo: a b c');
    });

    it('branches: edit makes a new user message beside the old one, regenerate a sibling reply', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const one = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'first' })).json;
      await user.stream(`/api/messages/${one.assistantMessage.id}/stream`);
      const two = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'second' })).json;
      assert.equal(two.userMessage.parentId, one.assistantMessage.id, 'a new message follows the current leaf');
      await user.stream(`/api/messages/${two.assistantMessage.id}/stream`);
      const edited = (await user.call('POST', `/api/messages/${two.userMessage.id}/edit`, { content: 'second, edited' })).json;
      assert.equal(edited.userMessage.parentId, one.assistantMessage.id);
      await user.stream(`/api/messages/${edited.assistantMessage.id}/stream`);
      const regen = (await user.call('POST', `/api/messages/${edited.assistantMessage.id}/regenerate`, { sampling: { seed: 3 } })).json;
      assert.equal(regen.assistantMessage.parentId, edited.userMessage.id);
      await user.stream(`/api/messages/${regen.assistantMessage.id}/stream`);
      const list = (await user.call('GET', `/api/conversations/${conv.id}/messages`)).json;
      assert.equal(list.items.length, 7);
      assert.equal((await user.call('GET', `/api/conversations/${conv.id}`)).json.currentLeafId, regen.assistantMessage.id);
      // The user flips back to the first branch: the leaf on screen is stored.
      const back = await user.call('PATCH', `/api/conversations/${conv.id}`, { currentLeafId: two.assistantMessage.id });
      assert.equal(back.json.currentLeafId, two.assistantMessage.id);
      assert.equal((await user.call('PATCH', `/api/conversations/${conv.id}`, { currentLeafId: 'nope' })).status, 400);
      assert.equal((await user.call('POST', `/api/messages/${two.userMessage.id}/regenerate`)).status, 400);
      const page = (await user.call('GET', `/api/conversations/${conv.id}/messages?limit=4`)).json;
      const page2 = (await user.call('GET', `/api/conversations/${conv.id}/messages?limit=4&cursor=${page.nextCursor}`)).json;
      assert.equal(page.items.length + page2.items.length, 7);
      assert.equal(page2.nextCursor, null);
    });

    it('stores feedback with the model and sampling of the reply', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'rate me', sampling: { temperature: 0.7, top_p: 0.9 } })).json;
      await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      const f = await user.call('PUT', `/api/messages/${sent.assistantMessage.id}/feedback`, { thumb: 'down', category: 'unhelpful', comment: 'meh' });
      assert.equal(f.status, 200);
      assert.equal(f.json.model, 'scripted');
      assert.equal(f.json.sampling.topP, 0.9);
      assert.equal((await user.call('PUT', `/api/messages/${sent.userMessage.id}/feedback`, { thumb: 'up' })).status, 400);
      assert.equal((await user.call('PUT', `/api/messages/${sent.assistantMessage.id}/feedback`, { thumb: 'sideways' })).json.error.param, 'thumb');
      assert.equal((await user.call('GET', `/api/messages/${sent.assistantMessage.id}/feedback`)).json.feedback.comment, 'meh');
    });

    it('filters blocked prompts and flags warned ones', async () => {
      const conv = (await user.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const blocked = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'something forbidden' })).json;
      const ev = await user.stream(`/api/messages/${blocked.assistantMessage.id}/stream`);
      assert.equal(ev.events.at(-1)!.data.finishReason, 'content_filter');
      const m = (await user.call('GET', `/api/messages/${blocked.assistantMessage.id}`)).json;
      assert.deepEqual([m.content, m.finishReason], ['', 'content_filter']);
      const warned = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'slightly iffy' })).json;
      assert.equal(warned.userMessage.moderation.flagged, true);
      await user.stream(`/api/messages/${warned.assistantMessage.id}/stream`);
      assert.equal((await user.call('GET', `/api/messages/${warned.assistantMessage.id}`)).json.status, 'complete');
    });

    it('lists conversations newest first, searches, renames, archives, exports, shares and deletes', async () => {
      const c = new AppClient(s.url);
      await c.call('POST', '/api/auth/signin', { username: 'cy', password: 'long enough pw' });
      const made = [];
      for (const t of ['alpha', 'beta', 'gamma']) made.push((await c.call('POST', '/api/conversations', { title: t })).json);
      const p1 = (await c.call('GET', '/api/conversations?limit=2')).json;
      assert.deepEqual(p1.items.map((x: any) => x.title), ['gamma', 'beta']);
      const p2 = (await c.call('GET', `/api/conversations?limit=2&cursor=${p1.nextCursor}`)).json;
      assert.equal(p2.items[0].title, 'alpha');
      assert.deepEqual((await c.call('GET', '/api/conversations?q=ETA')).json.items.map((x: any) => x.title), ['beta']);
      await c.call('PATCH', `/api/conversations/${made[0].id}`, { title: 'renamed', archived: true });
      assert.deepEqual((await c.call('GET', '/api/conversations?archived=true')).json.items.map((x: any) => x.title), ['renamed']);
      assert.equal((await c.call('PATCH', `/api/conversations/${made[0].id}`, { title: 5 })).status, 400);

      const conv = (await c.call('POST', '/api/conversations', { model: 'scripted' })).json;
      const sent = (await c.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'share this' })).json;
      await c.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      const ex = await c.call('GET', `/api/conversations/${conv.id}/export`);
      assert.match(ex.headers.get('content-disposition')!, /attachment/);
      assert.equal(ex.json.messages.length, 2);
      const share = (await c.call('POST', `/api/conversations/${conv.id}/share`)).json;
      const anon = new AppClient(s.url);
      const shared = await anon.call('GET', share.path);
      assert.deepEqual(shared.json.messages.map((m: any) => m.content), ['share this', 'Echo: share this']);
      assert.equal(shared.json.messages[0].userId, undefined);
      assert.equal((await anon.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'x' })).status, 401);
      await c.call('DELETE', `/api/conversations/${conv.id}/share`);
      assert.equal((await anon.call('GET', share.path)).status, 404);
      assert.equal((await c.call('DELETE', `/api/conversations/${conv.id}`)).status, 204);
      assert.equal((await c.call('GET', `/api/conversations/${conv.id}`)).status, 404);
    });

    it('samples K replies for ranking, records the order, and exports datasets', async () => {
      assert.equal((await user.call('POST', '/api/rankings', { messages: [{ role: 'user', content: 'x' }], k: 2 })).status, 403);
      const r = await admin.call('POST', '/api/rankings', { messages: [{ role: 'user', content: 'rank these' }], k: 3, model: 'scripted', sampling: { seed: 1 } });
      assert.equal(r.status, 201);
      assert.equal(r.json.completions.length, 3);
      assert.equal((await admin.call('PUT', `/api/rankings/${r.json.id}`, { ranking: [0, 0, 1] })).status, 400);
      assert.deepEqual((await admin.call('PUT', `/api/rankings/${r.json.id}`, { ranking: [2, 0, 1] })).json.ranking, [2, 0, 1]);
      const demo = await admin.call('POST', '/api/demonstrations', { prompt: [{ role: 'user', content: 'greet' }], response: 'Hello!' });
      assert.equal(demo.status, 201);
      const rows = async (kind: string) => {
        const res = await admin.call('GET', `/api/export/${kind}`);
        assert.match(res.headers.get('content-type')!, /ndjson/);
        return (res.json === null ? [] : String(typeof res.json === 'string' ? res.json : JSON.stringify(res.json) + '\n').trim().split('\n').map((l) => JSON.parse(l)));
      };
      const ranks = await rows('rankings');
      assert.deepEqual(ranks.map((x) => x.ranking), [[2, 0, 1]]);
      assert.equal((await rows('pairs')).filter((p) => p.meta.source === 'ranking').length, 3);
      assert.deepEqual((await rows('sft')).find((x) => x.meta.source === 'demonstration').messages.at(-1), { role: 'assistant', content: 'Hello!' });
      assert.equal((await user.call('GET', '/api/export/sft')).status, 403);
      await admin.call('PATCH', `/api/admin/users/${user.user.id}`, { role: 'trainer' });
      assert.equal((await user.call('GET', '/api/export/sft')).status, 403, 'exports are admin-only');
      await admin.call('PATCH', `/api/admin/users/${user.user.id}`, { role: 'user' });
      assert.equal((await admin.call('GET', '/api/export/nonsense')).status, 404);
    });

    it('takes reports of filter mistakes and lets admins review them', async () => {
      const rep = await user.call('POST', '/api/moderation/reports', { text: 'bread recipe', kind: 'false_positive' });
      assert.equal(rep.status, 201);
      assert.equal((await user.call('GET', '/api/moderation/reports?all=true')).status, 403);
      assert.equal((await user.call('PATCH', `/api/moderation/reports/${rep.json.id}`, { status: 'confirmed' })).status, 403);
      const pending = (await admin.call('GET', '/api/moderation/reports?all=true&status=pending')).json.items;
      assert.ok(pending.some((r: any) => r.id === rep.json.id));
      assert.equal((await admin.call('PATCH', `/api/moderation/reports/${rep.json.id}`, { status: 'confirmed' })).json.status, 'confirmed');
      assert.equal((await user.call('GET', '/api/moderation/reports')).json.items[0].status, 'confirmed');
    });

    it('creates API keys: then /v1 needs one, and a key works on /api without CSRF', async () => {
      const before = await fetch(`${s.url}/v1/models`);
      assert.equal(before.status, 200);
      const k = await user.call('POST', '/api/keys', { name: 'script' });
      assert.equal(k.status, 201);
      assert.match(k.json.key, /^pk-/);
      assert.equal((await fetch(`${s.url}/v1/models`)).status, 401);
      const ok = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${k.json.key}` } });
      assert.equal(ok.status, 200);
      const viaKey = await fetch(`${s.url}/api/conversations`, { method: 'POST', headers: { authorization: `Bearer ${k.json.key}`, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(viaKey.status, 201);
      assert.equal((await user.call('GET', '/api/keys')).json.items.length, 1);
      assert.equal((await user.call('DELETE', `/api/keys/${k.json.id}`)).status, 204);
      assert.equal((await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${k.json.key}` } })).status, 200, 'no keys left: loopback is open again');
      assert.equal((await fetch(`${s.url}/api/auth/me`, { headers: { authorization: `Bearer ${k.json.key}` } })).status, 401);
    });
  });
}

describe('/api with no model installed', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(testBackends()[0], { providers: [] });
  });
  after(() => s.stop());

  it('says plainly that no model is installed and how to make one', async () => {
    const c = await AppClient.signUp(s.url, 'solo');
    const conv = (await c.call('POST', '/api/conversations', {})).json;
    const r = await c.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'hi' });
    assert.equal(r.status, 503);
    assert.match(r.json.error.message, /parley pipeline/);
    assert.equal((await c.call('GET', `/api/conversations/${conv.id}/messages`)).json.items.length, 0, 'a refused send leaves nothing behind');
  });
});

describe('/api with sign-up closed', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(testBackends()[0], { config: { allowSignup: false } });
  });
  after(() => s.stop());

  it('still lets the first account (the admin) be made, and nobody after it', async () => {
    const first = await AppClient.signUp(s.url, 'owner');
    assert.equal(first.user.role, 'admin');
    const r = await new AppClient(s.url).call('POST', '/api/auth/signup', { username: 'late', password: 'long enough pw' });
    assert.deepEqual([r.status, r.json.error.code], [403, 'signup_closed']);
  });
});

describe('/api rate limits', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(testBackends()[0], { config: { requestsPerMinute: 4 } });
  });
  after(() => s.stop());

  it('limits each signed-in user per minute, and sign-in attempts per address', async () => {
    const a = await AppClient.signUp(s.url, 'rate-a');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await a.call('GET', '/api/conversations')).status);
    assert.deepEqual(codes, [200, 200, 200, 200, 429]);
    const r = await a.call('GET', '/api/conversations');
    assert.equal(r.json.error.code, 'rate_limit_exceeded');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    const guesser = new AppClient(s.url);
    const tries = [];
    for (let i = 0; i < 4; i++) tries.push((await guesser.call('POST', '/api/auth/signin', { username: 'rate-a', password: `guess ${i}` })).status);
    assert.deepEqual(tries, [401, 401, 401, 429], 'sign-up and sign-ins share the per-address budget');
  });
});
