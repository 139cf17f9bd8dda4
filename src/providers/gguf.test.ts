import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint, expectedTensors, type Tensor } from '../engine/checkpoint.ts';
import { parseHfConfig } from '../engine/config.ts';
import { trainTokenizer } from '../tokenizer/train.ts';
import { saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { SPECIAL_TOKENS } from '../tokenizer/special-tokens.ts';
import { exportGguf } from './gguf-export.ts';
import { ModelRegistry } from './registry.ts';

function installed(): boolean {
  try {
    createRequire(import.meta.url).resolve('node-llama-cpp');
    return true;
  } catch {
    return false;
  }
}

test('a configured GGUF model is listed from its header; without node-llama-cpp its first use says how to install it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-gguf-provider-'));
  const config = {
    vocab_size: 280, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2,
    max_position_embeddings: 96, tie_word_embeddings: true,
  };
  const tensors = new Map<string, Tensor>();
  for (const e of expectedTensors(parseHfConfig(config))) {
    if (!e.optional) tensors.set(e.name, { shape: e.shape, data: new Float32Array(e.shape.reduce((a, b) => a * b, 1)).fill(0.01) });
  }
  const dir = join(root, 'ckpt');
  saveCheckpoint(dir, config, tensors);
  saveTokenizer(trainTokenizer(['a b c'], { vocabSize: SPECIAL_TOKENS.length + 256, specialTokens: SPECIAL_TOKENS }), dir);
  exportGguf({ modelDir: dir, out: join(root, 'tiny.gguf') });

  const reg = await ModelRegistry.fromEnvironment({ PARLEY_GGUF: 'tiny.gguf' }, root);
  assert.deepEqual(reg.list(), [{ id: 'tiny', ownedBy: 'gguf', contextLength: 96, backend: 'gguf' }]);
  if (installed()) return; // then loading really happens; nothing to assert about the message
  await assert.rejects(reg.get('tiny'), /model "tiny" is a GGUF file, .*optional package node-llama-cpp; it is not installed\. Install it with: npm i -E node-llama-cpp@3\.21\.1/);
});

test('a missing or non-GGUF file is reported when the registry starts', async () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-gguf-provider-'));
  await assert.rejects(ModelRegistry.fromEnvironment({ PARLEY_GGUF: 'absent.gguf' }, root), /cannot open GGUF file .*absent\.gguf: ENOENT/);
});
