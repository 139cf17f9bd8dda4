import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport, readReports, reportToExample, REPORT_WEIGHT } from './reports.ts';

test('a false negative becomes a positive example for the named categories and their parents', () => {
  const e = reportToExample({ text: 'u r going 2 regret this, watch ur back', kind: 'false_negative', categories: ['harassment/threatening'] });
  assert.deepEqual(new Set(e.labels), new Set(['harassment/threatening', 'harassment']));
  assert.deepEqual(new Set(e.mask), new Set(['harassment/threatening', 'harassment']));
  assert.equal(e.weight, REPORT_WEIGHT);
});

test('a false positive becomes a negative example for the named categories and their children', () => {
  const e = reportToExample({ text: 'kill the lights', kind: 'false_positive', categories: ['violence'] });
  assert.deepEqual(e.labels, []);
  assert.deepEqual(new Set(e.mask), new Set(['violence', 'violence/graphic']));
  const all = reportToExample({ text: 'kill the lights', kind: 'false_positive', categories: [] });
  assert.equal(all.mask, undefined, 'no categories named: negative for every category');
  assert.throws(() => reportToExample({ text: 'x', kind: 'false_negative', categories: [] }), /must name the categories/);
});

test('report JSONL: confirmed only, with errors that give file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-reports-'));
  const file = join(dir, 'reports.jsonl');
  writeFileSync(
    file,
    [
      JSON.stringify({ text: 'kill the lights', kind: 'false_positive', categories: ['violence'], status: 'confirmed' }),
      JSON.stringify({ text: 'ignored', kind: 'false_positive', categories: [], status: 'pending' }),
      '',
      JSON.stringify({ text: 'you are vermin', kind: 'false_negative', categories: ['harassment'] }),
    ].join('\n'),
  );
  const ex = readReports(file);
  assert.deepEqual(ex.map((e) => e.text), ['kill the lights', 'you are vermin']);
  writeFileSync(file, JSON.stringify({ text: 'x', kind: 'false_negative', categories: ['gore'] }) + '\n');
  assert.throws(() => readReports(file), /reports\.jsonl:1: unknown category "gore"/);
  writeFileSync(file, '{"text": "ok", "kind": "false_positive"}\nnot json\n');
  assert.throws(() => readReports(file), /reports\.jsonl:2: not valid JSON/);
  assert.throws(() => readReports(join(dir, 'nope.jsonl')), /cannot read reports file .*ENOENT/);
  assert.throws(() => parseReport({ text: '', kind: 'false_positive' }, 'r'), /r: text is empty/);
  assert.throws(() => parseReport({ text: 'a', kind: 'wrong' }, 'r'), /kind must be "false_positive" or "false_negative"/);
});
