// `parley train ppo`: PPO of a policy against a reward model with a KL penalty to the SFT model.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('ppo')
    .description('PPO against a reward model (KL penalty to the SFT model, GAE, clipped objectives)')
    .requiredOption('--model <dir>', 'policy to start from (the SFT model or the last policy)')
    .requiredOption('--reward <dir>', 'reward model (parley train reward)')
    .requiredOption('--data <file>', 'prompts JSONL {"prompt":[...]} (e.g. prompts.jsonl)')
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--ref <dir>', 'the SFT model the KL penalty anchors to (default: --model)')
    .option('--value <dir>', 'value model to start from (default: the reward model)')
    .option('--tokenizer <dir>', 'tokenizer directory (default: the checkpoint\'s)')
    .option('--steps <n>', 'PPO steps (each samples --prompts replies)', '20')
    .option('--prompts <n>', 'rollouts per step', '16')
    .option('--max-tokens <n>', 'longest reply', '48')
    .option('--temperature <x>', 'sampling temperature (log-probs use it too)', '1')
    .option('--lr <x>', 'policy learning rate', '1e-5')
    .option('--value-lr <x>', 'value model learning rate', '5e-5')
    .option('--epochs <n>', 'updates per batch of rollouts', '2')
    .option('--clip <x>', 'ratio and value clip', '0.2')
    .option('--beta <x>', 'KL coefficient (initial, if adaptive)', '0.05')
    .option('--target-kl <x>', 'adapt β towards this KL per reply (nats); fixed β without it')
    .option('--horizon <n>', 'adaptive KL horizon', '10000')
    .option('--unfinished-penalty <x>', 'subtracted from the score of a reply without end-of-turn', '1')
    .option('--ptx-coef <x>', 'PPO-ptx: weight of the pretraining loss mixed in (0 = off)', '0')
    .option('--ptx-data <file>', 'text for PPO-ptx')
    .option('--ctx <n>', 'longest prompt + reply', '256')
    .option('--micro-batch <n>', 'sequences per forward pass', '8')
    .option('--seed <n>', 'seed', '1')
    .option('--max-minutes <x>', 'time budget in minutes: training stops before a step that would pass it')
    .option('--metrics <file>', 'append metrics JSONL here')
    .action(async (o: Record<string, string | undefined>) => {
      const { parseInteger: int, parseNumber: num } = await import('../lib/engine-flags.ts');
      const { initEngine } = await import('../../engine/ops.ts');
      const { runPpo, DEFAULT_PPO } = await import('../../training/ppo.ts');
      const { parseMaxMinutes } = await import('../lib/time-budget.ts');
      const s = (k: string) => o[k] as string;
      const settings = {
        ...DEFAULT_PPO,
        steps: int('--steps', s('steps'), 1), prompts: int('--prompts', s('prompts'), 1), maxTokens: int('--max-tokens', s('maxTokens'), 1),
        temperature: num('--temperature', s('temperature'), 0.01, 10), lr: num('--lr', s('lr'), 1e-9, 1), valueLr: num('--value-lr', s('valueLr'), 1e-9, 1),
        epochs: int('--epochs', s('epochs'), 1), clip: num('--clip', s('clip'), 0.01, 1), beta: num('--beta', s('beta'), 0),
        targetKl: o.targetKl === undefined ? undefined : num('--target-kl', o.targetKl, 1e-6), horizon: int('--horizon', s('horizon'), 1),
        unfinishedPenalty: num('--unfinished-penalty', s('unfinishedPenalty'), 0), ptxCoef: num('--ptx-coef', s('ptxCoef'), 0),
        ctx: int('--ctx', s('ctx'), 8), microBatch: int('--micro-batch', s('microBatch'), 1), seed: int('--seed', s('seed'), 0),
        maxSeconds: parseMaxMinutes(o.maxMinutes),
      };
      await initEngine();
      const m = runPpo({ model: s('model'), ref: o.ref ?? s('model'), reward: s('reward'), value: o.value, tokenizer: o.tokenizer, prompts: s('data'), ptxData: o.ptxData, out: s('out'), settings, metricsPath: o.metrics });
      console.log(JSON.stringify({ out: o.out, ...m }));
    });
}
