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
