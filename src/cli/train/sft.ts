// `parley train sft`: supervised fine-tuning on OpenAI-chat JSONL, loss on assistant tokens only.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('sft')
    .description('supervised fine-tuning on chat JSONL {"messages":[...]} (loss on assistant tokens only, packed rows)')
    .requiredOption('--model <dir>', 'checkpoint to start from (a pretrained model)')
    .requiredOption('--data <file>', 'chat JSONL (parley data generate sft.jsonl, or parley export sft)')
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--tokenizer <dir>', 'tokenizer directory (default: the checkpoint\'s tokenizer.json)')
    .option('--steps <n>', 'optimizer steps', '200')
    .option('--batch <n>', 'rows per step', '16')
    .option('--micro-batch <n>', 'rows per forward pass', '8')
    .option('--ctx <n>', 'tokens per row', '192')
    .option('--lr <x>', 'peak learning rate', '1e-3')
    .option('--warmup <n>', 'warm-up steps', '20')
    .option('--seed <n>', 'shuffling seed', '1')
    .option('--max-minutes <x>', 'time budget in minutes: the run and its cosine schedule are fitted to it from the measured speed (checked every tenth of the run)')
    .option('--metrics <file>', 'append metrics JSONL here')
    .action(async (o: Record<string, string>) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { runSft } = await import('../../training/sft.ts');
      const { parseMaxMinutes } = await import('../lib/time-budget.ts');
      const opts = { model: o.model, tokenizer: o.tokenizer, data: o.data, out: o.out, steps: int('--steps', o.steps, 1), batch: int('--batch', o.batch, 1), microBatch: int('--micro-batch', o.microBatch, 1), ctx: int('--ctx', o.ctx, 2), lr: num('--lr', o.lr, 1e-8, 1), warmup: int('--warmup', o.warmup, 0), seed: int('--seed', o.seed, 0), maxSeconds: parseMaxMinutes(o.maxMinutes), metricsPath: o.metrics };
      await initEngine();
      console.log(JSON.stringify({ out: o.out, ...runSft(opts) }));
    });
}
