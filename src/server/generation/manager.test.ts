// The generation manager on its own: events are stored before they are published, followers resume
// from any event, and shutting down marks running replies interrupted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../../store/test-backends.ts';
import type { Store } from '../../store/store.ts';
import { Metrics } from '../metrics.ts';
import { InProcessBus } from './bus.ts';
import { GenerationManager } from './manager.ts';
import { ScriptedProvider } from '../test-support.ts';
import type { SamplingOptions } from '../../providers/types.ts';

const sampling: SamplingOptions = {
  maxTokens: 100, temperature: 0, topP: 1, topK: 0, presencePenalty: 0, frequencyPenalty: 0, repetitionPenalty: 1, stop: [], logprobs: false, topLogprobs: 0,
};

describe('generation manager', () => {
  let store: Store;
  let conversationId: string;
  before(async () => {
    store = await testBackends()[0].open();
    const u = (await store.users.create('gm', 'h'))!;
    conversationId = (await store.conversations.create(u.id, 't')).id;
  });
  after(() => store.close());

  async function pending() {
    const u = await store.messages.insert({ conversationId, parentId: null, role: 'user', content: 'a b c', status: 'complete' });
    return store.messages.insert({ conversationId, parentId: u.id, role: 'assistant', content: '', status: 'pending' });
  }

  it('writes each event before publishing it, and followers see the same sequence from any point', async () => {
    const bus = new InProcessBus();
    const m = new GenerationManager(store.messages, bus, new Metrics(false));
    const a = await pending();
    const seenStored: boolean[] = [];
    bus.subscribe(a.id, (e) => {
      void store.messages.eventsAfter(a.id, e.seq - 1).then((rows) => seenStored.push(rows[0]?.seq === e.seq));
    });
    const provider = new ScriptedProvider('p', 5, 5);
    const followAll = (async () => {
      const out = [];
      for await (const e of m.follow(a.id, 0, new AbortController().signal)) out.push(e);
      return out;
    })();
    await m.start({ messageId: a.id, modelId: 'p', provider, prompt: [{ role: 'user', content: 'a b c' }], sampling, lastSeq: 0, baseContent: '' });
    const all = await followAll;
    assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => i + 1));
    assert.equal(all.at(-1)!.kind, 'done');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(seenStored.length === all.length && seenStored.every(Boolean));
    const late = [];
    for await (const e of m.follow(a.id, 4, new AbortController().signal)) late.push(e.seq);
    assert.deepEqual(late, all.slice(4).map((e) => e.seq));
    assert.equal((await store.messages.get(a.id))!.content, 'Echo: a b c w0 w1 w2 w3 w4');
    await bus.close();
  });

  it('marks running replies interrupted on shutdown, keeping their text', async () => {
    const bus = new InProcessBus();
    const m = new GenerationManager(store.messages, bus, new Metrics(false));
    const a = await pending();
    const provider = new ScriptedProvider('p', 10, 100);
    const done = m.start({ messageId: a.id, modelId: 'p', provider, prompt: [{ role: 'user', content: 'a b c' }], sampling, lastSeq: 0, baseContent: '' });
    await new Promise((r) => setTimeout(r, 60));
    await m.shutdown();
    await done;
    const msg = (await store.messages.get(a.id))!;
    assert.equal(msg.status, 'interrupted');
    assert.ok(msg.content.startsWith('Echo: a'));
    const events = await store.messages.eventsAfter(a.id, 0);
    assert.equal(events.filter((e) => e.kind === 'delta').map((e) => e.text).join(''), msg.content);
    assert.equal(events.at(-1)!.kind, 'interrupted');
    assert.equal(provider.aborts, 1);
  });

  it('stops a reply the content filter blocks, with finish reason content_filter', async () => {
    const { emptyResult } = await import('../../moderation/taxonomy.ts');
    const moderator = {
      model: 'test',
      async moderate(texts: string[]) {
        return texts.map((t) => {
          const r = emptyResult();
          r.flagged = t.includes('w3');
          r.category_scores.violence = r.flagged ? 1 : 0;
          return r;
        });
      },
      decide: (r: { flagged: boolean }) => (r.flagged ? ('block' as const) : ('allow' as const)),
    };
    const m = new GenerationManager(store.messages, new InProcessBus(), new Metrics(false), moderator);
    const a = await pending();
    await m.start({ messageId: a.id, modelId: 'p', provider: new ScriptedProvider('p', 0, 6), prompt: [{ role: 'user', content: 'a b c' }], sampling, lastSeq: 0, baseContent: '' });
    const msg = (await store.messages.get(a.id))!;
    assert.equal(msg.finishReason, 'content_filter');
    assert.equal((msg.moderation as { flagged: boolean }).flagged, true);
    const last = (await store.messages.eventsAfter(a.id, 0)).at(-1)!;
    assert.deepEqual([last.kind, last.data?.finishReason], ['done', 'content_filter']);
  });

  it('keeps the heartbeat of running replies fresh', async () => {
    const m = new GenerationManager(store.messages, new InProcessBus(), new Metrics(false), null, undefined, 20);
    const a = await pending();
    await store.database.db.updateTable('messages').set({ heartbeat_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', a.id).execute();
    const done = m.start({ messageId: a.id, modelId: 'p', provider: new ScriptedProvider('p', 20, 10), prompt: [{ role: 'user', content: 'x' }], sampling, lastSeq: 0, baseContent: '' });
    await new Promise((r) => setTimeout(r, 100));
    const row = await store.database.db.selectFrom('messages').select('heartbeat_at').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.ok(row.heartbeat_at! > new Date(Date.now() - 1000).toISOString(), 'heartbeat written while running');
    assert.deepEqual(await store.messages.recoverInterrupted({ staleBefore: new Date(Date.now() - 30_000).toISOString() }), [], 'a live reply is not recovered');
    await done;
    await m.shutdown();
  });

  it('records provider failures as an error on the message', async () => {
    const m = new GenerationManager(store.messages, new InProcessBus(), new Metrics(false));
    const a = await pending();
    const failing = new ScriptedProvider('bad');
    failing.chat = () => ({
      async *[Symbol.asyncIterator]() {
        yield { type: 'delta' as const, text: 'par' };
        throw new Error('engine fell over');
      },
    });
    await m.start({ messageId: a.id, modelId: 'bad', provider: failing, prompt: [], sampling, lastSeq: 0, baseContent: '' });
    const msg = (await store.messages.get(a.id))!;
    assert.deepEqual([msg.status, msg.content, msg.error], ['error', 'par', 'engine fell over']);
  });
});
