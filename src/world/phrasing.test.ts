import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.ts';
import { fill, vary } from './phrasing.ts';

test('fill replaces slots and refuses unknown ones', () => {
  assert.equal(fill('What is the capital of {in}?', { in: 'the Netherlands' }), 'What is the capital of the Netherlands?');
  assert.throws(() => fill('{nope}', {}), /slot \{nope\}/);
});

test('vary: many renderings, typos never touch protected names, symbols keep their case', () => {
  const rng = new Rng('vary');
  const seen = new Set<string>();
  let typos = 0;
  for (let i = 0; i < 2000; i++) {
    const s = vary(rng, 'What is the chemical symbol for Fe in Burkina Faso?', { protect: ['Burkina Faso', 'Fe'], typoRate: 0.5 });
    seen.add(s);
    assert.match(s.toLowerCase(), /burkina faso/);
    if (s !== s.toUpperCase()) assert.match(s, /\bFe\b/);
    if (!/chemical/i.test(s) || !/symbol/i.test(s) || !/what/i.test(s)) typos++;
  }
  assert.ok(seen.size > 150, String(seen.size));
  assert.ok(typos > 200 && typos < 1200, String(typos));
  const a = new Rng(3);
  const b = new Rng(3);
  assert.equal(vary(a, 'Hello there, how are you?'), vary(b, 'Hello there, how are you?'));
});
