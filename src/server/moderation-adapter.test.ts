import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModerator } from './moderation-adapter.ts';

it('loads the shipped classifier and the warn/block policy behind the server interface', async () => {
  const { moderator, notice } = await loadModerator({});
  assert.equal(notice, null);
  assert.ok(moderator);
  assert.match(moderator.model, /^parley-moderation-/);
  const [threat, fine] = await moderator.moderate(['I will kill you', 'What a lovely day for a walk in the park.']);
  assert.equal(threat.flagged, true);
  assert.equal(fine.flagged, false);
  assert.notEqual(moderator.decide(threat), 'allow');
  assert.equal(moderator.decide(fine), 'allow');
});

it('is off with PARLEY_MODERATION=off, and says so when no classifier is installed', async () => {
  assert.equal((await loadModerator({ PARLEY_MODERATION: 'off' })).moderator, null);
  const missing = await loadModerator({ PARLEY_MODERATION_MODEL: '/nonexistent/parley-moderation' });
  assert.equal(missing.moderator, null);
  assert.match(missing.notice!, /No content classifier is installed/);
  await assert.rejects(loadModerator({ PARLEY_MODERATION: 'maybe' }), /must be on or off/);
});
