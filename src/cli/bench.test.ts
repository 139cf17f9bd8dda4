// `parley bench decode` on a tiny shape: one line per batch size with prefill one-by-one vs batched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

test('bench decode reports decode speed and the prefill speed-up per batch size', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'bench', 'decode', '--layers', '2', '--dim', '64', '--heads', '2',
    '--ffn', '64', '--vocab', '256', '--ctx', '10', '--tokens', '2', '--batch', '1,3', '--prefill-reps', '1'],
  { encoding: 'utf-8', env: { ...process.env, PARLEY_THREADS: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.batch), [1, 3]);
  for (const l of lines) {
    assert.ok(l.tokens_per_s > 0 && l.prefill_ms_one_by_one > 0 && l.prefill_ms_batched > 0, JSON.stringify(l));
    // The ms are rounded to 0.01 for printing, the speed-up is not: agree to that rounding.
    assert.ok(Math.abs(l.prefill_speedup - l.prefill_ms_one_by_one / l.prefill_ms_batched) < 0.1 * l.prefill_speedup + 0.01, JSON.stringify(l));
  }
  // Three prompts of different lengths (10 and shorter): the tokens prefilled are their sum.
  assert.equal(lines[0].prefill_tokens, 10);
  assert.equal(lines[1].prefill_tokens, 10 + 9 + 8);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', main, 'bench', 'decode', '--prefill-reps', '0'], { encoding: 'utf-8' });
  assert.match(bad.stderr, /--prefill-reps: 0 is out of range/);
});
