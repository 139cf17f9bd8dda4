// `parley train reward`: a reward model from rankings of K replies per prompt, calibrated on samples
// of the SFT model; prints held-out pairwise accuracy.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('reward')
    .description('train a reward model on rankings {"prompt","completions","ranking"} (pairwise loss over all pairs of a prompt)')
    .requiredOption('--model <dir>', 'the SFT checkpoint to start from')
    .requiredOption('--data <files...>', 'rankings JSONL (parley export rankings, or a pipeline\'s rankings-N.jsonl)')
    .requiredOption('--out <dir>', 'checkpoint directory to write (config.json declares the scalar head)')
    .option('--sft <dir>', 'model whose samples calibrate the scores to mean 0, std 1 (default: --model)')
    .option('--prompts <file>', 'prompts JSONL for calibration samples (default: the rankings\' prompts)')
    .option('--tokenizer <dir>', 'tokenizer directory (default: the checkpoint\'s)')
    .option('--epochs <n>', 'passes over the rankings', '2')
    .option('--batch <n>', 'rankings per step', '8')
    .option('--lr <x>', 'peak learning rate', '3e-4')
    .option('--ctx <n>', 'longest prompt + reply in tokens', '256')
    .option('--heldout <x>', 'share of rankings held out for pairwise accuracy', '0.15')
    .option('--calibration-samples <n>', 'SFT replies sampled for calibration (0 = none)', '64')
    .option('--max-tokens <n>', 'longest calibration reply', '48')
    .option('--temperature <x>', 'sampling temperature of calibration replies', '1')
    .option('--seed <n>', 'seed', '1')
    .option('--max-minutes <x>', 'time budget in minutes: training stops before a step that would pass it')
    .option('--metrics <file>', 'append metrics JSONL here')
    .action(async (o: Record<string, string> & { data: string[] }) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { runReward } = await import('../../training/reward.ts');
      const { parseMaxMinutes } = await import('../lib/time-budget.ts');
      const opts = {
        model: o.model, sft: o.sft, tokenizer: o.tokenizer, rankings: o.data, prompts: o.prompts, out: o.out,
        epochs: int('--epochs', o.epochs, 1), batch: int('--batch', o.batch, 1), lr: num('--lr', o.lr, 1e-8, 1), ctx: int('--ctx', o.ctx, 8),
        heldout: num('--heldout', o.heldout, 0, 0.5), calibrationSamples: int('--calibration-samples', o.calibrationSamples, 0),
        maxTokens: int('--max-tokens', o.maxTokens, 1), temperature: num('--temperature', o.temperature, 0.01, 10), seed: int('--seed', o.seed, 0), maxSeconds: parseMaxMinutes(o.maxMinutes), metricsPath: o.metrics,
      };
      await initEngine();
      console.log(JSON.stringify({ out: o.out, ...runReward(opts) }));
    });
}
