import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvalFile, summaryTable, COLUMNS } from './summarize.ts';
import { UserError } from '../../util/errors.ts';

test('summaryTable puts each run on a row with two-decimal metrics and a dash for missing ones', () => {
  const table = summaryTable([{ name: 'A', metrics: { factAccuracy: 0.5, overallAccuracy: 0.123 } }]).split('\n');
  assert.equal(table.length, 3);
  assert.equal(table[0].split('|').length - 2, COLUMNS.length + 1);
  const cells = table[2].split('|').map((s) => s.trim()).filter(Boolean);
  assert.equal(cells[0], 'A');
  assert.equal(cells[1], '0.50');
  assert.equal(cells[2], '–');
  assert.equal(cells.at(-1), '0.12');
});

test('readEvalFile names the row after the file and rejects files without metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'study-'));
  const good = join(dir, 'B-sft150-eval.json');
  writeFileSync(good, JSON.stringify({ metrics: { factAccuracy: 0.25 } }));
  assert.deepEqual(readEvalFile(good), { name: 'B-sft150', metrics: { factAccuracy: 0.25 } });
  const bad = join(dir, 'x.json');
  writeFileSync(bad, '{"families": {}}');
  assert.throws(() => readEvalFile(bad), (e: unknown) => e instanceof UserError && /no "metrics"/.test(e.message));
  writeFileSync(bad, 'not json');
  assert.throws(() => readEvalFile(bad), (e: unknown) => e instanceof UserError && /x\.json/.test(e.message));
});
