// The engine's CLI commands end to end: `parley score` and `parley generate` on a small saved
// checkpoint, compared with the library calls, and their errors for bad flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { makeConfig } from '../engine/config.ts';
import { LlamaModel } from '../engine/model.ts';
import { saveModel } from '../engine/load-model.ts';
import { lmLoss } from '../engine/heads.ts';
import { generate } from '../engine/generate.ts';
import { f32 } from '../engine/memory.ts';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
let dir = '';
let model: LlamaModel;

before(async () => {
  await initEngine();
  dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  model = LlamaModel.random(makeConfig({ vocab: 40, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48 }), 9);
  saveModel(join(dir, 'm'), model);
});
after(async () => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

function parley(...argv: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...argv], { encoding: 'utf-8', env: { ...process.env, PARLEY_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('parley score prints the mean next-token loss and the last logits', () => {
  const r = parley('score', '--model', join(dir, 'm'), '--ids', '5,17,3,39,0');
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(r.out);
  const ids = [5, 17, 3, 39, 0];
  const { loss } = lmLoss(model, { B: 1, T: 5, ids, targets: [17, 3, 39, 0, -1] });
  const last = f32(model.acts.logits + 4 * 40 * 4, 40);
  assert.ok(Math.abs(got.loss - loss) < 1e-6);
  assert.equal(got.last_logits.length, 40);
  got.last_logits.forEach((v: number, i: number) => assert.ok(Math.abs(v - last[i]) < 1e-6));
});

test('parley generate prints the new ids (greedy and seeded)', () => {
  const r = parley('generate', '--model', join(dir, 'm'), '--ids', '5,17,3', '--max-tokens', '12', '--temperature', '0');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { ids: generate(model, [[5, 17, 3]], { maxTokens: 12, temperature: 0 })[0].ids });
  const s = parley('generate', '--model', join(dir, 'm'), '--ids', '5', '--max-tokens', '6', '--seed', '4', '--top-k', '10', '--top-p', '0.9');
  assert.deepEqual(JSON.parse(s.out).ids, generate(model, [[5]], { maxTokens: 6, seed: 4, topK: 10, topP: 0.9 })[0].ids);
});

test('bad flags give one-line errors naming the problem', () => {
  const cases: Array<[string[], RegExp]> = [
    [['score', '--model', join(dir, 'm'), '--ids', '5,40'], /--ids: id 40 \(position 1\) is outside the model's vocabulary of 40 tokens/],
    [['generate', '--model', join(dir, 'm'), '--ids', '5,x'], /--ids: "x" is not a token id/],
    [['generate', '--model', join(dir, 'm'), '--ids', '5', '--stop', '99'], /--stop: id 99/],
    [['generate', '--model', join(dir, 'm'), '--ids', '5', '--temperature', 'hot'], /--temperature: "hot" is not a number/],
    [['score', '--model', join(dir, 'missing'), '--ids', '5,6'], /missing: checkpoint directory not found/],
  ];
  for (const [argv, re] of cases) {
    const r = parley(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /\n\s+at /); // no stack trace
  }
});
