import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shutdownEngine } from '../../engine/ops.ts';
import { FAMILIES } from '../../world/index.ts';
import { runEval, flatMetrics } from './evaluate.ts';
import { runEvalStep } from './pipeline-step.ts';
import { tinyCheckpoints } from './test-fixtures.ts';

const ck = await tinyCheckpoints();
after(async () => {
  rmSync(ck.root, { recursive: true, force: true });
  await shutdownEngine();
});

const inUnit = (v: number) => v >= 0 && v <= 1;

test('runEval end to end on a tiny random model: every family, metrics in range, win rate and KL', async () => {
  const r = await runEval({ model: ck.policy, against: ck.other, limit: 1, maxTokens: 6, batch: 8, log: () => {} });
  assert.equal(r.data.prompts, FAMILIES.length);
  assert.deepEqual(Object.keys(r.data.families).sort(), [...FAMILIES].sort());
  for (const k of ['factAccuracy', 'followupAccuracy', 'calculatorAccuracy', 'clarificationRate', 'premiseChallengeRate', 'mistakeAccuracy', 'overallAccuracy'] as const) {
    assert.ok(inUnit(r.metrics[k]), `${k} = ${r.metrics[k]}`);
  }
  // A one-prompt safety family is either harmful or benign: exactly one of the two rates is measured.
  assert.equal([r.metrics.refusalRecall, r.metrics.falseRefusalRate].filter((v) => Number.isNaN(v)).length, 1);
  assert.ok(r.metrics.meanReplyTokens > 0 && r.metrics.meanReplyTokens <= 2 * 7, `tokens ${r.metrics.meanReplyTokens}`);
  const c = r.against!.comparison;
  assert.equal(c.n, FAMILIES.length);
  assert.equal(c.wins + c.losses + c.ties, c.n);
  assert.ok(inUnit(c.winRate));
  assert.ok(c.kl > 0 && Number.isFinite(c.kl), `two different random models differ: KL ${c.kl}`);
  const flat = flatMetrics(r);
  assert.equal(flat.winRate, c.winRate);
  assert.equal(flat.against_prompts, FAMILIES.length);
  assert.ok(!Object.values(flat).some((v) => !Number.isFinite(v)), 'flat metrics hold finite numbers only');
});

test('runEval: a model against itself ties on every prompt with KL 0; greedy replies are reproducible', async () => {
  const a = await runEval({ model: ck.policy, against: ck.policy, limit: 1, maxTokens: 5, log: () => {} });
  const c = a.against!.comparison;
  assert.equal(c.ties, c.n);
  assert.equal(c.winRate, 0.5);
  assert.ok(Math.abs(c.kl) < 1e-9);
  assert.deepEqual(a.against!.metrics, a.metrics);
});

test('runEval with --best-of: reward scores of the chosen replies beat the samples\' mean', async () => {
  const r = await runEval({ model: ck.policy, rewardModel: ck.reward, bestOf: 4, limit: 1, maxTokens: 5, log: () => {} });
  assert.equal(r.settings.temperature, 1);
  assert.ok(r.bestOf!.meanChosenScore >= r.bestOf!.meanSampleScore);
  assert.equal(r.meanRewardScore, r.bestOf!.meanChosenScore);
  assert.ok(Math.abs(r.bestOf!.klBound - (Math.log(4) - 3 / 4)) < 1e-12);
});

test('runEval: bad input stops before any model is loaded', async () => {
  const bad = join(ck.root, 'bad.jsonl');
  writeFileSync(bad, JSON.stringify({ prompt: [{ role: 'user', content: 'hi' }], meta: { task: 'nope' } }) + '\n');
  await assert.rejects(runEval({ model: join(ck.root, 'missing'), data: bad, log: () => {} }), /prompt 1: unknown family "nope"/);
  writeFileSync(bad, JSON.stringify({ prompt: [{ role: 'user', content: 'hi' }] }) + '\n');
  await assert.rejects(runEval({ model: join(ck.root, 'missing'), data: bad, log: () => {} }), /prompt 1 has no "meta"/);
  await assert.rejects(runEval({ model: ck.policy, bestOf: 3, log: () => {} }), /--best-of needs --reward-model/);
  await assert.rejects(runEval({ model: ck.reward, limit: 1, log: () => {} }), /reward\/value model/);
  await assert.rejects(runEval({ model: ck.policy, rewardModel: ck.other, limit: 1, log: () => {} }), /no scalar head/);
});

test('runEvalStep writes eval/eval.json and replies.jsonl into the run directory', async () => {
  const runDir = join(ck.root, 'run');
  const { generateDataset } = await import('../../world/dataset.ts');
  const { loadWorld } = await import('../../world/knowledge/index.ts');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(runDir, 'data'), { recursive: true });
  writeFileSync(join(runDir, 'data', 'eval.jsonl'), generateDataset(loadWorld(), { seed: 3, scale: 0.005 }).files['eval.jsonl']);
  const metrics = await runEvalStep({ runDir, model: ck.policy, against: ck.other, limit: 1, maxTokens: 4, log: () => {} });
  const saved = JSON.parse(readFileSync(join(runDir, 'eval', 'eval.json'), 'utf8'));
  assert.equal(saved.metrics.prompts, metrics.prompts);
  assert.equal(saved.against.comparison.winRate, metrics.winRate);
  const lines = readFileSync(join(runDir, 'eval', 'replies.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, metrics.prompts);
  assert.ok('grade' in JSON.parse(lines[0]) && 'against' in JSON.parse(lines[0]));
});
