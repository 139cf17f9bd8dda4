// `parley train dpo`: direct preference optimisation from pairs, the standard alternative to PPO.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('dpo')
    .description('DPO from preference pairs {"prompt","chosen","rejected"} (parley export pairs)')
    .requiredOption('--model <dir>', 'checkpoint to start from (the SFT model); also the reference unless --ref')
    .requiredOption('--data <file>', 'pairs JSONL')
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--ref <dir>', 'frozen reference model (default: --model)')
    .option('--tokenizer <dir>', 'tokenizer directory (default: the checkpoint\'s)')
    .option('--beta <x>', 'DPO β', '0.1')
    .option('--steps <n>', 'optimizer steps', '50')
    .option('--batch <n>', 'pairs per step', '8')
    .option('--micro-batch <n>', 'pairs per forward pass', '4')
    .option('--lr <x>', 'peak learning rate', '1e-5')
    .option('--ctx <n>', 'longest prompt + reply', '256')
    .option('--seed <n>', 'seed', '1')
    .option('--max-minutes <x>', 'time budget in minutes: training stops before a step that would pass it')
    .option('--metrics <file>', 'append metrics JSONL here')
    .action(async (o: Record<string, string>) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { runDpo } = await import('../../training/dpo.ts');
      const { parseMaxMinutes } = await import('../lib/time-budget.ts');
      const opts = { model: o.model, ref: o.ref, tokenizer: o.tokenizer, data: o.data, out: o.out, beta: num('--beta', o.beta, 1e-6), steps: int('--steps', o.steps, 1), batch: int('--batch', o.batch, 1), microBatch: int('--micro-batch', o.microBatch, 1), lr: num('--lr', o.lr, 1e-9, 1), ctx: int('--ctx', o.ctx, 8), seed: int('--seed', o.seed, 0), maxSeconds: parseMaxMinutes(o.maxMinutes), metricsPath: o.metrics };
      await initEngine();
      console.log(JSON.stringify({ out: o.out, ...runDpo(opts) }));
    });
}
