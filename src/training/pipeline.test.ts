// The tiny preset end to end: every stage connects, losses fall, the run resumes where it stopped,
// and the run directory holds what README.md promises. Asserts no quality targets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shutdownEngine } from '../engine/ops.ts';
import { runPipeline, stepNames } from './pipeline.ts';
import { readState, writeJsonAtomic } from './run-dir.ts';
import { rankingPairs } from './dpo.ts';
import { readRankings } from './datasets.ts';

const quietLog = () => {};

const dir = mkdtempSync(join(tmpdir(), 'parley-pipeline-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

test('tiny pipeline: stages connect, losses fall, re-running resumes from the last finished step', async () => {
  const out = join(dir, 'run');
  const quiet = () => {};
  await runPipeline({ out, preset: 'tiny', iterations: 2, stopAfter: 'pretrain', log: quiet });
  const first = readState(out);
  assert.deepEqual(Object.keys(first.steps), ['data', 'tokenizer', 'pretrain']);
  const pre = first.steps.pretrain.metrics;
  assert.ok(pre.heldoutAfter < pre.heldoutBefore - 0.3, `pretraining held-out loss should fall: ${pre.heldoutBefore} → ${pre.heldoutAfter}`);

  const logs: string[] = [];
  await runPipeline({ out, preset: 'tiny', iterations: 2, log: (l) => logs.push(l) });
  const state = readState(out);
  assert.deepEqual(Object.keys(state.steps), stepNames(2));
  for (const s of ['data', 'tokenizer', 'pretrain']) {
    assert.equal(state.steps[s].finished, first.steps[s].finished, `${s} must not run again`);
    assert.ok(logs.some((l) => l.includes(`${s} already finished`)));
  }
  const sft = state.steps.sft.metrics;
  assert.ok(sft.heldoutAfter < sft.heldoutBefore, `SFT held-out loss should fall: ${sft.heldoutBefore} → ${sft.heldoutAfter}`);
  for (const i of [1, 2]) {
    const r = state.steps[`reward-${i}`].metrics;
    assert.ok(r.heldout_accuracy >= 0 && r.heldout_accuracy <= 1 && r.gain > 0);
    const p = state.steps[`ppo-${i}`].metrics;
    assert.ok(Number.isFinite(p.score_last) && Number.isFinite(p.kl_last) && p.steps > 0);
    const prov = JSON.parse(readFileSync(join(out, `ppo-${i}`, 'parley.json'), 'utf8'));
    assert.equal(prov.stage, 'ppo');
    assert.match(prov.parent, i === 1 ? /sft$/ : /ppo-1$/); // later rounds continue the last policy
    assert.ok(Object.values(prov.datasets).every((h) => String(h).startsWith('sha256:')));
  }
  // Round 2's reward model learned from every ranking so far.
  const rewardProv = JSON.parse(readFileSync(join(out, 'reward-2', 'parley.json'), 'utf8'));
  assert.equal(Object.keys(rewardProv.datasets).filter((f) => /rankings-\d\.jsonl$/.test(f)).length, 2);
  assert.ok(rewardProv.calibration.gain > 0);
  for (const d of ['pretrain', 'sft', 'reward-1', 'ppo-2']) {
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'parley.json']) assert.ok(existsSync(join(out, d, f)), `${d}/${f}`);
  }
  assert.match(readFileSync(join(out, 'reward-1', 'config.json'), 'utf8'), /LlamaForSequenceClassification/);

  // metrics.jsonl: {"stage","step","time",...numbers}, one stage name per step, PPO's required fields.
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const l of lines) {
    assert.equal(typeof l.stage, 'string');
    assert.ok(Number.isInteger(l.step));
    assert.ok(!Number.isNaN(Date.parse(l.time)));
    for (const [k, v] of Object.entries(l)) if (!['stage', 'time'].includes(k)) assert.equal(typeof v, 'number', `${l.stage}.${k}`);
  }
  const stages = new Set(lines.map((l) => l.stage));
  for (const s of ['pretrain', 'sft', 'reward-1', 'ppo-1', 'reward-2', 'ppo-2']) assert.ok(stages.has(s), `metrics of ${s}`);
  const ppoLine = lines.find((l) => l.stage === 'ppo-1' && l.step === 0);
  for (const k of ['score', 'kl', 'entropy', 'length', 'clip_frac', 'value_loss']) assert.equal(typeof ppoLine[k], 'number', k);
  assert.ok(existsSync(join(out, 'eval', 'eval.json')));
  assert.ok(existsSync(join(out, 'report', 'report.html')));

  // A third run has nothing left to do.
  const again: string[] = [];
  await runPipeline({ out, preset: 'tiny', iterations: 2, log: (l) => again.push(l) });
  assert.equal(again.filter((l) => l.includes('already finished')).length, stepNames(2).length);
  await assert.rejects(runPipeline({ out, preset: 'small', iterations: 2, log: quiet }), /started with --preset tiny/);
});

test('--compare on a finished run: only dpo and compare run, the report is rewritten with the comparison table', async () => {
  const out = join(dir, 'run');
  assert.ok(existsSync(join(out, 'ppo-2')), 'needs the first test\'s run');
  const before = readState(out);
  const logs: string[] = [];
  await runPipeline({ out, preset: 'tiny', iterations: 2, compare: { beta: 0.2, n: 3 }, log: (l) => logs.push(l) });
  const state = readState(out);
  assert.deepEqual(Object.keys(state.steps).sort(), stepNames(2, true).sort());
  for (const s of stepNames(2)) {
    if (s !== 'report') assert.equal(state.steps[s].finished, before.steps[s].finished, `${s} must not run again`);
  }
  assert.notEqual(state.steps.report.finished, before.steps.report.finished, 'the report is rewritten');
  assert.deepEqual(logs.filter((l) => / …$/.test(l)), ['pipeline: dpo …', 'pipeline: compare …', 'pipeline: report …']);

  // DPO learned from the pairs of both rounds' rankings, from the SFT model, with the β asked for.
  const pairs = [1, 2].flatMap((i) => rankingPairs(readRankings(join(out, `rankings-${i}.jsonl`))));
  assert.equal(readFileSync(join(out, 'dpo-pairs.jsonl'), 'utf8').trim().split('\n').length, pairs.length);
  const dpo = state.steps.dpo.metrics;
  assert.equal(dpo.steps, dpo.planned_steps);
  assert.ok(dpo.pairs > 0 && dpo.pairs <= pairs.length && Number.isFinite(dpo.loss));
  const prov = JSON.parse(readFileSync(join(out, 'dpo', 'parley.json'), 'utf8'));
  assert.equal(prov.stage, 'dpo');
  assert.match(prov.parent, /sft$/);
  assert.equal(prov.config.beta, 0.2);

  // The comparison: the main eval's prompts, win rates against SFT, DPO's measured KL, best-of-3's bound.
  const c = state.steps.compare.metrics;
  const main = JSON.parse(readFileSync(join(out, 'eval', 'eval.json'), 'utf8'));
  const cmp = JSON.parse(readFileSync(join(out, 'eval', 'compare.json'), 'utf8'));
  assert.equal(cmp.data.prompts, main.data.prompts);
  assert.deepEqual(cmp.data.families, main.data.families);
  for (const k of ['dpo_winRate', 'bon_winRate']) assert.ok(c[k] >= 0 && c[k] <= 1, `${k} ${c[k]}`);
  assert.ok(c.dpo_kl >= 0 && Number.isFinite(c.dpo_kl));
  assert.equal(c.n, 3);
  assert.ok(Math.abs(c.bon_klBound - (Math.log(3) - 2 / 3)) < 1e-5);
  assert.ok(cmp.bestOfN.meanRewardScore >= cmp.bestOfN.meanSampleScore, 'the reward model\'s favourite scores at least the samples\' mean');
  assert.equal(cmp.dpo.comparison.wins + cmp.dpo.comparison.losses + cmp.dpo.comparison.ties, cmp.data.prompts);
  assert.equal(cmp.sft.metrics.prompts, main.data.prompts);

  const md = readFileSync(join(out, 'report', 'report.md'), 'utf8');
  assert.match(md, /## PPO vs DPO vs best-of-n vs SFT/);
  assert.match(md, /\| metric \| SFT \| PPO \| DPO \(β 0\.2\) \| best-of-3 \|/);
  assert.ok(md.includes(`| KL to SFT (nats per reply) | 0 | ${main.against.comparison.kl.toFixed(2)} | ${cmp.dpo.comparison.kl.toFixed(2)} | ≤ ${(Math.log(3) - 2 / 3).toFixed(2)} |`));
  assert.match(readFileSync(join(out, 'report', 'report.html'), 'utf8'), /<h2>PPO vs DPO vs best-of-n vs SFT<\/h2>/);

  // Nothing left to do with the same settings; another n redoes only the comparison (and the report).
  const again: string[] = [];
  await runPipeline({ out, preset: 'tiny', iterations: 2, compare: { beta: 0.2, n: 3 }, log: (l) => again.push(l) });
  assert.equal(again.filter((l) => l.includes('already finished')).length, stepNames(2, true).length);
  const other: string[] = [];
  await runPipeline({ out, preset: 'tiny', iterations: 2, compare: { beta: 0.2, n: 2 }, stopAfter: 'compare', log: (l) => other.push(l) });
  assert.deepEqual(other.filter((l) => / …$/.test(l)), ['pipeline: compare …']);
  assert.equal(readState(out).steps.compare.metrics.n, 2);
  await assert.rejects(runPipeline({ out, preset: 'tiny', iterations: 2, compare: { beta: 0, n: 2 }, log: quietLog }), /--dpo-beta must be a number > 0/);
});

test('--rankings FILE: rankings people made replace the simulated ranker, checked like any dataset', async () => {
  const done = join(dir, 'run');
  assert.ok(existsSync(join(done, 'sft')), 'needs the first test\'s run');
  const out = join(dir, 'human');
  cpSync(done, out, { recursive: true });
  const state = readState(out);
  for (const k of Object.keys(state.steps)) if (!['data', 'tokenizer', 'pretrain', 'sft'].includes(k)) delete state.steps[k];
  writeJsonAtomic(join(out, 'state.json'), state);
  const prompt = [{ role: 'user', content: 'What is the capital of France?' }];
  const human = join(dir, 'human-rankings.jsonl');
  const rows = Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt, completions: ['Paris.', `It is ${'very '.repeat(i)}Lyon.`, 'Paris is the capital of France.'], ranking: [0, 2, 1] }));
  writeFileSync(human, rows.join('\n') + '\n');
  await runPipeline({ out, preset: 'tiny', iterations: 2, rankings: human, stopAfter: 'reward-1', log: () => {} });
  const after = readState(out);
  assert.equal(after.steps['rankings-1'].metrics.from_file, 1);
  assert.equal(readFileSync(join(out, 'rankings-1.jsonl'), 'utf8'), readFileSync(human, 'utf8'));
  assert.ok(after.steps['reward-1'] && !after.steps['ppo-1']);
  writeFileSync(human, JSON.stringify({ prompt, completions: ['Paris.'], ranking: [0] }) + '\n');
  const again = join(dir, 'human2');
  cpSync(done, again, { recursive: true });
  writeJsonAtomic(join(again, 'state.json'), state);
  await assert.rejects(runPipeline({ out: again, preset: 'tiny', iterations: 2, rankings: human, log: () => {} }), /human-rankings\.jsonl:1: a ranking needs K >= 2/);
});
