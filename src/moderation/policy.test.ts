import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decide, defaultPolicy, loadPolicy, parsePolicy } from './policy.ts';
import { emptyResult, type Category } from './taxonomy.ts';

function scores(s: Partial<Record<Category, number>>) {
  const r = emptyResult();
  for (const [c, v] of Object.entries(s)) r.category_scores[c as Category] = v;
  return r;
}

test('defaults: worst harms block, the rest warn, low scores pass', () => {
  assert.deepEqual(decide(scores({})), { action: 'allow', categories: [] });
  assert.deepEqual(decide(scores({ harassment: 0.7 })), { action: 'warn', categories: ['harassment'] });
  assert.deepEqual(decide(scores({ harassment: 0.7, 'sexual/minors': 0.35 })), { action: 'block', categories: ['sexual/minors'] });
  assert.equal(decide(scores({ 'self-harm/instructions': 0.45 })).action, 'block');
  assert.equal(decide(scores({ 'illicit/violent': 0.9 })).action, 'block');
  assert.equal(decide(scores({ violence: 0.49 })).action, 'allow');
  assert.equal(defaultPolicy().sexual.action, 'warn');
});

test('custom policy from JSON: per-category action and threshold, default for the rest', () => {
  const p = parsePolicy({ default: { threshold: 0.8 }, categories: { harassment: 'allow', sexual: { action: 'block', threshold: 0.6 } } });
  assert.equal(decide(scores({ harassment: 0.99 }), p).action, 'allow');
  assert.equal(decide(scores({ sexual: 0.65 }), p).action, 'block');
  assert.equal(decide(scores({ violence: 0.7 }), p).action, 'allow');
  assert.equal(decide(scores({ violence: 0.85 }), p).action, 'warn');
  // Blocking defaults stay unless named.
  assert.deepEqual(p['sexual/minors'], { action: 'block', threshold: 0.3 });
});

test('policy errors name the field', () => {
  assert.throws(() => parsePolicy({ categories: { gore: 'block' } }), /unknown category "gore"/);
  assert.throws(() => parsePolicy({ categories: { hate: { action: 'ban' } } }), /categories\["hate"\]\.action must be one of allow, warn, block/);
  assert.throws(() => parsePolicy({ default: { threshold: 2 } }), /default\.threshold must be a number in \[0, 1\]/);
  assert.throws(() => parsePolicy({ rules: {} }), /unknown key "rules"/);
  assert.throws(() => parsePolicy([]), /must be a JSON object/);
});

test('policy from the environment: inline JSON or a file', () => {
  assert.deepEqual(loadPolicy(undefined), defaultPolicy());
  assert.equal(loadPolicy('{"categories":{"hate":"block"}}').hate.action, 'block');
  const dir = mkdtempSync(join(tmpdir(), 'parley-policy-'));
  const file = join(dir, 'policy.json');
  writeFileSync(file, '{"categories":{"violence":{"action":"allow"}}}');
  assert.equal(loadPolicy(file).violence.action, 'allow');
  writeFileSync(file, '{oops');
  assert.throws(() => loadPolicy(file), /policy\.json is not valid JSON/);
  assert.throws(() => loadPolicy(join(dir, 'missing.json')), /does not exist/);
});
