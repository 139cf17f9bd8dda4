// `parley data` end to end in a temp directory: generate, grade the references, rank replies, and
// refuse bad input with the line number while writing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './lib/run-in-process.ts';
import { register } from './data.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-data-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runInProcess([register], args);

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('generate writes the five files; a separate process with the same seed writes identical bytes', async () => {
  const a = join(dir, 'a');
  await run(['data', 'generate', '--out', a, '--seed', '4', '--scale', '0.02']);
  assert.deepEqual(readdirSync(a).sort(), ['eval.jsonl', 'pretrain.txt', 'prompts.jsonl', 'sft.jsonl', 'stats.json']);
  const b = join(dir, 'b');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'generate', '--out', b, '--seed', '4', '--scale', '0.02'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  for (const f of readdirSync(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between runs`);
  const stats = JSON.parse(readFileSync(join(a, 'stats.json'), 'utf8'));
  assert.equal(stats.seed, 4);
  assert.ok(stats.totals.uniquePrompts > 0);
});

test('grade: references score 1 in every family, wrong replies do not', async () => {
  const a = join(dir, 'a');
  const evalRows = lines(join(a, 'eval.jsonl'));
  const good = join(dir, 'good.jsonl');
  writeFileSync(good, evalRows.map((r) => JSON.stringify({ prompt: r.prompt, reply: r.meta.reference, meta: r.meta })).join('\n') + '\n');
  const report = JSON.parse(await run(['data', 'grade', '--in', good]));
  assert.equal(report.overall.accuracy, 1);
  assert.equal(Object.keys(report.families).length, 8);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, evalRows.map((r) => JSON.stringify({ prompt: r.prompt, reply: 'Bananas are yellow.', meta: r.meta })).join('\n'));
  const details = join(dir, 'details.jsonl');
  const report2 = JSON.parse(await run(['data', 'grade', '--in', bad, '--details', details]));
  assert.ok(report2.overall.accuracy < 0.2, JSON.stringify(report2.overall));
  assert.equal(lines(details).length, evalRows.length);
  assert.equal(lines(details)[0].line, 1);
});

test('rank: adds a ranking that puts the reference first in gold mode', async () => {
  const prompts = lines(join(dir, 'a', 'prompts.jsonl')).slice(0, 40);
  const input = join(dir, 'rank-in.jsonl');
  writeFileSync(input, prompts.map((p) => JSON.stringify({ ...p, completions: ['Bananas are yellow.', p.meta.reference] })).join('\n') + '\n');
  const out = join(dir, 'rank-out.jsonl');
  const summary = JSON.parse(await run(['data', 'rank', '--in', input, '--out', out, '--gold', '--noise', '0.5']));
  assert.equal(summary.swaps, 0);
  const ranked = lines(out);
  assert.equal(ranked.length, 40);
  for (const r of ranked) {
    assert.deepEqual(r.completions, ['Bananas are yellow.', r.meta.reference]);
    assert.equal(r.ranking[0], 1, JSON.stringify(r));
  }
  const noisy = JSON.parse(await run(['data', 'rank', '--in', input, '--out', out, '--noise', '0.5', '--seed', '3']));
  assert.ok(noisy.swaps > 5 && noisy.swaps < 35, JSON.stringify(noisy));
});

test('bad input names the line and writes nothing', async () => {
  const input = join(dir, 'broken.jsonl');
  const good = lines(join(dir, 'a', 'prompts.jsonl'))[0];
  writeFileSync(input, `${JSON.stringify({ ...good, completions: ['a'] })}\n{"prompt": [\n`);
  const out = join(dir, 'never.jsonl');
  await assert.rejects(run(['data', 'rank', '--in', input, '--out', out]), /broken\.jsonl:2: malformed JSON/);
  assert.ok(!existsSync(out));
  writeFileSync(input, `${JSON.stringify({ ...good, completions: ['a'] })}\n${JSON.stringify({ ...good, completions: ['a'], meta: { ...good.meta, task: 'poetry' } })}\n`);
  await assert.rejects(run(['data', 'rank', '--in', input, '--out', out]), /broken\.jsonl:2: unknown family "poetry"/);
  assert.ok(!existsSync(out));
  writeFileSync(input, JSON.stringify({ prompt: good.prompt, reply: 'x', meta: { ...good.meta, reference: 5 } }) + '\n');
  await assert.rejects(run(['data', 'grade', '--in', input]), /broken\.jsonl:1: meta\.reference is invalid/);
  await assert.rejects(run(['data', 'generate', '--out', join(dir, 'c'), '--seed', 'x']), /--seed must be a whole number/);
  // The real command prints the message without a stack trace and exits with status 2.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'grade', '--in', input], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^parley: .*broken\.jsonl:1: meta\.reference is invalid/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});
