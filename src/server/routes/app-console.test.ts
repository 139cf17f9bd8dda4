// The trainer console routes over both database backends: counts per day across users, a rank source
// from another user's conversation, a suggestion that stores nothing, and marking the serving version.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { testBackends } from '../../store/test-backends.ts';
import type { Store } from '../../store/store.ts';
import { ModelRegistry } from '../../providers/registry.ts';
import { buildApp, type ParleyApp } from '../app.ts';
import { defaultConfig } from '../config.ts';
import { AppClient, ScriptedProvider } from '../test-support.ts';

for (const backend of testBackends()) {
  describe(`trainer console routes on ${backend.name}`, () => {
    let store: Store;
    let built: ParleyApp;
    let url: string;
    let admin: AppClient;
    let trainer: AppClient;
    let user: AppClient;

    before(async () => {
      store = await backend.open();
      built = await buildApp({ store, models: ModelRegistry.withProviders([new ScriptedProvider('scripted')]), config: defaultConfig(), processMetrics: false });
      await built.app.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
      admin = await AppClient.signUp(url, 'root');
      trainer = await AppClient.signUp(url, 'tina');
      user = await AppClient.signUp(url, 'ursula');
      await admin.call('PATCH', `/api/admin/users/${(trainer as unknown as { user: { id: string } }).user.id}`, { role: 'trainer' });
    });
    after(async () => {
      await built.close();
      await store.close();
    });

    it('refuses plain users and has nothing to rank before anyone chatted', async () => {
      assert.equal((await user.call('GET', '/api/console/stats')).status, 403);
      assert.equal((await user.call('GET', '/api/console/rank-source')).status, 403);
      assert.equal((await user.call('POST', '/api/console/suggest', { messages: [{ role: 'user', content: 'hi' }] })).status, 403);
      const none = await trainer.call('GET', '/api/console/rank-source');
      assert.equal(none.status, 404);
      assert.match(none.json.error.message, /no finished model replies/);
    });

    it('takes a reply to rank from another user\'s conversation, with the branch before it', async () => {
      const conv = (await user.call('POST', '/api/conversations', {})).json;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'how tall is a giraffe' })).json;
      await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      await user.call('PUT', `/api/messages/${sent.assistantMessage.id}/feedback`, { thumb: 'down', category: 'untrue' });
      const r = await trainer.call('GET', '/api/console/rank-source');
      assert.equal(r.status, 200);
      assert.equal(r.json.messageId, sent.assistantMessage.id);
      assert.deepEqual(r.json.prompt, [{ role: 'user', content: 'how tall is a giraffe' }]);
      assert.equal(r.json.reply, 'Echo: how tall is a giraffe');
    });

    it('suggests one reply without storing a ranking', async () => {
      const r = await trainer.call('POST', '/api/console/suggest', { messages: [{ role: 'user', content: 'say hello' }], sampling: { max_tokens: 2 } });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { content: 'Echo: say', model: 'scripted', finishReason: 'length' });
      assert.equal((await trainer.call('GET', '/api/rankings')).json.items.length, 0);
      const bad = await trainer.call('POST', '/api/console/suggest', { messages: [] });
      assert.equal(bad.status, 400);
    });

    it('counts every user\'s training data per day', async () => {
      await trainer.call('POST', '/api/demonstrations', { prompt: [{ role: 'user', content: 'q' }], response: 'a' });
      const k = (await trainer.call('POST', '/api/rankings', { messages: [{ role: 'user', content: 'q' }], k: 2 })).json;
      await trainer.call('PUT', `/api/rankings/${k.id}`, { ranking: [1, 0] });
      const k2 = (await trainer.call('POST', '/api/rankings', { messages: [{ role: 'user', content: 'q' }], k: 2 })).json;
      await trainer.call('PUT', `/api/rankings/${k2.id}`, { ranking: null, unusable: true });
      await user.call('POST', '/api/moderation/reports', { kind: 'false_negative', text: 'missed this' });
      const r = await trainer.call('GET', '/api/console/stats?days=7');
      assert.equal(r.status, 200);
      const today = new Date().toISOString().slice(0, 10);
      assert.deepEqual(r.json.days, [{ day: today, demonstrations: 1, rankings: 1, unusable: 1, thumbsUp: 0, thumbsDown: 1, falsePositives: 0, falseNegatives: 1 }]);
      assert.equal((await trainer.call('GET', '/api/console/stats?days=0')).status, 400);
    });

    it('custom instructions start an empty conversation and reach the model as its system message', async () => {
      const conv = (await user.call('POST', '/api/conversations', {})).json;
      const r = await user.call('POST', `/api/conversations/${conv.id}/instructions`, { content: 'Answer like a pirate.' });
      assert.equal(r.status, 201);
      assert.equal(r.json.role, 'system');
      assert.equal((await user.call('GET', `/api/conversations/${conv.id}`)).json.currentLeafId, r.json.id);
      const provider = built.ctx.models as unknown as { get(id: string): Promise<ScriptedProvider> };
      const scripted = await provider.get('scripted');
      const before = scripted.prompts.length;
      const sent = (await user.call('POST', `/api/conversations/${conv.id}/messages`, { content: 'hello' })).json;
      assert.equal(sent.userMessage.parentId, r.json.id);
      await user.stream(`/api/messages/${sent.assistantMessage.id}/stream`);
      assert.deepEqual(scripted.prompts.slice(before), [[{ role: 'system', content: 'Answer like a pirate.' }, { role: 'user', content: 'hello' }]]);
      const again = await user.call('POST', `/api/conversations/${conv.id}/instructions`, { content: 'twice' });
      assert.equal(again.status, 409);
      assert.equal((await trainer.call('POST', `/api/conversations/${conv.id}/instructions`, { content: 'x' })).status, 404, "another user's conversation");
      assert.equal((await user.call('POST', `/api/conversations/${conv.id}/instructions`, { content: '' })).status, 400);
    });

    it('lets only admins mark the serving model version, and refuses when no local model can serve it', async () => {
      await store.modelVersions.record({ id: 'sft-1', path: '/m/sft', parentId: null, stage: 'sft', metrics: null });
      await store.modelVersions.record({ id: 'ppo-1', path: '/m/ppo', parentId: 'sft-1', stage: 'ppo', metrics: { reward: [0.1, 0.4] } });
      assert.equal((await trainer.call('PUT', '/api/model-versions/ppo-1/serving', {})).status, 403);
      assert.equal((await admin.call('PUT', '/api/model-versions/nope/serving', {})).status, 404);
      // This server has only a scripted model: nothing could load the checkpoint, so nothing is recorded.
      const r = await admin.call('PUT', '/api/model-versions/ppo-1/serving', {});
      assert.equal(r.status, 409);
      assert.equal(r.json.error.code, 'no_local_model');
      assert.equal((await store.modelVersions.get('ppo-1'))!.serving, false);
    });
  });
}
