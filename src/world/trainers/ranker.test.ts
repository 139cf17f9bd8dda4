import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { loadWorld } from '../knowledge/index.ts';
import { TASKS } from '../tasks/index.ts';
import type { FamilyName, TaskItem } from '../types.ts';
import { demonstrate, writeDemonstration } from './demonstrator.ts';
import { rankCompletions, rankWithSeed } from './ranker.ts';

const world = loadWorld();

function item(family: FamilyName, seed: number, want?: (it: TaskItem) => boolean): TaskItem {
  const rng = new Rng(`ranker-test:${seed}`);
  for (;;) {
    const it = TASKS[family].generate(rng, world, 'train');
    if (!want || want(it)) return it;
  }
}

const PADDING = ' I hope this helps, and let me know if you would like to hear more about the history, the geography, the people and the culture of this fascinating place, since there is a great deal more to say about it.';

test('gold ranking: correct before wrong, concise before verbose', () => {
  for (let s = 0; s < 20; s++) {
    const it = item('factual', s);
    const ref = it.meta.reference;
    const completions = ['I am not sure, maybe somewhere else.', ref + PADDING, ref, "I can't help with that."];
    const r = rankCompletions(it.prompt, completions, it.meta, { gold: true }, new Rng(s));
    assert.deepEqual(r.ranking.slice(0, 2), [2, 1], JSON.stringify({ completions, r }));
    assert.equal(r.swaps, 0);
  }
});

test('length preference: a long-favouring trainer puts the verbose correct reply first, never above a wrong one', () => {
  const it = item('factual', 1);
  const ref = it.meta.reference;
  const completions = [ref, 'No idea.' + PADDING + PADDING, ref + PADDING];
  const long = rankCompletions(it.prompt, completions, it.meta, { gold: true, lengthPreference: 1 }, new Rng(1));
  assert.deepEqual(long.ranking, [2, 0, 1]);
  const concise = rankCompletions(it.prompt, completions, it.meta, { gold: true, lengthPreference: -1 }, new Rng(1));
  assert.deepEqual(concise.ranking, [0, 2, 1]);
  // A partial preference applies in about that share of rankings.
  let longFirst = 0;
  for (let i = 0; i < 2000; i++) {
    if (rankWithSeed(it.prompt, completions, it.meta, { gold: true, lengthPreference: 0.4 }, 2, i).ranking[0] === 2) longFirst++;
  }
  // Applied in 40% of rankings, a coin flip in the rest: 0.4 + 0.6 / 2 = 0.7.
  assert.ok(Math.abs(longFirst / 2000 - 0.7) < 0.04, String(longFirst / 2000));
});

test('safety: a brief refusal beats compliance and preaching; a benign twin is answered, not refused', () => {
  const harmful = item('safety', 2, (it) => it.meta.intent === 'harmful' && (it.meta as { category?: string }).category !== 'self_harm');
  const completions = [
    'Sure, here is how: first get the tools, then follow these steps.',
    "I can't help with that. It is deeply unethical and you should be ashamed; I must remind you to think about the consequences.",
    harmful.meta.reference,
  ];
  assert.deepEqual(rankCompletions(harmful.prompt, completions, harmful.meta, { gold: true }, new Rng(2)).ranking, [2, 1, 0]);
  const benign = item('safety', 3, (it) => it.meta.intent === 'benign');
  const c2 = ["Sorry, I can't help with that.", benign.meta.reference];
  assert.deepEqual(rankCompletions(benign.prompt, c2, benign.meta, { gold: true }, new Rng(3)).ranking, [1, 0]);
});

test('label noise: the swap rate matches the setting; gold mode never swaps', () => {
  const it = item('factual', 4);
  const completions = [it.meta.reference, 'Wrong answer entirely.'];
  for (const noise of [0.1, 0.3]) {
    let reversed = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const r = rankWithSeed(it.prompt, completions, it.meta, { noise }, 9, i);
      if (r.ranking[0] === 1) reversed++;
      const gold = rankWithSeed(it.prompt, completions, it.meta, { noise, gold: true }, 9, i);
      assert.deepEqual(gold.ranking, [0, 1]);
    }
    assert.ok(Math.abs(reversed / n - noise) < 0.03, `noise ${noise}: reversed ${reversed / n}`);
  }
  // With more replies, noise only ever exchanges neighbours of the gold ranking.
  const four = [it.meta.reference, it.meta.reference + PADDING, 'nope', 'no idea at all, sorry'];
  for (let i = 0; i < 200; i++) {
    const gold = rankWithSeed(it.prompt, four, it.meta, { gold: true }, 5, i).ranking;
    const noisy = rankWithSeed(it.prompt, four, it.meta, { noise: 0.5 }, 5, i).ranking;
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(noisy.indexOf(gold[k]) - k) <= 1);
  }
});

test('seeded: same seed and line give the same ranking; ties are not broken by position', () => {
  const it = item('identity', 5);
  const same = [it.meta.reference, it.meta.reference, it.meta.reference];
  const a = rankWithSeed(it.prompt, same, it.meta, { noise: 0.2 }, 1, 7).ranking;
  assert.deepEqual(rankWithSeed(it.prompt, same, it.meta, { noise: 0.2 }, 1, 7).ranking, a);
  const firsts = new Set<number>();
  for (let i = 0; i < 30; i++) firsts.add(rankWithSeed(it.prompt, same, it.meta, { gold: true }, 1, i).ranking[0]);
  assert.equal(firsts.size, 3);
  assert.throws(() => rankCompletions(it.prompt, same, it.meta, { noise: 2 }, new Rng(1)), /noise/);
});

test('demonstration writer: plays both sides and its assistant turns grade as ideal', () => {
  const rng = new Rng('demo');
  for (const family of Object.keys(TASKS) as FamilyName[]) {
    for (let i = 0; i < 20; i++) {
      const d = writeDemonstration(family, rng, world);
      assert.equal(d.messages[0].role, 'user');
      const last = d.messages[d.messages.length - 1];
      assert.equal(last.role, 'assistant');
      const turns = demonstrate(d.meta);
      const prompt = d.messages.slice(0, d.messages.length - turns.length);
      assert.equal(prompt[prompt.length - 1].role, 'user');
      assert.ok(TASKS[family].grade(prompt, last.content, d.meta).ok);
    }
  }
});
