// Training end to end on a small corpus: determinism for a seed, and reports changing the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLAIN_SOURCE, runPipeline, withHarmfulSentence } from './pipeline.ts';
import { Rng } from './random.ts';
import { reportToExample } from './reports.ts';
import { CATEGORIES } from './taxonomy.ts';

const small = { epochs: 3, dims: 1 << 14, corpus: { perTemplate: 3, definitions: 150, prose: 150 } };

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
