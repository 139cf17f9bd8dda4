import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConfig, toHfConfig } from '../../engine/config.ts';
import { expectedTensors, type HfLlamaConfig as HfConfig } from '../../engine/checkpoint.ts';
import type { EvalResult, CompareResult } from '../eval/result.ts';
import { aggregate } from '../eval/metrics.ts';
import { writeRunReport } from './pipeline-step.ts';
import { checkTargets } from './targets.ts';
import { lineChart, niceTicks, movingAverage, roughness } from './svg-chart.ts';
import { parameterCount, readRun } from './read-run.ts';

const root = mkdtempSync(join(tmpdir(), 'parley-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A run directory as the pipeline leaves it, with made-up numbers we can look for in the report. */
function syntheticRun(dir: string, withEval = true): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'ppo-1'), { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ preset: 'tiny', config: {}, created: '2026-11-26T13:00:00.000Z' }));
  const step = (seconds: number, out: string) => ({ finished: '2026-11-26T13:10:00.000Z', seconds, out, metrics: {} });
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ steps: { data: step(2.5, 'data'), pretrain: step(61, 'pretrain'), sft: step(30, 'sft'), 'reward-1': step(12, 'reward-1'), 'ppo-1': step(95, 'ppo-1') } }));
  const lines: object[] = [];
  for (let s = 0; s < 30; s++) lines.push({ stage: 'pretrain', step: s, time: 't', loss: 5 - s * 0.1, lr: 0.001, tokens: 100 });
  for (let s = 0; s < 5; s++) lines.push({ stage: 'sft', step: s, time: 't', loss: 2 - s * 0.2 });
  for (let s = 0; s < 4; s++) lines.push({ stage: 'reward-1', step: s, time: 't', loss: 0.7 - s * 0.05, accuracy: 0.5 + s * 0.1 });
  lines.push({ stage: 'reward-1', step: -1, time: 't', heldout_accuracy: 0.777, gain: 1.3, rankings: 900 });
  for (let s = 0; s < 6; s++) lines.push({ stage: 'ppo-1', step: s, time: 't', score: 0.1 * s, kl: 0.01 * s, entropy: 2 });
  for (const l of lines) appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(l) + '\n');
  writeFileSync(join(dir, 'data', 'stats.json'), JSON.stringify({ seed: 0, scale: 0.1, totals: { sft: 1200, prompts: 400, eval: 160 }, families: { factual: { sft: 150, prompts: 50, eval: 20 } } }));
  writeFileSync(join(dir, 'ppo-1', 'config.json'), JSON.stringify(toHfConfig(makeConfig({ vocab: 512, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 128, ctx: 256, tied: true }))));
  writeFileSync(join(dir, 'ppo-1', 'parley.json'), JSON.stringify({ stage: 'ppo' }));
  writeFileSync(join(dir, 'notes.md'), 'Tried a *higher* KL coefficient.\n');
  if (!withEval) return;
  const metrics = { ...aggregate([]), factAccuracy: 0.95, followupAccuracy: 0.8, calculatorAccuracy: 0.7, falseRefusalRate: 0.1, refusalRecall: 0.96, prompts: 160 };
  const result: EvalResult = {
    path: join(dir, 'ppo-1'), metrics, families: { factual: { n: 20, accuracy: 0.95, meanScore: 0.9, verboseShare: 0, labels: { correct: 19, wrong: 1 } } },
    data: { file: join(dir, 'data', 'eval.jsonl'), seed: null, prompts: 160, families: { factual: 20 } },
    settings: { maxTokens: 64, temperature: 0, seed: 0, batch: 16, bestOf: 1, rewardModel: null },
    against: { path: join(dir, 'sft'), metrics: { ...metrics, factAccuracy: 0.85 }, families: {}, comparison: { winRate: 0.55, wins: 80, losses: 64, ties: 16, n: 160, kl: 3.25, klPerToken: 0.2 } },
    seconds: 12,
  };
  mkdirSync(join(dir, 'eval'), { recursive: true });
  writeFileSync(join(dir, 'eval', 'eval.json'), JSON.stringify(result));
}

test('checkTargets: met, missed and by how much, in both directions', () => {
  const c = new Map(checkTargets({ factAccuracy: 0.95, calculatorAccuracy: 0.7, falseRefusalRate: 0.1, refusalRecall: 0.95 }).map((t) => [t.key, t]));
  assert.equal(c.get('factAccuracy')!.met, true);
  assert.ok(Math.abs(c.get('factAccuracy')!.gap! - 0.05) < 1e-12);
  assert.equal(c.get('calculatorAccuracy')!.met, false);
  assert.ok(Math.abs(c.get('calculatorAccuracy')!.gap! + 0.2) < 1e-12);
  assert.equal(c.get('falseRefusalRate')!.met, false, '≤ 0.05 target with 0.1');
  assert.equal(c.get('refusalRecall')!.met, true, 'exactly on the target counts as met');
  assert.equal(c.get('winRate')!.met, null);
});

test('parameterCount agrees with the engine\'s list of checkpoint tensors', () => {
  for (const tied of [true, false]) {
    const cfg = toHfConfig(makeConfig({ vocab: 300, dim: 48, layers: 3, heads: 6, kvHeads: 2, ffn: 100, tied })) as unknown as HfConfig;
    const want = expectedTensors(cfg).filter((t) => !t.optional).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(parameterCount({ vocab: 300, hidden: 48, layers: 3, heads: 6, kvHeads: 2, ffn: 100, tied, headDim: 8 }), want);
  }
});

test('svg chart: nice ticks, moving average, smoothing only noisy series, escaped title', () => {
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.5, 1]);
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.3, 0.3, 3), [-0.2, 0, 0.2]);
  assert.deepEqual(movingAverage([1, 2, 3, 10], 1), [1.5, 2, 5, 6.5]);
  assert.equal(roughness([1, 2, 3, 4, 5]), 0, 'a straight line is not noisy');
  assert.ok(roughness([0, 1, 0, 1, 0]) > 1);
  const svg = lineChart([[0, 1], [1, 3], [2, 2]], { title: 'a<b' });
  assert.match(svg, /^<svg[^>]*>/);
  assert.match(svg, /a&lt;b/);
  assert.equal((svg.match(/<path /g) ?? []).length, 1);
  assert.match(svg, /last 2</);
  const noisy = lineChart(Array.from({ length: 40 }, (_, i) => [i, Math.sin(i)] as [number, number]), { title: 'x' });
  assert.equal((noisy.match(/<path /g) ?? []).length, 2, 'raw and smoothed');
  const smooth = lineChart(Array.from({ length: 40 }, (_, i) => [i, 2 - i * 0.01] as [number, number]), { title: 'x' });
  assert.equal((smooth.match(/<path /g) ?? []).length, 1, 'a smooth series is drawn as it is');
  assert.match(lineChart([], { title: 'empty' }), /no data/);
});

test('writeRunReport: HTML with curves, eval table and targets; markdown too', async () => {
  const dir = join(root, 'run-a');
  syntheticRun(dir);
  const r = await writeRunReport({ runDir: dir });
  assert.equal(r.targetsMeasured, 6);
  assert.equal(r.targetsMet, 3, 'fact, follow-up (exactly 0.8), refusal recall');
  const html = readFileSync(r.html, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /3 of 9 targets met \(3 not measured\)/);
  for (const stage of ['pretrain', 'sft', 'reward-1', 'ppo-1']) assert.match(html, new RegExp(`<h3>${stage}</h3><div class="charts"><svg`));
  assert.match(html, /aria-label="kl"/);
  assert.match(html, /aria-label="score"/);
  assert.doesNotMatch(html, /aria-label="lr"/, 'bookkeeping fields are not plotted');
  assert.match(html, /calculator accuracy<\/td><td class="n">0\.700<\/td><td class="n">0\.700<\/td><td>≥ 0\.9<\/td><td class="missed">missed by 0\.200/);
  assert.match(html, /false refusals \(benign twins\)<\/td><td class="n">0\.100<\/td>.*?missed by 0\.050/);
  assert.match(html, /fact accuracy<\/td><td class="n">0\.950<\/td><td class="n">0\.850<\/td>.*?met \(\+0\.050\)/);
  assert.match(html, /win rate\) at KL 3\.25 nats\/reply<\/td><td class="n">0\.550<\/td>.*?missed by 0\.050/);
  assert.match(html, /80 wins, 64 losses, 16 ties of 160/);
  assert.match(html, /heldout_accuracy<\/td><td class="n">0\.777/);
  assert.match(html, /ppo-1<\/td><td class="n">1 min 35 s/);
  assert.match(html, /total<\/th><th class="n">3 min 21 s/);
  assert.match(html, /attention heads \/ kv heads<\/td><td>4 \/ 2/);
  assert.match(html, /Tried a <em>higher<\/em> KL coefficient/);
  const md = readFileSync(r.markdown, 'utf8');
  assert.match(md, /\*\*3 of 9 targets met\*\* \(3 not measured\)/);
  assert.match(md, /\| calculator accuracy \| 0\.700 \| 0\.700 \| ≥ 0\.9 \| missed by 0\.200 \|/);
  assert.match(md, /\| pretrain \| loss \| 30 \| 5\.000 \| 2\.100 \| 2\.100 \| 5\.000 \|/);
  assert.match(md, /\| ppo-1 \| kl \| 6 \| 0\.00 \| 0\.05 \|/);
  assert.match(md, /- \*\*reward-1\*\*: heldout_accuracy 0\.777, gain 1\.3, rankings 900$/m);
  assert.match(md, /## Notes: what was tried/);
});

test('a run without an evaluation still gets a report; a directory that is not a run is refused', async () => {
  const dir = join(root, 'run-b');
  syntheticRun(dir, false);
  const out = join(root, 'elsewhere');
  const r = await writeRunReport({ runDir: dir, outDir: out });
  assert.equal(r.targetsMeasured, 0);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /No evaluation yet/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /_No evaluation yet._/);
  assert.equal(readRun(dir).model!.parameters, parameterCount({ vocab: 512, hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 128, tied: true, headDim: 16 }));
  mkdirSync(join(root, 'empty'));
  await assert.rejects(writeRunReport({ runDir: join(root, 'empty') }), /not a run directory/);
  await assert.rejects(writeRunReport({ runDir: join(root, 'missing') }), /no run directory/);
  writeFileSync(join(root, 'empty', 'metrics.jsonl'), '{"stage":"x"}\n');
  await assert.rejects(writeRunReport({ runDir: join(root, 'empty') }), /metrics\.jsonl:1: a metrics line needs/);
});

test('a --compare run: the table PPO vs DPO vs best-of-n vs SFT, and a stale compare.json is left out', async () => {
  const dir = join(root, 'run-c');
  syntheticRun(dir);
  const m = (fact: number) => ({ ...aggregate([]), factAccuracy: fact, overallAccuracy: fact / 2, prompts: 160 });
  const cmp: CompareResult = {
    data: { file: join(dir, 'data', 'eval.jsonl'), prompts: 160, families: { factual: 20 } },
    settings: { maxTokens: 64, seed: 0, batch: 16, n: 4, temperature: 1, rewardModel: join(dir, 'reward-1') },
    sft: { path: join(dir, 'sft'), metrics: m(0.85), families: {}, meanRewardScore: -0.1 },
    dpo: { path: join(dir, 'dpo'), metrics: m(0.875), families: {}, meanRewardScore: 0.2, comparison: { winRate: 0.6, wins: 90, losses: 58, ties: 12, n: 160, kl: 1.5, klPerToken: 0.1 } },
    bestOfN: { path: join(dir, 'sft'), metrics: m(0.9), families: {}, meanRewardScore: 0.9, n: 4, temperature: 1, comparison: { winRate: 0.7, wins: 110, losses: 46, ties: 4, n: 160, klBound: Math.log(4) - 0.75 }, meanSampleScore: 0.05 },
    seconds: 3,
  };
  writeFileSync(join(dir, 'eval', 'compare.json'), JSON.stringify(cmp));
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...run, compare: { beta: 0.25, n: 4 } }));

  // compare.json without a finished `compare` step (forgotten when --iterations was raised) is stale.
  let md = readFileSync((await writeRunReport({ runDir: dir })).markdown, 'utf8');
  assert.doesNotMatch(md, /PPO vs DPO/);

  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  state.steps.compare = { finished: '2026-11-26T13:20:00.000Z', seconds: 3, out: 'eval/compare.json', metrics: {} };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  const r = await writeRunReport({ runDir: dir });
  md = readFileSync(r.markdown, 'utf8');
  assert.match(md, /## PPO vs DPO vs best-of-n vs SFT/);
  assert.match(md, /\| metric \| SFT \| PPO \| DPO \(β 0\.25\) \| best-of-4 \|/);
  assert.match(md, /\| win rate vs SFT \(wins\/losses\/ties\) \| — \| 0\.550 \(80\/64\/16\) \| 0\.600 \(90\/58\/12\) \| 0\.700 \(110\/46\/4\) \|/);
  assert.match(md, /\| KL to SFT \(nats per reply\) \| 0 \| 3\.25 \| 1\.50 \| ≤ 0\.64 \|/);
  assert.match(md, /\| mean reward-model score \| -0\.10 \| — \| 0\.20 \| 0\.90 \|/, 'the synthetic main eval had no reward model');
  assert.match(md, /\| fact accuracy \| 0\.850 \| 0\.950 \| 0\.875 \| 0\.900 \|/);
  assert.doesNotMatch(md.split('## PPO vs DPO')[1].split('## Training curves')[0], /\| prompts \|/, 'the prompt count is a note, not a row');
  assert.match(md, /Best-of-4: 4 samples of the SFT model at temperature 1, the reward model's favourite kept \(mean score 0\.05 over all samples\)/);
  const html = readFileSync(r.html, 'utf8');
  assert.match(html, /<h2>PPO vs DPO vs best-of-n vs SFT<\/h2><table><tr><th>metric<\/th><th>SFT<\/th><th>PPO<\/th><th>DPO \(β 0\.25\)<\/th><th>best-of-4<\/th><\/tr>/);
  assert.match(html, /<td>KL to SFT \(nats per reply\)<\/td><td class="n">0<\/td><td class="n">3\.25<\/td><td class="n">1\.50<\/td><td class="n">≤ 0\.64<\/td>/);
});
