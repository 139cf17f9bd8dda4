import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { shutdownEngine } from '../engine/ops.ts';
import { score } from '../engine/heads.ts';
import { loadPolicy } from './checkpoints.ts';
import { replyIds } from './reward.ts';
import { bestOfN, pickBest, bestOfNKlBound } from './best-of-n.ts';
import { tinyCheckpoints } from './eval/test-fixtures.ts';

const ck = await tinyCheckpoints();
after(async () => {
  rmSync(ck.root, { recursive: true, force: true });
  await shutdownEngine();
});

test('pickBest: the argmax, the first on a tie', () => {
  assert.equal(pickBest([0.1, 0.7, -2, 0.3]), 1);
  assert.equal(pickBest([0.5, 0.5, 0.2]), 0);
  assert.equal(pickBest([-1]), 0);
  assert.equal(pickBest([NaN, -3, -5]), 1);
  assert.throws(() => pickBest([]));
});

test('bestOfNKlBound: 0 for n = 1, log n − (n−1)/n', () => {
  assert.equal(bestOfNKlBound(1), 0);
  assert.ok(Math.abs(bestOfNKlBound(16) - (Math.log(16) - 15 / 16)) < 1e-12);
});

test('bestOfN keeps the sample the reward model scores highest (scored again one by one)', () => {
  const p = loadPolicy(ck.policy), rm = loadPolicy(ck.reward);
  try {
    const prompts = [[{ role: 'user' as const, content: 'What is the capital of France?' }], [{ role: 'user' as const, content: 'Sum these for me.' }]];
    const out = bestOfN(p.model, rm.model, p.tokenizer, p.special, prompts, { n: 5, maxTokens: 6, temperature: 1, seed: 7, maxContext: 256 });
    assert.equal(out.length, 2);
    for (const [i, b] of out.entries()) {
      assert.equal(b.candidates.length, 5);
      assert.ok(b.candidates.every((c) => c.promptIndex === i));
      assert.ok(new Set(b.candidates.map((c) => c.text)).size > 1, 'temperature 1 gives different samples');
      const again = b.candidates.map((c) => {
        const ids = replyIds(p.tokenizer, p.special, prompts[i], c.text, 256);
        return score(rm.model, { B: 1, T: ids.length, ids }, [ids.length - 1])[0];
      });
      again.forEach((s, k) => assert.ok(Math.abs(s - b.scores[k]) < 1e-4, `score ${k}: ${s} vs ${b.scores[k]}`));
      const argmax = again.indexOf(Math.max(...again));
      assert.equal(b.index, argmax);
      assert.equal(b.chosen, b.candidates[argmax]);
    }
  } finally {
    p.model.dispose();
    rm.model.dispose();
  }
});

test('bestOfN refuses what cannot work', () => {
  const p = loadPolicy(ck.policy), rm = loadPolicy(ck.reward);
  try {
    const prompts = [[{ role: 'user' as const, content: 'hi' }]];
    const o = { n: 3, maxTokens: 4, temperature: 1, seed: 0, maxContext: 256 };
    assert.throws(() => bestOfN(p.model, rm.model, p.tokenizer, p.special, prompts, { ...o, temperature: 0 }), /temperature 0/);
    assert.throws(() => bestOfN(p.model, p.model, p.tokenizer, p.special, prompts, o), /no scalar head/);
    assert.throws(() => bestOfN(p.model, rm.model, p.tokenizer, p.special, prompts, { ...o, n: 0 }), /n must be/);
  } finally {
    p.model.dispose();
    rm.model.dispose();
  }
});
