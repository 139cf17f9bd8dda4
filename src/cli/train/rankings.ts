// `parley train rankings`: sample K replies per prompt from a model and rank them with the world's
// simulated trainer — the data a reward model learns from when no people have ranked yet.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('rankings')
    .description('sample K replies per prompt and rank them with the simulated trainer → rankings JSONL')
    .requiredOption('--model <dir>', 'model to sample from (the SFT model or the last policy)')
    .requiredOption('--data <file>', 'prompts JSONL with the world\'s "meta" (prompts.jsonl)')
    .requiredOption('--out <file>', 'rankings JSONL to write')
    .option('--tokenizer <dir>', 'tokenizer directory (default: the checkpoint\'s)')
    .option('--count <n>', 'prompts to rank', '100')
    .option('--offset <n>', 'first prompt to use', '0')
    .option('-k, --k <n>', 'replies per prompt (at least 2)', '4')
    .option('--max-tokens <n>', 'longest reply', '48')
    .option('--temperature <x>', 'sampling temperature', '1')
    .option('--noise <p>', 'ranker label noise', '0.1')
    .option('--length-preference <x>', 'ranker length preference (-1..1)', '-1')
    .option('--ctx <n>', 'longest prompt + reply', '256')
    .option('--seed <n>', 'seed', '1')
    .action(async (o: Record<string, string>) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { collectRankings } = await import('../../training/rankings.ts');
      const opts = { model: o.model, tokenizer: o.tokenizer, prompts: o.data, out: o.out, count: int('--count', o.count, 1), offset: int('--offset', o.offset, 0), k: int('--k', o.k, 2), maxTokens: int('--max-tokens', o.maxTokens, 1), temperature: num('--temperature', o.temperature, 0.01, 10), ctx: int('--ctx', o.ctx, 8), ranker: { noise: num('--noise', o.noise, 0, 1), lengthPreference: num('--length-preference', o.lengthPreference, -1, 1) }, seed: int('--seed', o.seed, 0) };
      await initEngine();
      console.log(JSON.stringify({ out: o.out, ...collectRankings(opts) }));
    });
}
