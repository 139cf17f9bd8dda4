// `parley eval` and `parley report` through commander, in-process: JSON output on a tiny random model,
// the text table, the report of a run directory, and flag errors that name the flag.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from './lib/run-in-process.ts';
import { register as registerEval } from './eval.ts';
import { register as registerReport } from './report.ts';
import { shutdownEngine } from '../engine/ops.ts';
import { tinyCheckpoints } from '../training/eval/test-fixtures.ts';

const ck = await tinyCheckpoints();
after(async () => {
  rmSync(ck.root, { recursive: true, force: true });
  await shutdownEngine();
});

const run = (args: string[]) => runInProcess([registerEval, registerReport], args);

test('parley eval --json prints the result; without --json a table with targets', async () => {
  const r = JSON.parse(await run(['eval', '--model', ck.policy, '--against', ck.other, '--limit', '1', '--max-tokens', '4', '--json']));
  assert.equal(r.metrics.prompts, 8);
  assert.equal(r.against.comparison.n, 8);
  assert.equal(r.settings.maxTokens, 4);
  const text = await run(['eval', '--model', ck.policy, '--limit', '1', '--max-tokens', '4']);
  assert.match(text, /^metric +model +target/);
  assert.match(text, /fact accuracy +\d\.\d{3} +>= 0\.9 (met|MISSED by \d\.\d{3})/);
  assert.match(text, /8 prompts in/);
});

test('parley eval: bad flags are UserErrors that name the flag', async () => {
  await assert.rejects(run(['eval', '--model', ck.policy, '--limit', 'many']), (e: Error & { userFacing?: boolean }) => e.userFacing === true && /--limit must be a whole number/.test(e.message));
  await assert.rejects(run(['eval', '--model', ck.policy, '--temperature', '-1']), /--temperature must be a number >= 0/);
  await assert.rejects(run(['eval', '--model', ck.policy, '--data', join(ck.root, 'nope.jsonl')]), /no such file/);
});

test('parley report --run DIR writes report.html and report.md', async () => {
  const dir = join(ck.root, 'run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'metrics.jsonl'), '{"stage":"sft","step":0,"loss":3}\n{"stage":"sft","step":1,"loss":2.5}\n');
  const r = JSON.parse(await run(['report', '--run', dir]));
  assert.ok(existsSync(r.html) && existsSync(r.markdown));
  assert.equal(r.targetsMeasured, 0);
});
