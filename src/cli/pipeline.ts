// `parley pipeline --out runs/NAME [--preset tiny|small|default] [--iterations N] [--compare]`: the whole training
// method in one resumable run (src/training/pipeline.ts); re-running continues from the last finished step.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('pipeline')
    .description('data → tokenizer → pretrain → sft → rankings → reward → ppo (× iterations) → eval → report, resumable')
    .requiredOption('--out <dir>', 'run directory (runs/NAME); re-run with the same directory to resume')
    .option('--preset <name>', 'tiny (about a minute), small, or default (the shipped model, ≤ 90 min on 2 cores)', 'default')
    .option('--iterations <n>', 'rounds of rankings → reward model → PPO (default: the preset\'s, 2)')
    .option('--rankings <file>', 'rankings made by people (parley export rankings) instead of the simulated ranker')
    .option('--from-sft', 'start every PPO round from the SFT model (default: from the last policy)')
    .option('--step-scale <x>', 'multiply every stage\'s step count (e.g. 0.5 on a slower machine)', '1')
    .option('--stop-after <step>', 'stop once this step has finished (e.g. sft); run again to continue')
    .option('--compare', 'also train DPO on the run\'s rankings and evaluate DPO and best-of-n against SFT (adds the steps dpo and compare; works on a finished run too)')
    .option('--best-of <n>', 'with --compare: best-of-n samples per prompt (2..64)', '4')
    .option('--dpo-beta <x>', 'with --compare: DPO β', '0.1')
    .action(async (o: { out: string; preset: string; iterations?: string; rankings?: string; fromSft?: boolean; stepScale: string; stopAfter?: string; compare?: boolean; bestOf: string; dpoBeta: string }) => {
      const { parseInteger, parseNumber } = await import('./lib/engine-flags.ts');
      const { runPipeline } = await import('../training/pipeline.ts');
      const iterations = o.iterations === undefined ? undefined : parseInteger('--iterations', o.iterations, 1, 20);
      const stepScale = parseNumber('--step-scale', o.stepScale, 0.01, 100);
      const compare = o.compare ? { n: parseInteger('--best-of', o.bestOf, 2, 64), beta: parseNumber('--dpo-beta', o.dpoBeta, 1e-6, 100) } : undefined;
      const done = await runPipeline({ out: o.out, preset: o.preset, iterations, rankings: o.rankings, fromSft: o.fromSft, stepScale, stopAfter: o.stopAfter, compare });
      console.log(JSON.stringify({ out: o.out, steps: done }));
    });
}
