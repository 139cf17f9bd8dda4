import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry, type ProviderLoader } from './registry.ts';
import { OpenAICompatibleProvider } from './openai-compatible.ts';
import { ProviderError, type ChatProvider, type SamplingOptions } from './types.ts';
import { UserError } from '../util/errors.ts';

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'parley-registry-'));
}
function checkpointDir(root: string, name: string, ctx: number, parleyName?: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ max_position_embeddings: ctx, hidden_size: 8 }));
  if (parleyName) writeFileSync(join(dir, 'parley.json'), JSON.stringify({ name: parleyName, stage: 'sft' }));
  return dir;
}

test('models.json and environment variables are combined and listed', async () => {
  const root = workspace();
  mkdirSync(join(root, 'data'));
  checkpointDir(join(root, 'data'), 'ckpt', 512);
  writeFileSync(
    join(root, 'data', 'models.json'),
    JSON.stringify({
      default: 'small',
      models: [
        { id: 'small', backend: 'local', path: 'ckpt', batchSize: 4 }, // relative to the file
        { id: 'gpt-4o-mini', backend: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_KEY', contextLength: 128000, ownedBy: 'openai' },
      ],
    }),
  );
  checkpointDir(root, 'models/default', 1024, 'parley-chat-v1');
  const reg = await ModelRegistry.fromEnvironment(
    { PARLEY_DATA: join(root, 'data'), PARLEY_OPENAI_BASE_URL: 'http://localhost:11434/v1', PARLEY_OPENAI_MODELS: 'llama3.2, mine=qwen2.5:0.5b' },
    root,
  );
  assert.deepEqual(reg.list(), [
    { id: 'small', ownedBy: 'parley', contextLength: 512, backend: 'local' },
    { id: 'gpt-4o-mini', ownedBy: 'openai', contextLength: 128000, backend: 'openai' },
    { id: 'parley-chat-v1', ownedBy: 'parley', contextLength: 1024, backend: 'local' },
    { id: 'llama3.2', ownedBy: 'localhost:11434', contextLength: 0, backend: 'openai' },
    { id: 'mine', ownedBy: 'localhost:11434', contextLength: 0, backend: 'openai' },
  ]);
  assert.equal(reg.defaultModelId, 'small');
  assert.deepEqual(reg.notices, []);
  const mine = await reg.get('mine');
  assert.ok(mine instanceof OpenAICompatibleProvider);
  assert.equal(mine.info.id, 'mine');
  assert.equal(await reg.get('mine'), mine, 'providers are loaded once');
});

test('with nothing configured the registry is empty and says how to get a model', async () => {
  const root = workspace();
  const reg = await ModelRegistry.fromEnvironment({}, root);
  assert.deepEqual(reg.list(), []);
  assert.equal(reg.defaultModelId, undefined);
  assert.match(reg.notices[0], /No trained model is installed .*parley pipeline/);
  await assert.rejects(reg.get('gpt-4'), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    assert.match(err.message, /"gpt-4" does not exist\. Available: \(none configured\)/);
    return true;
  });
});

test('the default local model is named after its directory and takes batch and queue limits from the environment', async () => {
  const root = workspace();
  checkpointDir(root, 'models/default', 256);
  const reg = await ModelRegistry.fromEnvironment({ PARLEY_BATCH_SIZE: '8', PARLEY_QUEUE_SIZE: '0' }, root);
  assert.deepEqual(reg.list(), [{ id: 'parley-default', ownedBy: 'parley', contextLength: 256, backend: 'local' }]);
  assert.equal(reg.defaultModelId, 'parley-default');
  await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_BATCH_SIZE: 'lots' }, root), /PARLEY_BATCH_SIZE=lots must be a whole number/);
});

test('configuration mistakes are reported with where and what', async () => {
  const root = workspace();
  const file = join(root, 'models.json');
  const bad = async (json: unknown, re: RegExp, env: Record<string, string> = {}) => {
    writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_MODELS_FILE: file, ...env }, root), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.match(err.message, re);
      return true;
    });
  };
  await bad('{ nope', /models file .*models\.json is not valid JSON/);
  await bad({ models: [{ id: 'x', backend: 'tpu', path: 'p' }] }, /models\.0\.backend/);
  await bad({ models: [{ id: 'x', backend: 'openai', baseUrl: 'not a url' }] }, /models\.0\.baseUrl/);
  await bad({ models: [{ id: 'x', backend: 'openai', baseUrl: 'http://a/v1', colour: 'red' }] }, /colour/);
  await bad({ models: [{ id: 'has space', backend: 'openai', baseUrl: 'http://a/v1' }] }, /models\.0\.id/);
  await bad(
    { models: [{ id: 'x', backend: 'openai', baseUrl: 'http://a/v1' }, { id: 'x', backend: 'openai', baseUrl: 'http://b/v1' }] },
    /two models are named "x"/,
  );
  await bad({ models: [{ id: 'x', backend: 'local', path: 'missing-dir' }] }, /model "x": cannot read .*missing-dir.*config\.json: ENOENT/);
  await bad({ models: [] }, /PARLEY_MODEL_DIR=nowhere: .*nowhere has no config\.json/, { PARLEY_MODEL_DIR: 'nowhere' });
  await bad({ models: [] }, /PARLEY_OPENAI_MODELS is empty/, { PARLEY_OPENAI_BASE_URL: 'http://a/v1' });
  await bad({ default: 'ghost', models: [] }, /default model "ghost" is not among the configured models/);
  await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_MODELS_FILE: join(root, 'absent.json') }, root), /cannot read models file .*absent\.json: ENOENT/);
});

test('a model whose load fails is retried on the next request, not cached as failed', async () => {
  const root = workspace();
  const file = join(root, 'models.json');
  writeFileSync(file, JSON.stringify({ models: [{ id: 'up', backend: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'UP_KEY' }] }));
  const env: Record<string, string | undefined> = { PARLEY_MODELS_FILE: file };
  const reg = await ModelRegistry.fromEnvironment(env, root);
  await assert.rejects(reg.get('up'), /model "up": environment variable UP_KEY \(its API key\) is not set/);
  env.UP_KEY = 'sk-later';
  const p = await reg.get('up');
  assert.equal(p.info.id, 'up');
  await reg.close();
});

test('withProviders serves given providers and rejects duplicate names', () => {
  const a = new OpenAICompatibleProvider({ id: 'a', baseUrl: 'http://x/v1' });
  const reg = ModelRegistry.withProviders([a]);
  assert.deepEqual(reg.list(), [a.info]);
  assert.throws(() => ModelRegistry.withProviders([a, a]), /two models are named "a"/);
});

test('a local model is served with the context its batch of KV caches fits in PARLEY_KV_CACHE_MB', async () => {
  const root = workspace();
  const dir = join(root, 'models/default');
  mkdirSync(dir, { recursive: true });
  // 2 (k, v) · 10 layers · 8 kv heads · 64 dims · 4 bytes = 40 KiB per position per sequence.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    max_position_embeddings: 8192, hidden_size: 512, num_attention_heads: 8, num_key_value_heads: 8, num_hidden_layers: 10,
  }));
  const ctx = async (env: Record<string, string>) => (await ModelRegistry.fromEnvironment(env, root)).list()[0].contextLength;
  assert.equal(await ctx({}), Math.floor(2 ** 30 / (40960 * 8)));
  assert.equal(await ctx({ PARLEY_BATCH_SIZE: '1' }), 8192);
  assert.equal(await ctx({ PARLEY_CONTEXT_LENGTH: '1024' }), 1024);
  await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_KV_CACHE_MB: '16' }, root), /room for only 51 tokens each in PARLEY_KV_CACHE_MB=16; raise PARLEY_KV_CACHE_MB or lower the batch size/);
  await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_KV_CACHE_MB: 'x' }, root), /PARLEY_KV_CACHE_MB=x must be a whole number/);
});

test('serveCheckpoint swaps the serving model to another checkpoint once it loads; the old one closes when idle', async () => {
  const root = workspace();
  const v1 = checkpointDir(root, 'v1', 512);
  const v2 = checkpointDir(root, 'v2', 1024);
  const closed: string[] = [];
  const gates = new Map<string, () => void>();
  // A test double per checkpoint: each reply waits until the test lets it finish.
  const load: ProviderLoader = async (entry, _env, info) => {
    const path = (entry as { path: string }).path;
    if (path === v2) await new Promise<void>((r) => gates.set('load', r));
    return {
      info,
      async *chat() {
        await new Promise<void>((r) => gates.set(`reply:${path}`, r));
        yield { type: 'delta', text: path };
        yield { type: 'done', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } };
      },
      complete: () => { throw new Error('unused'); },
      async close() { closed.push(path); },
    } satisfies ChatProvider;
  };
  const reg = await ModelRegistry.fromEnvironment({ PARLEY_MODEL_DIR: v1, PARLEY_MODEL_ID: 'chat' }, root, load);
  assert.equal(reg.servingModelId, 'chat');
  const signal = new AbortController().signal;
  const old = await reg.get('chat');
  const oldReply = old.chat([], {} as SamplingOptions, signal)[Symbol.asyncIterator]();
  const first = oldReply.next(); // a reply running on v1
  await until(() => gates.has(`reply:${v1}`));

  const { info, ready } = await reg.serveCheckpoint('v2'); // relative to the working directory
  assert.equal(info.contextLength, 1024);
  assert.equal(await reg.get('chat'), old, 'the old checkpoint serves while the new one loads');
  gates.get('load')!();
  await ready;
  const now = await reg.get('chat');
  assert.notEqual(now, old);
  assert.equal(reg.info('chat')!.contextLength, 1024);
  assert.deepEqual(closed, [], 'the old checkpoint still has a reply running');
  gates.get(`reply:${v1}`)!();
  assert.deepEqual((await first).value, { type: 'delta', text: v1 });
  while (!(await oldReply.next()).done);
  await until(() => closed.length > 0);
  assert.deepEqual(closed, [v1]);

  await assert.rejects(reg.serveCheckpoint('missing'), /cannot read .*missing.*config\.json/);
  const reward = checkpointDir(root, 'reward', 512);
  writeFileSync(join(reward, 'config.json'), JSON.stringify({ max_position_embeddings: 512, hidden_size: 8, architectures: ['LlamaForSequenceClassification'] }));
  await assert.rejects(reg.serveCheckpoint(reward), /is a reward\/value model .*not a chat model/);
  assert.equal(await reg.get('chat'), now, 'a refused switch leaves the serving checkpoint alone');
  const none = await ModelRegistry.fromEnvironment({}, workspace(), load);
  await assert.rejects(none.serveCheckpoint(v2), /no local model is configured to serve a checkpoint version/);
  await reg.close();
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), 'condition never became true');
}
