import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from './ops.ts';
import { makeConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { loadModel, saveModel } from './load-model.ts';
import { score } from './heads.ts';
import { f32 } from './memory.ts';

let dir = '';
before(async () => {
  await initEngine();
  dir = mkdtempSync(join(tmpdir(), 'parley-load-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

test('save → load round-trips every parameter (tied LM and untied scalar-head model)', () => {
  for (const [name, tied, scalarHead] of [['lm', true, false], ['reward', false, true]] as const) {
    const c = makeConfig({ vocab: 30, dim: 16, layers: 2, heads: 2, kvHeads: 1, ffn: 24, tied });
    const m = LlamaModel.random(c, 5, { scalarHead });
    if (scalarHead) m.view('score.bias')[0] = 0.25;
    saveModel(join(dir, name), m, { parley: { stage: 'test' }, hfConfig: { eos_token_id: 2 } });
    const cfg = JSON.parse(readFileSync(join(dir, name, 'config.json'), 'utf-8'));
    assert.equal(cfg.eos_token_id, 2);
    assert.equal(cfg.tie_word_embeddings, tied);
    const { model, parley } = loadModel(join(dir, name));
    assert.deepEqual(model.config, c);
    assert.equal(model.scalarHead, scalarHead);
    assert.deepEqual(parley?.stage, 'test');
    assert.deepEqual(f32(model.params, model.layout.total), f32(m.params, m.layout.total));
    if (scalarHead) {
      const batch = { B: 1, T: 3, ids: [1, 2, 3] };
      assert.deepEqual(score(model, batch, [2]), score(m, batch, [2]));
    }
    model.dispose();
    m.dispose();
  }
});
