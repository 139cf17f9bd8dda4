import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bceWithLogits, rankingLoss, gae, whiten, clippedPolicyLoss, clippedValueLoss, tokenRewards, KlController, dpoLoss } from './losses.ts';

const close = (a: number, b: number, eps = 1e-7) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

test('reward loss: −1/C(K,2)·Σ log σ(r_w − r_l) over every pair of one ranking, with its gradient', () => {
  // ranking 2 > 0 > 1 with scores r = [1, 0, 2]: pairs (2,0) d=1, (2,1) d=2, (0,1) d=1
  const r = rankingLoss([1, 0, 2], [2, 0, 1]);
  close(r.loss, (2 * 0.31326168751822286 + 0.12692801104297263) / 3);
  close(r.dScores[2], -(0.2689414213699951 + 0.11920292202211755) / 3);
  close(r.dScores[0], 0); // winner once, loser once, both at d = 1
  close(r.dScores[1], (0.2689414213699951 + 0.11920292202211755) / 3);
  assert.equal(r.pairs, 3);
  assert.equal(r.accuracy, 1);
  const wrong = rankingLoss([0, 1], [0, 1]);
  close(wrong.loss, Math.log(1 + Math.E));
  assert.equal(wrong.accuracy, 0);
  // The gradient matches finite differences.
  const s = [0.3, -0.2, 0.9, 0.1], rank = [1, 3, 0, 2], h = 1e-6;
  const g = rankingLoss(s, rank).dScores;
  for (let i = 0; i < s.length; i++) {
    const up = s.slice(), dn = s.slice();
    up[i] += h; dn[i] -= h;
    close(g[i], (rankingLoss(up, rank).loss - rankingLoss(dn, rank).loss) / (2 * h), 1e-6);
  }
});

test('reward accuracy: identical completions are ties, left out of the accuracy but not the loss', () => {
  // Ranked 0 > 1 > 2 where replies 0 and 1 are the same text (same score): only (0,2) and (1,2) are judged.
  const texts = ['Paris.', 'Paris.', 'Lyon.'];
  const tied = rankingLoss([0.5, 0.5, -1], [0, 1, 2], texts);
  assert.equal(tied.pairs, 2);
  assert.equal(tied.accuracy, 1);
  const all = rankingLoss([0.5, 0.5, -1], [0, 1, 2]);
  assert.equal(all.pairs, 3);
  close(all.accuracy, 2 / 3); // without texts the tie counts as a miss
  close(tied.loss, all.loss); // the loss is the same C(K,2)-normalised sum either way
  assert.deepEqual(Array.from(tied.dScores), Array.from(all.dScores));
  // Every reply the same: nothing to judge.
  const none = rankingLoss([0, 0], [1, 0], ['x', 'x']);
  assert.equal(none.pairs, 0);
  assert.equal(none.accuracy, 0);
});

test('GAE with γ = 1 over one reply: advantages and returns by hand', () => {
  const { advantages, returns } = gae([0, 0, 1], [0.5, 0.5, 0.5], 1, 0.5);
  // δ2 = 1 − 0.5 = 0.5; δ1 = 0 + 0.5 − 0.5 = 0 → A1 = 0.25; δ0 = 0 → A0 = 0.125
  assert.deepEqual(Array.from(advantages), [0.125, 0.25, 0.5]);
  assert.deepEqual(Array.from(returns), [0.625, 0.75, 1]);
  // λ = 1: the return is the plain sum of later rewards.
  assert.deepEqual(Array.from(gae([1, 2, 3], [0, 0, 0], 1, 1).returns), [6, 5, 3]);
});

test('whitening gives mean 0 and std 1', () => {
  const w = whiten(Float64Array.from([1, 2, 3]));
  close(w[0], -Math.sqrt(1.5), 1e-6);
  close(w[1], 0);
  close(w[2], Math.sqrt(1.5), 1e-6);
  assert.deepEqual(Array.from(whiten(Float64Array.from([2, 2]))), [0, 0]);
});

test('clipped policy objective: the clip stops the gradient only where it binds', () => {
  // ρ = 1.5, A = 1: max(−1.5, −1.2) = −1.2, clipped, no gradient
  let r = clippedPolicyLoss([Math.log(1.5)], [0], [1], 0.2);
  close(r.loss, -1.2);
  assert.equal(r.dLogp[0], 0);
  assert.equal(r.clipFrac, 1);
  // ρ = 1.5, A = −1: max(1.5, 1.2) = 1.5, the unclipped term: d/dlogp = −A·ρ = 1.5
  r = clippedPolicyLoss([Math.log(1.5)], [0], [-1], 0.2);
  close(r.loss, 1.5);
  close(r.dLogp[0], 1.5);
  // inside the band: −A·ρ and its gradient, averaged over the two tokens
  r = clippedPolicyLoss([Math.log(1.1), 0], [0, 0], [2, 0], 0.2);
  close(r.loss, -2.2 / 2);
  close(r.dLogp[0], -2.2 / 2);
  assert.equal(r.clipFrac, 0);
});

test('clipped value loss: ½·max((V − R)², (V_clip − R)²)', () => {
  // V = 1, old = 0.5, R = 2: V_clip = 0.7, (0.7 − 2)² = 1.69 > 1 → 0.845, no gradient
  let r = clippedValueLoss([1], [0.5], [2], 0.2);
  close(r.loss, 0.845);
  assert.equal(r.dValues[0], 0);
  assert.equal(r.clipFrac, 1);
  // inside the band: ½(V − R)², gradient V − R
  r = clippedValueLoss([0.6], [0.5], [0], 0.2);
  close(r.loss, 0.18);
  close(r.dValues[0], 0.6);
});

test('KL penalty: −β·(log π − log π_SFT) per token, the score added at the last token', () => {
  const r = tokenRewards([-1, -2], [-1.5, -1], 0.1, 2);
  close(r.rewards[0], -0.05);
  close(r.rewards[1], 0.1 + 2);
  close(r.kl, -0.5);
  assert.equal(tokenRewards([], [], 0.1, 2).rewards.length, 0);
});

test('adaptive KL coefficient moves towards its target; a fixed one stays', () => {
  const c = new KlController(0.1, 1, 100);
  close(c.update(2, 10), 0.1 * (1 + 0.2 * 10 / 100)); // error clipped to +0.2
  const before = c.beta;
  close(c.update(0.5, 10), before * (1 - 0.2 * 10 / 100)); // error −0.5 clipped to −0.2
  assert.equal(new KlController(0.3).update(100, 10), 0.3);
});

test('DPO loss and gradient for one pair', () => {
  const r = dpoLoss(-1, -2, -1.5, -1.5, 0.5);
  close(r.margin, 0.5);
  close(r.loss, 0.47407698418010663);
  close(r.dChosen, -0.5 * 0.3775406687981454);
  close(r.dRejected, 0.5 * 0.3775406687981454);
});

test('binary cross-entropy with logits: −y·log σ(z) − (1−y)·log(1 − σ(z)), stable for large |z|', () => {
  close(bceWithLogits(0, 1), Math.log(2));
  close(bceWithLogits(2, 0), Math.log(1 + Math.exp(2)));
  close(bceWithLogits(2, 1), Math.log(1 + Math.exp(-2)));
  close(bceWithLogits(-50, 1), 50, 1e-9);
  close(bceWithLogits(50, 0), 50, 1e-9);
  close(bceWithLogits(1, 0.25), 0.75 * Math.log(1 + Math.E) + 0.25 * Math.log(1 + 1 / Math.E));
});
