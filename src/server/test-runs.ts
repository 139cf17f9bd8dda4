// TEST-ONLY: a small run directory as `parley pipeline` leaves it (layout in src/training/README.md),
// with made-up numbers a test can look for: pretrain → sft → reward-1 → ppo-1 checkpoints (config.json +
// parley.json lineage, no weights), metrics.jsonl, eval/eval.json and report/report.html.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate } from '../training/eval/metrics.ts';
import type { EvalResult } from '../training/eval/result.ts';

export const SYNTHETIC = {
  pretrainSteps: 300, // more than the default 200 plot points, so downsampling shows
  finalPpoKl: 0.05,
  factAccuracy: 0.93,
  winRate: 0.61,
};

/** Writes runs/<name>/ under `runsDir`; returns the run directory. */
export function writeSyntheticRun(runsDir: string, name: string, opts: { withEval?: boolean } = {}): string {
  const dir = join(runsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ preset: 'tiny', config: {}, created: '2026-11-26T13:00:00.000Z' }));
  const steps: Record<string, unknown> = {};
  let parent: string | null = null;
  for (const [step, stage, metrics] of [
    ['pretrain', 'pretrain', { heldout_loss: 5.27 }],
    ['sft', 'sft', { heldout_loss: 5.04 }],
    ['reward-1', 'reward', { heldout_accuracy: 0.74 }],
    ['ppo-1', 'ppo', { score: 0.58, kl: 0.72 }],
  ] as const) {
    const out = join(dir, step);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'config.json'), JSON.stringify({ hidden_size: 16, num_hidden_layers: 1, max_position_embeddings: 64 }));
    writeFileSync(join(out, 'parley.json'), JSON.stringify({ stage, parent, datasets: {}, metrics, config: {}, created: '2026-11-26T13:05:00.000Z' }));
    steps[step] = { finished: '2026-11-26T13:10:00.000Z', seconds: 10, out: step, metrics };
    // PPO's parent is the SFT policy (the reward model is a side branch of SFT).
    if (stage !== 'reward') parent = out;
  }
  steps.data = { finished: '2026-11-26T13:01:00.000Z', seconds: 2, out: 'data', metrics: {} };
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ steps }));
  const lines: object[] = [];
  for (let s = 0; s < SYNTHETIC.pretrainSteps; s++) lines.push({ stage: 'pretrain', step: s, time: 't', loss: 6 - s * 0.01, lr: 0.001, tokens: 100 });
  for (let s = 0; s < 5; s++) lines.push({ stage: 'sft', step: s, time: 't', loss: 2 - s * 0.2 });
  for (let s = 0; s < 4; s++) lines.push({ stage: 'reward-1', step: s, time: 't', loss: 0.7 - s * 0.05, accuracy: 0.5 + s * 0.1 });
  lines.push({ stage: 'reward-1', step: -1, time: 't', heldout_accuracy: 0.74 });
  for (let s = 0; s < 6; s++) lines.push({ stage: 'ppo-1', step: s, time: 't', score: 0.1 * s, reward: 0.1 * s - 0.01, kl: SYNTHETIC.finalPpoKl * (s / 5), entropy: 2 });
  for (const l of lines) appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(l) + '\n');
  if (opts.withEval === false) return dir;
  const metrics = { ...aggregate([]), factAccuracy: SYNTHETIC.factAccuracy, calculatorAccuracy: 0.7, refusalRecall: 0.96, falseRefusalRate: 0.1 };
  const result: EvalResult = {
    path: join(dir, 'ppo-1'), metrics, families: {},
    data: { file: null, seed: 1, prompts: 40, families: { factual: 10 } },
    settings: { maxTokens: 64, temperature: 0, seed: 0, batch: 16, bestOf: 1, rewardModel: null },
    against: { path: join(dir, 'sft'), metrics: { ...metrics, factAccuracy: 0.85 }, families: {}, comparison: { winRate: SYNTHETIC.winRate, wins: 24, losses: 15, ties: 1, n: 40, kl: 1.48, klPerToken: 0.1 } },
    seconds: 3,
  };
  mkdirSync(join(dir, 'eval'), { recursive: true });
  writeFileSync(join(dir, 'eval', 'eval.json'), JSON.stringify(result));
  mkdirSync(join(dir, 'report'), { recursive: true });
  writeFileSync(join(dir, 'report', 'report.html'), '<!doctype html><title>report</title><h1>Run report card</h1><script>parent.document.title = "escaped"</script>');
  return dir;
}
