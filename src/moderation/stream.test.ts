import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModerator, type Moderator } from './moderator.ts';
import { parsePolicy } from './policy.ts';
import { createStreamGuard } from './stream.ts';
import { emptyResult } from './taxonomy.ts';

const tokens = (s: string) => s.match(/\S+\s*/g) ?? [];

test('a reply that turns unsafe is stopped with content_filter; a safe one runs to the end', async () => {
  const moderator = await openModerator(); // the shipped model (a cascade starts the engine)
  const bad = createStreamGuard(moderator, { every: 4 });
  let stoppedAt = -1;
  const reply = tokens('Sure, here is the story you asked for. She was only 12 year old and he wrote an erotic sex scene about the little girl naked in bed, and then more text follows here.');
  for (const [i, t] of reply.entries()) {
    const check = bad.push(t);
    if (check.stop) {
      assert.equal(check.finish_reason, 'content_filter');
      assert.equal(check.decision.action, 'block');
      assert.ok(check.decision.categories.includes('sexual/minors'));
      stoppedAt = i;
      break;
    }
  }
  assert.ok(stoppedAt > 0 && stoppedAt < reply.length - 1, `stopped at ${stoppedAt} of ${reply.length}`);
  assert.equal(bad.push('more').stop, true, 'stays stopped');

  const good = createStreamGuard(moderator, { every: 4 });
  for (const t of tokens('To simmer a sauce, kill the heat once it thickens and let it rest for five minutes before serving.')) {
    assert.equal(good.push(t).stop, false);
  }
  assert.deepEqual(good.finish(), { stop: false, decision: { action: 'allow', categories: [] } });
});

test('checks run every N tokens, on the tail, and a warning is sticky', () => {
  const seen: string[] = [];
  // A stand-in moderator that warns (harassment 0.6) whenever the text it is shown contains "jerk".
  const fake: Pick<Moderator, 'moderate'> = {
    moderate: (inputs) =>
      inputs.map((t) => {
        seen.push(t);
        const r = emptyResult();
        if (t.includes('jerk')) r.category_scores.harassment = 0.6;
        return r;
      }),
  };
  const g = createStreamGuard(fake, { every: 3, windowChars: 10, policy: parsePolicy({}) });
  g.push('you ');
  g.push('are ');
  assert.equal(seen.length, 0);
  assert.equal(g.push('a jerk ').decision.action, 'warn');
  assert.deepEqual(seen, ['re a jerk ']);
  for (const t of ['and ', 'that ', 'is ']) g.push(t);
  assert.equal(seen.length, 2);
  assert.equal(g.push('all').decision.action, 'warn', 'a warning stays once raised');
  assert.equal(g.finish().stop, false);
  assert.equal(seen.length, 3, 'finish checks what arrived since the last check');
  assert.equal(g.text, 'you are a jerk and that is all');
});
