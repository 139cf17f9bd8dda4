// `parley generate` stops at the checkpoint's end-of-turn / eos tokens by default, and not with --no-stop-eos.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { makeConfig } from '../engine/config.ts';
import { LlamaModel } from '../engine/model.ts';
import { saveModel } from '../engine/load-model.ts';
import { generate } from '../engine/generate.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { writeHfTokenizerJson } from '../tokenizer/hf-json.ts';
import { stopTokenIds } from '../tokenizer/chat.ts';
import { modelStopIds } from './lib/model-stops.ts';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const EOT = 2; // <|end_of_turn|> in every Parley tokenizer
const WORD = 300; // an ordinary token
let dir = '';
let model: LlamaModel;

before(async () => {
  await initEngine();
  dir = mkdtempSync(join(tmpdir(), 'parley-gen-'));
  const tok = smallTokenizer();
  const config = makeConfig({ vocab: tok.vocabSize, dim: 32, layers: 1, heads: 4, ffn: 48 });
  // A head that answers the prompt's last token (12) with WORD and WORD with end-of-turn: each row is the
  // embedding it should fire on (the residual stream carries the current token's embedding), the rest zero.
  const t = LlamaModel.random(config, 3).toTensors();
  const head = t.get('lm_head.weight')!.data, embed = t.get('model.embed_tokens.weight')!.data;
  const C = config.hiddenSize;
  head.fill(0);
  for (let i = 0; i < C; i++) {
    head[WORD * C + i] = 20 * embed[12 * C + i];
    head[EOT * C + i] = 20 * embed[WORD * C + i];
  }
  model = LlamaModel.fromTensors(config, t);
  const tokFile = join(dir, 'tokenizer.json');
  writeFileSync(tokFile, writeHfTokenizerJson(tok.spec));
  saveModel(join(dir, 'chat'), model, { tokenizerPath: tokFile });
  saveModel(join(dir, 'eos'), model, { hfConfig: { eos_token_id: [EOT, 7] } });
  saveModel(join(dir, 'bare'), model);
});
after(async () => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

function parley(...argv: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'generate', ...argv], {
    encoding: 'utf-8', env: { ...process.env, PARLEY_THREADS: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { ids: number[]; finish_reason: string };
}

test('the stop ids come from the tokenizer, else from config.json, else none', () => {
  assert.deepEqual(modelStopIds({}, join(dir, 'chat', 'tokenizer.json')), stopTokenIds(smallTokenizer()));
  assert.ok(stopTokenIds(smallTokenizer()).includes(EOT));
  assert.deepEqual(modelStopIds({ eos_token_id: [2, 7] }), [2, 7]);
  assert.deepEqual(modelStopIds({ eos_token_id: 5 }), [5]);
  assert.deepEqual(modelStopIds({ eos_token_id: null }), []);
});

test('parley generate stops at end-of-turn by default and runs on with --no-stop-eos', () => {
  const args = ['--ids', '10,11,12', '--max-tokens', '24', '--temperature', '0', '--logprobs'];
  const stopped = parley('--model', join(dir, 'chat'), ...args);
  const want = generate(model, [[10, 11, 12]], { maxTokens: 24, temperature: 0, stopIds: stopTokenIds(smallTokenizer()) })[0];
  assert.equal(stopped.finish_reason, 'stop');
  assert.equal(want.stopId, EOT);
  assert.deepEqual(stopped.ids, want.ids);
  assert.deepEqual(stopped.ids, [WORD]);

  const full = parley('--model', join(dir, 'chat'), ...args, '--no-stop-eos');
  assert.equal(full.finish_reason, 'length');
  assert.equal(full.ids.length, 24);
  assert.equal(full.ids[stopped.ids.length], EOT);

  // Without Parley's tokenizer, config.json's eos_token_id is used; with neither, nothing stops it.
  assert.deepEqual(parley('--model', join(dir, 'eos'), ...args).ids, stopped.ids);
  assert.equal(parley('--model', join(dir, 'bare'), ...args).ids.length, 24);
});
