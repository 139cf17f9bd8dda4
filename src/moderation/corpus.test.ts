// The corpus's held-out split: the second template set adds new phrasings, not copies of training ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIRST_GROUPS, isHeldOut, MORE_GROUPS } from './corpus.ts';
import { SLOTS } from './slots.ts';
import { EVERYDAY_SLOTS } from './slots-everyday.ts';

const words = (t: string) => new Set(t.toLowerCase().replace(/\{\w+\}/g, ' ').split(/[^a-z']+/).filter((w) => w.length > 2));
function jaccard(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / Math.max(1, a.size + b.size - both);
}

test('held-out templates of the second set are not near-copies of training templates of the same kind', () => {
  const all = [...FIRST_GROUPS, ...MORE_GROUPS].flatMap((g) =>
    g.templates.map((t, i) => ({ t, w: words(t), heldOut: isHeldOut(i), unsafe: g.labels.length > 0, second: MORE_GROUPS.includes(g) })),
  );
  const training = all.filter((x) => !x.heldOut);
  // Templates of one or two content words ("help me {crime}") are slot-carried, not phrasings.
  const held = all.filter((x) => x.heldOut && x.second && x.w.size >= 3);
  assert.ok(held.length > 400, `${held.length} held-out templates in the second set`);
  for (const h of held) {
    const near = training.find((t) => t.unsafe === h.unsafe && jaccard(h.w, t.w) >= 0.6);
    assert.equal(near, undefined, `held out "${h.t}" is close to training "${near?.t}"`);
  }
});

test('every template group is big enough to hold some out, names are unique, and slots exist', () => {
  const groups = [...FIRST_GROUPS, ...MORE_GROUPS];
  assert.equal(new Set(groups.map((g) => g.name)).size, groups.length);
  for (const g of groups) {
    assert.ok(g.templates.length >= 8, `${g.name}: ${g.templates.length} templates`);
    for (const t of g.templates) for (const m of t.matchAll(/\{(\w+)\}/g)) assert.ok(m[1] in SLOTS || m[1] in EVERYDAY_SLOTS, `${g.name}: {${m[1]}} in "${t}"`);
  }
});
