// `parley eval`: per-family metrics of a model on the held-out eval set (src/training/eval/), optionally
// against a second model (win rate by the gold simulated ranker, KL between the two) and with
// best-of-n sampling judged by a reward model.
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UserError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function nonNegative(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < 0) throw new UserError(`${flag} must be a number >= 0, got ${JSON.stringify(value)}`);
  return v;
}

interface Flags {
  model: string; against?: string; data?: string; dataSeed?: string; limit?: string; rewardModel?: string; bestOf?: string;
  maxTokens?: string; temperature?: string; seed?: string; batch?: string; replies?: string; json: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('per-family metrics of a model on the held-out eval set (fact, follow-up, calculator, clarification, premise, mistakes, refusals)')
    .requiredOption('--model <dir>', 'the checkpoint to evaluate')
    .option('--against <dir>', 'a second checkpoint: win rate judged by the simulated ranker (gold mode) and KL(model ‖ against) on the replies')
    .option('--data <file>', 'eval.jsonl from `parley data generate` (default: generate the eval set from --data-seed)')
    .option('--data-seed <n>', 'seed for the generated eval set when --data is not given', '0')
    .option('--limit <n>', 'at most n prompts per family')
    .option('--reward-model <dir>', 'a reward model: reports its mean score of the replies; judges --best-of')
    .option('--best-of <n>', 'sample n replies per prompt and keep the reward model\'s favourite (needs --reward-model)')
    .option('--max-tokens <n>', 'tokens per assistant turn', '64')
    .option('--temperature <t>', 'sampling temperature (default 0 = greedy; 1 with --best-of)')
    .option('--seed <n>', 'sampling seed', '0')
    .option('--batch <n>', 'sequences generated together', '16')
    .option('--replies <file>', 'also write every prompt, reply and grade as JSONL')
    .option('--json', 'print the full result as JSON', false)
    .action(async (f: Flags) => {
      const { runEval } = await import('../training/eval/evaluate.ts');
      const result = await runEval({
        model: f.model, against: f.against, data: f.data, dataSeed: wholeNumber(f.dataSeed, '--data-seed'),
        limit: wholeNumber(f.limit, '--limit'), rewardModel: f.rewardModel, bestOf: wholeNumber(f.bestOf, '--best-of'),
        maxTokens: wholeNumber(f.maxTokens, '--max-tokens'), temperature: nonNegative(f.temperature, '--temperature'),
        seed: wholeNumber(f.seed, '--seed'), batch: wholeNumber(f.batch, '--batch'), repliesOut: f.replies,
      });
      if (f.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const { formatEvalTable } = await import('../training/eval/format.ts');
      console.log(formatEvalTable(result));
    });
}
