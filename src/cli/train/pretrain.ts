// `parley train pretrain`: next-token training on text files, from a new model of a given shape (with
// a tokenizer) or continuing a checkpoint. See src/training/pretrain.ts.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('pretrain')
    .description('pretrain a language model on UTF-8 text files (packed rows of the context length)')
    .requiredOption('--data <files...>', 'text files (e.g. pretrain.txt from parley data generate)')
    .option('--chat <files...>', 'OpenAI-chat JSONL mixed into the text (loss on assistant turns only, as in SFT)')
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--model <dir>', 'continue this checkpoint (otherwise a new model from --tokenizer and the shape flags)')
    .option('--tokenizer <dir>', 'tokenizer directory for a new model')
    .option('--layers <n>', 'new model: layers', '4')
    .option('--dim <n>', 'new model: hidden size', '128')
    .option('--heads <n>', 'new model: attention heads', '4')
    .option('--kv-heads <n>', 'new model: key/value heads', '2')
    .option('--ffn <n>', 'new model: SwiGLU width', '344')
    .option('--max-positions <n>', 'new model: longest context', '512')
    .option('--steps <n>', 'optimizer steps', '200')
    .option('--batch <n>', 'rows per step', '16')
    .option('--micro-batch <n>', 'rows per forward pass (gradient accumulation)', '8')
    .option('--ctx <n>', 'tokens per row', '128')
    .option('--lr <x>', 'peak learning rate (cosine schedule)', '2e-3')
    .option('--warmup <n>', 'warm-up steps', '20')
    .option('--seed <n>', 'seed for weights and shuffling', '1')
    .option('--max-minutes <x>', 'time budget in minutes: the run and its cosine schedule are fitted to it from the measured speed (checked every tenth of the run)')
    .option('--metrics <file>', 'append metrics JSONL here')
    .action(async (o: Record<string, string> & { data: string[]; chat?: string[] }) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { UserError } = await import('../../util/errors.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { runPretrain } = await import('../../training/pretrain.ts');
      const { parseMaxMinutes } = await import('../lib/time-budget.ts');
      const maxSeconds = parseMaxMinutes(o.maxMinutes);
      if (!o.model && !o.tokenizer) throw new UserError('give --model DIR to continue a checkpoint, or --tokenizer DIR for a new model');
      const from = o.model ? { model: o.model } : {
        tokenizer: o.tokenizer,
        shape: { layers: int('--layers', o.layers, 1, 64), dim: int('--dim', o.dim, 8, 8192), heads: int('--heads', o.heads, 1, 128), kvHeads: int('--kv-heads', o.kvHeads, 1, 128), ffn: int('--ffn', o.ffn, 8, 32768), maxPositions: int('--max-positions', o.maxPositions, 8, 65536), tied: true },
      };
      await initEngine();
      const m = runPretrain({ data: o.data, chat: o.chat, out: o.out, from, steps: int('--steps', o.steps, 1), batch: int('--batch', o.batch, 1), microBatch: int('--micro-batch', o.microBatch, 1), ctx: int('--ctx', o.ctx, 2), lr: num('--lr', o.lr, 1e-8, 1), warmup: int('--warmup', o.warmup, 0), seed: int('--seed', o.seed, 0), maxSeconds, metricsPath: o.metrics });
      console.log(JSON.stringify({ out: o.out, ...m }));
    });
}
