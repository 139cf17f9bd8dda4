// Choosing the serving version: the admin's switch reaches the model registry (new requests are
// answered by the new checkpoint once it has loaded), a bad checkpoint is refused without being
// recorded, and a restarted server serves the recorded version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { testBackends } from '../store/test-backends.ts';
import { ModelRegistry, type ProviderLoader } from '../providers/registry.ts';
import type { ChatMessage, ModelInfo } from '../providers/types.ts';
import { buildApp } from './app.ts';
import { defaultConfig } from './config.ts';
import { AppClient, ScriptedProvider } from './test-support.ts';
import { applyServingVersion } from './serving-version.ts';

/** A scripted model (test double) that says which checkpoint directory it was loaded from. */
class CheckpointProvider extends ScriptedProvider {
  constructor(info: ModelInfo, private readonly path: string) {
    super(info.id);
    Object.defineProperty(this, 'info', { value: info });
  }
  override script(_messages: ChatMessage[]): string[] {
    return [this.path];
  }
}

function checkpoint(root: string, name: string, ctx: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ max_position_embeddings: ctx, hidden_size: 8 }));
  return dir;
}

test('switching the serving version changes which checkpoint answers, and survives a restart', async () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-serving-'));
  const v1 = checkpoint(root, 'v1', 512);
  const v2 = checkpoint(root, 'v2', 1024);
  const loads: string[] = [];
  const load: ProviderLoader = async (entry, _env, info) => {
    const path = (entry as { path: string }).path;
    loads.push(path);
    return new CheckpointProvider(info, path);
  };
  const env = { PARLEY_MODEL_DIR: v1, PARLEY_MODEL_ID: 'chat' };
  const store = await testBackends()[0].open();
  const models = await ModelRegistry.fromEnvironment(env, root, load);
  const built = await buildApp({ store, models, config: defaultConfig(), processMetrics: false });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  try {
    const admin = await AppClient.signUp(url, 'root');
    const ask = async () => {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'who are you' }] }),
      });
      return ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content;
    };
    assert.equal(await ask(), v1);
    await store.modelVersions.record({ id: 'sft-2', path: v2, parentId: null, stage: 'sft', metrics: null });
    await store.modelVersions.record({ id: 'broken', path: join(root, 'nowhere'), parentId: null, stage: 'sft', metrics: null });

    const r = await admin.call('PUT', '/api/model-versions/sft-2/serving', {});
    assert.equal(r.status, 200);
    assert.equal(r.json.serving, true);
    for (let i = 0; i < 200 && models.info('chat')!.contextLength !== 1024; i++) await new Promise((res) => setTimeout(res, 5));
    assert.equal(await ask(), v2);
    assert.deepEqual(loads, [v1, v2]);

    const bad = await admin.call('PUT', '/api/model-versions/broken/serving', {});
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_checkpoint');
    assert.match(bad.json.error.message, /broken.*nowhere.*config\.json/);
    assert.equal((await store.modelVersions.serving())!.id, 'sft-2', 'a refused switch records nothing');
    assert.equal(await ask(), v2);

    // Another replica (same store, same bus) follows the switch.
    const otherModels = await ModelRegistry.fromEnvironment(env, root, load);
    const other = await buildApp({ store, models: otherModels, config: defaultConfig(), processMetrics: false, bus: built.ctx.bus });
    try {
      await otherModels.get('chat'); // loaded with v1
      await store.modelVersions.record({ id: 'sft-3', path: v1, parentId: null, stage: 'sft', metrics: null });
      assert.equal((await admin.call('PUT', '/api/model-versions/sft-3/serving', {})).status, 200);
      for (let i = 0; i < 200 && models.info('chat')!.contextLength !== 512; i++) await new Promise((res) => setTimeout(res, 5));
      assert.equal(await ask(), v1);
      await store.modelVersions.record({ id: 'sft-4', path: v2, parentId: null, stage: 'sft', metrics: null });
      assert.equal((await admin.call('PUT', '/api/model-versions/sft-4/serving', {})).status, 200);
      for (let i = 0; i < 200 && otherModels.info('chat')!.contextLength !== 1024; i++) await new Promise((res) => setTimeout(res, 5));
      assert.equal(otherModels.info('chat')!.contextLength, 1024, 'the other replica switched too');
      assert.equal((await otherModels.get('chat')).info.contextLength, 1024);
    } finally {
      await other.close();
      await otherModels.close();
    }

    // A restarted server starts from its configuration (v1) and then serves the recorded version.
    const restarted = await ModelRegistry.fromEnvironment(env, root, load);
    assert.match((await applyServingVersion(store, restarted))!, /"chat" serves version "sft-4"/);
    assert.equal(restarted.info('chat')!.contextLength, 1024);
    const p = await restarted.get('chat');
    assert.equal(loads.at(-1), v2, 'only the serving checkpoint is loaded');
    assert.equal(p.info.contextLength, 1024);
    await restarted.close();
  } finally {
    await built.close();
    await models.close();
    await store.close();
  }
});
