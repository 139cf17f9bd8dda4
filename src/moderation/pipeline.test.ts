// Training end to end on a small corpus: determinism for a seed, and reports changing the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrationShift, PLAIN_SOURCE, runPipeline, withHarmfulSentence } from './pipeline.ts';
import { MODEL_FORMAT } from './classifier.ts';
import { buildCorpus, DEFAULT_CORPUS, MORE_GROUPS } from './corpus.ts';
import { harmWordSentences } from './corpus-wordnet.ts';
import { DEFAULT_FEATURES } from './features.ts';
import { classText } from './lexicon.ts';
import { normalize } from './normalize.ts';
import { DEFAULT_TRAIN } from './trainer.ts';
import { Rng } from './random.ts';
import { reportToExample } from './reports.ts';
import { CATEGORIES } from './taxonomy.ts';

const small = { epochs: 3, dims: 1 << 14, flagTarget: 0, corpus: { perTemplate: 3, definitions: 150, prose: 150, harmWordSentences: 300 } };

test('training is deterministic for a seed and differs across seeds', () => {
  const a = runPipeline({ seed: 5, ...small });
  const b = runPipeline({ seed: 5, ...small });
  const c = runPipeline({ seed: 6, ...small });
  assert.deepEqual(a.classifier.weight, b.classifier.weight);
  assert.deepEqual(a.classifier.bias, b.classifier.bias);
  assert.equal(a.report.version, b.report.version);
  assert.notEqual(a.report.version, c.report.version);
  assert.ok(a.report.heldoutExamples > 100);
  // Even the tiny model beats chance on held-out templates: a check that evaluation is wired up.
  assert.ok(a.report.heldout.flagged.f1 > 0.5, `flagged F1 ${a.report.heldout.flagged.f1}`);
});

test('confirmed reports move the model the way they say', () => {
  const fpText = 'my boss said the launch will slaughter the competition';
  const fnText = 'ur face makes me wanna puke, crawl back under ur rock troll';
  const violence = CATEGORIES.indexOf('violence');
  const harassment = CATEGORIES.indexOf('harassment');
  const base = runPipeline({ seed: 5, ...small }).classifier;
  const reports = [
    ...Array(6).fill(reportToExample({ text: fpText, kind: 'false_positive', categories: ['violence'] })),
    ...Array(6).fill(reportToExample({ text: fnText, kind: 'false_negative', categories: ['harassment'] })),
  ];
  const tuned = runPipeline({ seed: 5, ...small, reports });
  assert.equal(tuned.report.reportExamples, 12);
  const before = [base.score(fpText)[violence], base.score(fnText)[harassment]];
  const after = [tuned.classifier.score(fpText)[violence], tuned.classifier.score(fnText)[harassment]];
  assert.ok(after[0] < before[0] - 0.1 && after[0] < 0.5, `false positive: violence ${before[0]} -> ${after[0]}`);
  assert.ok(after[1] > before[1] + 0.1 && after[1] > 0.5, `false negative: harassment ${before[1]} -> ${after[1]}`);
});

test('long-message metrics: one harmful sentence inserted whole, ordinary text excludes twins', () => {
  const unsafe = [{ text: 'i will stab you', labels: ['violence' as const], source: 'violence#0' }];
  const messages = ['First sentence. Second one! Third?', 'Only one.'];
  const out = withHarmfulSentence(messages, unsafe, new Rng(1));
  assert.equal(out.length, 2);
  for (const [i, m] of out.entries()) {
    const parts = m.text.split(/(?<=[.!?])\s+/);
    assert.equal(parts.length, messages[i].split(/(?<=[.!?])\s+/).length + 1, m.text);
    assert.equal(parts.filter((p) => p === 'I will stab you.').length, 1, m.text);
    assert.deepEqual(m.labels, ['violence']);
  }
  for (const s of ['everyday#3', 'coding#22', 'wordnet', 'world-prose']) assert.ok(PLAIN_SOURCE.test(s), s);
  for (const s of ['twin-crime-safety#2', 'twin-protective#1', 'world-drugs-twin', 'violence#0']) assert.ok(!PLAIN_SOURCE.test(s), s);
});

test('calibration subtracts each category\'s validation-part line from its bias, and a lower target means higher lines', () => {
  const corpus = buildCorpus({ ...DEFAULT_CORPUS, ...small.corpus, seed: 5 });
  const trainOpts = { ...DEFAULT_TRAIN, seed: 5, epochs: 3, features: { ...DEFAULT_FEATURES, dims: 1 << 14 } };
  const info = { format: MODEL_FORMAT as typeof MODEL_FORMAT, version: '', categories: [...CATEGORIES], thresholds: CATEGORIES.map(() => 0.5), training: {} };
  const strict = calibrationShift(corpus.train, 0.01, trainOpts, info);
  const loose = calibrationShift(corpus.train, 0.3, trainOpts, info);
  assert.ok(strict.valSafe > 50, `validation safe texts: ${strict.valSafe}`);
  CATEGORIES.forEach((c, i) => assert.ok(strict.shifts[i] >= loose.shifts[i], `${c}: line at 1% ${strict.shifts[i]} vs at 30% ${loose.shifts[i]}`));
  assert.ok(strict.shifts.some((x, i) => x > loose.shifts[i]));
  const plain = runPipeline({ seed: 5, ...small, flagTarget: 0 });
  const calibrated = runPipeline({ seed: 5, ...small, flagTarget: 0.3 });
  assert.equal(plain.report.calibration, undefined);
  assert.deepEqual(calibrated.classifier.weight, plain.classifier.weight);
  const shifts = calibrated.report.calibration!.shifts;
  assert.deepEqual(shifts, loose.shifts);
  for (let c = 0; c < CATEGORIES.length; c++) assert.ok(Math.abs(calibrated.classifier.bias[c] - (plain.classifier.bias[c] - shifts[c])) < 1e-5);
});

test('the second template set leaves the first set and the world examples as they were', () => {
  const names = new Set(MORE_GROUPS.map((g) => g.name));
  const opts = { ...DEFAULT_CORPUS, ...small.corpus, seed: 5 };
  const without = buildCorpus({ ...opts, moreTemplates: false }).heldout;
  const withMore = buildCorpus(opts).heldout;
  const fromMore = withMore.filter((e) => names.has(e.source.split('#')[0]));
  assert.ok(fromMore.length > 100);
  assert.deepEqual(withMore.filter((e) => !names.has(e.source.split('#')[0])), without);
  assert.ok(withMore.some((e) => e.source === 'wordnet-harm'));
});

test('WordNet sentences with a lexicon word: everyday senses, nothing marked offensive', () => {
  const s = harmWordSentences();
  assert.ok(s.length > 5000, `${s.length}`);
  for (const t of s) assert.match(classText(normalize(t)), /__\w+__/, t);
  assert.ok(!s.some((t) => /\b(offensive|obscene|slur)\b/i.test(t)));
  assert.ok(s.some((t) => t.startsWith('cleaver: ')), 'a kitchen knife definition');
});
