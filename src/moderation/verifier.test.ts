// The cascade's second stage (verifier.ts): its training loss falls on a toy task, the cascade keeps a
// linear flag the verifier accepts and vetoes one it rejects, and a directory with a verifier saves
// and loads as a cascade. A tiny model (1 layer, width 32) and a small tokenizer: a few seconds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { SCORE_BIAS, SCORE_WEIGHT } from '../engine/params.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { specialIds } from '../tokenizer/special-tokens.ts';
import { Classifier, VETO_CAP } from './classifier.ts';
import { auc } from './cascade.ts';
import { DEFAULT_FEATURES } from './features.ts';
import { createModerator } from './moderator.ts';
import { CATEGORIES } from './taxonomy.ts';
import { trainVerifier, Verifier, VERIFIER_FORMAT, verifierLoss, type VerifierExample } from './verifier.ts';

before(async () => {
  await initEngine({ threads: 1 });
});
after(async () => {
  await shutdownEngine();
});

const VIOLENCE = CATEGORIES.indexOf('violence');

function tinyVerifier(seed: number, threshold = 0.5): Verifier {
  const tok = smallTokenizer();
  const config = makeConfig({ vocab: tok.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 160, tied: true });
  const model = LlamaModel.random(config, seed, { scalarHead: true });
  return new Verifier(model, tok, specialIds(tok), { format: VERIFIER_FORMAT, threshold, verifyFrom: 0.3, training: {} });
}

/** A linear model that flags `violence` in every window (score sigmoid(3) = 0.95) and nothing else. */
function alwaysViolence(): Classifier {
  const info = { format: 'parley-moderation-logreg' as const, version: 'test', categories: [...CATEGORIES], features: { ...DEFAULT_FEATURES, dims: 64 }, thresholds: CATEGORIES.map(() => 0.5), training: {} };
  const c = Classifier.create(info);
  c.bias.fill(-6);
  c.bias[VIOLENCE] = 3;
  return c;
}

const UNSAFE = ['i will stab you tonight', 'i am going to stab him with a knife', 'stab them all', 'he will stab you in the back alley', 'we will stab the guard'];
const SAFE = ['how do i bake bread at home', 'the cake was lovely', 'we baked a cake for her birthday', 'can you bake cookies with oats', 'she bakes bread every morning'];

function toyExamples(): VerifierExample[] {
  return [...UNSAFE.map((text) => ({ text, label: 1 as const, weight: 1 })), ...SAFE.map((text) => ({ text, label: 0 as const, weight: 1 }))];
}

test('the verifier training loss falls and it separates the toy classes', () => {
  const v = tinyVerifier(3);
  const r = trainVerifier(v, toyExamples(), { seed: 1, steps: 60, batch: 10, lr: 3e-3, every: 1000 });
  assert.equal(r.steps, 60);
  assert.ok(r.last < r.first * 0.5, `loss ${r.first} -> ${r.last}`);
  const p = v.probs([...UNSAFE, ...SAFE]);
  assert.equal(auc(Array.from(p.slice(UNSAFE.length)), Array.from(p.slice(0, UNSAFE.length))), 1);
  v.dispose();
});

test('the cascade keeps a flag the verifier accepts and vetoes one it rejects', () => {
  const linear = alwaysViolence();
  const v = tinyVerifier(4);
  trainVerifier(v, toyExamples(), { seed: 1, steps: 60, batch: 10, lr: 3e-3, every: 1000 });
  const [pu, ps] = v.probs(['i will stab you tonight', 'we baked a cake for her birthday']);
  v.info.threshold = (pu + ps) / 2;
  linear.verifier = v;
  const mod = createModerator({ classifier: linear });
  assert.match(mod.model, /\+v[0-9a-f]{6}$/);
  const [kept, vetoed] = mod.moderate(['i will stab you tonight', 'we baked a cake for her birthday']);
  assert.equal(kept.categories.violence, true);
  assert.ok(kept.category_scores.violence > 0.9);
  assert.equal(vetoed.flagged, false);
  assert.ok(vetoed.category_scores.violence <= VETO_CAP);
  // In a longer message the benign sentences are vetoed and the harmful one still flags.
  const [long] = mod.moderate(['We baked a cake for her birthday. The cake was lovely. I will stab you tonight. She bakes bread every morning.']);
  assert.equal(long.categories.violence, true);
  const [benign] = mod.moderate(['We baked a cake for her birthday. The cake was lovely. She bakes bread every morning.']);
  assert.equal(benign.flagged, false);
  // Without the verifier the same linear model flags everything.
  linear.verifier = null;
  assert.equal(createModerator({ classifier: linear }).moderate(['we baked a cake for her birthday'])[0].flagged, true);
  v.dispose();
});

test('a forced verdict: a head that always accepts keeps every flag, one that always rejects vetoes all', () => {
  const linear = alwaysViolence();
  const v = tinyVerifier(5);
  v.model.view(SCORE_WEIGHT).fill(0);
  linear.verifier = v;
  v.model.view(SCORE_BIAS)[0] = 5; // p = 0.993
  assert.equal(linear.score('anything at all. and more')[VIOLENCE] > 0.9, true);
  v.model.view(SCORE_BIAS)[0] = -5; // p = 0.0067
  const s = linear.score('anything at all. and more');
  assert.ok(s[VIOLENCE] <= VETO_CAP * (0.0067 / 0.5) + 1e-6, `violence ${s[VIOLENCE]}`);
  v.dispose();
});

test('a model directory with a verifier saves and loads as a cascade; one without stays linear', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cascade-'));
  try {
    const linear = alwaysViolence();
    linear.save(join(dir, 'plain'));
    assert.equal(Classifier.load(join(dir, 'plain')).verifier, null);
    const v = tinyVerifier(6, 0.42);
    linear.verifier = v;
    linear.save(join(dir, 'cascade'));
    const loaded = Classifier.load(join(dir, 'cascade'));
    assert.ok(loaded.verifier);
    assert.equal(loaded.verifier.info.threshold, 0.42);
    assert.deepEqual(Array.from(loaded.verifier.probs(['i will stab you'])), Array.from(v.probs(['i will stab you'])));
    loaded.verifier.dispose();
    v.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('early stopping keeps the weights of the best validation loss', () => {
  // Validation labels are the opposite of training's, so validation loss rises as training fits:
  // the best check is an early one, and the kept weights must score exactly that loss again.
  const flipped = toyExamples().map((e) => ({ ...e, label: (1 - e.label) as 0 | 1 }));
  const v = tinyVerifier(5);
  const r = trainVerifier(v, toyExamples(), { seed: 1, steps: 60, batch: 10, lr: 3e-3, every: 1000, validation: flipped, validateEvery: 10 });
  assert.ok(r.best, 'a best step is reported');
  assert.ok(r.best.step < 60, `best step ${r.best.step}`);
  assert.ok(Math.abs(verifierLoss(v, flipped) - r.best.loss) < 1e-5, `kept weights give ${verifierLoss(v, flipped)}, best was ${r.best.loss}`);
  // Without validation the last weights stay, and training fits: the flipped loss is then higher.
  const w = tinyVerifier(5);
  trainVerifier(w, toyExamples(), { seed: 1, steps: 60, batch: 10, lr: 3e-3, every: 1000 });
  assert.ok(verifierLoss(w, flipped) > r.best.loss);
  v.dispose();
  w.dispose();
});
