// `--max-minutes` of `parley train pretrain|sft|reward|ppo|dpo`, in-process on a tiny model: a bad value
// stops before anything is written, naming the flag; a tiny budget reaches the stage and cuts it short,
// which the printed summary shows (steps below the planned count).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../lib/run-in-process.ts';
import { register as registerTrain } from '../train.ts';
import { shutdownEngine } from '../../engine/ops.ts';
import { smallTokenizer } from '../../tokenizer/test-tokenizer.ts';
import { saveTokenizer } from '../../tokenizer/tokenizer-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-max-minutes-'));
const at = (f: string) => join(dir, f);
const run = (args: string[]) => runInProcess([registerTrain], ['train', ...args]);
const topics = ['cats', 'rivers', 'maths', 'music', 'trees', 'bread', 'stars', 'boats'];
const prompt = (t: string) => [{ role: 'user', content: `tell me about ${t}` }];

before(() => {
  saveTokenizer(smallTokenizer(), at('tok'));
  writeFileSync(at('text.txt'), topics.map((t) => `The ${t} are here. People like ${t} because ${t} are good.`).join('\n').repeat(20));
  writeFileSync(at('chat.jsonl'), topics.map((t) => JSON.stringify({ messages: [...prompt(t), { role: 'assistant', content: `${t} are good.` }] })).join('\n') + '\n');
  writeFileSync(at('rankings.jsonl'), topics.map((t) => JSON.stringify({ prompt: prompt(t), completions: [`${t} are good`, `${t} are bad`], ranking: [0, 1] })).join('\n') + '\n');
  writeFileSync(at('prompts.jsonl'), topics.map((t) => JSON.stringify({ prompt: prompt(t) })).join('\n') + '\n');
  writeFileSync(at('pairs.jsonl'), topics.map((t) => JSON.stringify({ prompt: prompt(t), chosen: `${t} are good`, rejected: `${t} are bad` })).join('\n') + '\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

const pretrainArgs = (out: string) => ['pretrain', '--data', at('text.txt'), '--tokenizer', at('tok'), '--out', out, '--layers', '1', '--dim', '16', '--heads', '2', '--kv-heads', '1', '--ffn', '32', '--max-positions', '64', '--steps', '40', '--batch', '2', '--micro-batch', '2', '--ctx', '16', '--warmup', '2'];
const stageArgs = (stage: string, out: string): string[] => {
  const model = at('pre');
  switch (stage) {
    case 'pretrain': return pretrainArgs(out);
    case 'sft': return ['sft', '--model', model, '--data', at('chat.jsonl'), '--out', out, '--steps', '30', '--batch', '2', '--micro-batch', '2', '--ctx', '32', '--warmup', '2'];
    case 'reward': return ['reward', '--model', model, '--data', at('rankings.jsonl'), '--out', out, '--epochs', '5', '--batch', '1', '--ctx', '32', '--calibration-samples', '2', '--max-tokens', '3'];
    case 'ppo': return ['ppo', '--model', model, '--reward', at('rm'), '--data', at('prompts.jsonl'), '--out', out, '--steps', '6', '--prompts', '2', '--max-tokens', '3', '--ctx', '32'];
    case 'dpo': return ['dpo', '--model', model, '--data', at('pairs.jsonl'), '--out', out, '--steps', '6', '--batch', '2', '--micro-batch', '2', '--ctx', '32'];
    default: throw new Error(stage);
  }
};
const STAGES = ['pretrain', 'sft', 'reward', 'ppo', 'dpo'];

test('--max-minutes must be a positive number: each stage refuses 0, -2 and "soon" before writing anything', async () => {
  for (const stage of STAGES) {
    for (const bad of ['0', '-2', 'soon', '']) {
      const out = at(`bad-${stage}`);
      await assert.rejects(run([...stageArgs(stage, out), `--max-minutes=${bad}`]), new RegExp(`--max-minutes must be a positive number of minutes \\(e\\.g\\. 0\\.5 or 30\\), got "${bad}"`), `${stage} ${bad}`);
      assert.equal(existsSync(out), false, `${stage} wrote ${out}`);
    }
  }
});

test('--max-minutes reaches every stage: a tiny budget cuts the run short and the summary says so', async () => {
  // Without a budget pretraining runs every planned step; its checkpoint is the other stages' model.
  const full = JSON.parse(await run(pretrainArgs(at('pre'))));
  assert.equal(full.steps, 40);
  const rm = JSON.parse(await run(stageArgs('reward', at('rm'))));
  assert.equal(rm.steps, rm.planned_steps, 'no budget: every step');
  assert.ok(rm.planned_steps > 1);

  const budget = '0.000001'; // 60 µs: less than any step (PPO times in whole milliseconds; its steps here take ~10 ms)
  for (const stage of STAGES) {
    const metrics = at(`${stage}.metrics.jsonl`);
    const r = JSON.parse(await run([...stageArgs(stage, at(`short-${stage}`)), '--max-minutes', budget, '--metrics', metrics]));
    const planned = r.plannedSteps ?? r.planned_steps ?? 6; // ppo: --steps 6
    if (stage === 'pretrain' || stage === 'sft') {
      // The LM loop times 10 steps, then shrinks the run (and its schedule) to fit: 13 steps at least.
      assert.equal(r.steps, 13, `${stage}: ${r.steps} of ${planned}`);
    } else {
      assert.equal(r.steps, 1, `${stage}: stops before the second step, ran ${r.steps} of ${planned}`);
    }
    assert.ok(r.steps < planned);
    const lines = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.filter((l) => l.step >= 0).length, r.steps, `${stage}: one metrics line per step taken`);
    assert.ok(existsSync(join(at(`short-${stage}`), 'model.safetensors')), `${stage} still saves its checkpoint`);
  }
});
