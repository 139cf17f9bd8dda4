// Two replicas sharing one database and one Redis: a reply generated on one is followed and stopped
// from the other, and rate counters add up across both. Runs a private redis-server on a free port;
// skipped (with a message) when none is installed and PARLEY_TEST_REDIS_URL is unset.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { testBackends } from '../store/test-backends.ts';
import type { Store } from '../store/store.ts';
import { RedisBus } from './generation/redis-bus.ts';
import { RedisCounterStore } from './redis-counters.ts';
import { AppClient, ScriptedProvider, startTestServer, type TestServer } from './test-support.ts';

const haveServer = spawnSync('redis-server', ['--version']).status === 0;
const url = process.env.PARLEY_TEST_REDIS_URL;
if (!url && !haveServer) console.log('# Redis tests SKIPPED: no redis-server on PATH and PARLEY_TEST_REDIS_URL is unset');

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('replicas over Redis', { skip: !url && !haveServer }, () => {
  let redis: ChildProcess | null = null;
  let redisUrl = url ?? '';
  let store: Store;
  let a: TestServer;
  let b: TestServer;
  const counters: RedisCounterStore[] = [];
  const provider = new ScriptedProvider('slow', 15, 40);

  before(async () => {
    if (!url) {
      const port = await freePort();
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      redisUrl = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 50));
    }
    store = await testBackends()[0].open();
    const replica = async () => {
      const c = await RedisCounterStore.connect(redisUrl);
      counters.push(c);
      return startTestServer(testBackends()[0], { store, providers: [provider], bus: await RedisBus.connect(redisUrl), counters: c });
    };
    a = await replica();
    b = await replica();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    for (const c of counters) await c.close();
    await store?.close();
    redis?.kill();
  });

  it('follows a reply running on another replica and stops it from there', async () => {
    const onA = await AppClient.signUp(a.url, 'rita');
    const onB = Object.assign(new AppClient(b.url), { cookie: onA.cookie, csrf: onA.csrf }); // the same browser, routed to B
    const conv = (await onA.call('POST', '/api/conversations', { model: 'slow' })).json;
    const sent = (await onA.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'far away' })).json;
    const id = sent.assistantMessage.id;
    assert.ok(a.ctx.generations.isRunning(id) && !b.ctx.generations.isRunning(id));
    const followed = await onB.stream(`/api/messages/${id}/stream`);
    const m = (await onB.call('GET', `/api/messages/${id}`)).json;
    assert.equal(m.status, 'complete');
    assert.equal(followed.events.filter((e) => e.event === 'delta').map((e) => e.data.text).join(''), m.content);
    assert.deepEqual(followed.events.map((e) => Number(e.id)), followed.events.map((_, i) => i + 1));

    const again = (await onA.call('POST', `/api/messages/${id}/regenerate`)).json;
    await onB.stream(`/api/messages/${again.assistantMessage.id}/stream`, {}, 3);
    assert.equal((await onB.call('POST', `/api/messages/${again.assistantMessage.id}/stop`)).json.stopping, true);
    const tail = await onB.stream(`/api/messages/${again.assistantMessage.id}/stream?after=3`);
    assert.equal(tail.events.at(-1)!.event, 'stopped');
    assert.equal((await onA.call('GET', `/api/messages/${again.assistantMessage.id}`)).json.status, 'stopped');
  });

  it('limits concurrent replies per user across replicas', async () => {
    const onA = await AppClient.signUp(a.url, 'cora');
    const onB = Object.assign(new AppClient(b.url), { cookie: onA.cookie, csrf: onA.csrf });
    const conv = (await onA.call('POST', '/api/conversations', { model: 'slow' })).json;
    const started: string[] = [];
    for (const [i, c] of [onA, onB, onA, onB].entries()) {
      const r = await c.call('POST', `/api/conversations/${conv.id}/messages`, { content: `n${i}`, parentId: null });
      assert.equal(r.status, 201);
      started.push(r.json.assistantMessage.id);
    }
    // Each replica runs only 2, under the limit of 4 on its own; together they are at the limit.
    const refused = await onB.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'fifth', parentId: null });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'concurrency_limit_exceeded');
    for (const id of started) await onA.call('POST', `/api/messages/${id}/stop`);
    const idle = () => started.every((id) => !a.ctx.generations.isRunning(id) && !b.ctx.generations.isRunning(id));
    for (let i = 0; i < 200 && !idle(); i++) await new Promise((r) => setTimeout(r, 10));
    const after = await onB.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'again', parentId: null });
    assert.equal(after.status, 201);
    await onB.call('POST', `/api/messages/${after.json.assistantMessage.id}/stop`);
  });

  it('shared slots are all-or-none, freed on release, and lapse when their lease is not renewed', async () => {
    const slots = counters[0].slots;
    const k = [`slots:test-${Date.now()}`];
    assert.equal(await slots.take(k, 2, 3, 'L1', 60_000), true);
    assert.equal(await slots.take(k, 2, 3, 'L2', 60_000), false, 'all or none');
    assert.equal(await counters[1].slots.take(k, 1, 3, 'L3', 150), true);
    await slots.free(k, 'L1', 2);
    assert.equal(await slots.take(k, 2, 3, 'L4', 60_000), true);
    assert.equal(await slots.take(k, 1, 3, 'L5', 60_000), false);
    await new Promise((r) => setTimeout(r, 250)); // L3 (a "dead replica") was never renewed
    assert.equal(await slots.take(k, 1, 3, 'L5', 60_000), true);
    await slots.renew(k, 'L4', 2, 60_000);
    assert.equal(await slots.take(k, 1, 3, 'L6', 60_000), false);
  });

  it('adds rate counters up across replicas', async () => {
    const key = `test-${Date.now()}`;
    assert.equal(await counters[0].add(key, 2, 60_000), 2);
    assert.equal(await counters[1].add(key, 3, 60_000), 5);
    assert.equal(await counters[0].get(key, 60_000), 5);
  });
});
