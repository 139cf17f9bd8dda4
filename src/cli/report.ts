// `parley report --run DIR`: (re)builds a training run's report card, report.html and report.md
// (src/training/report/), from whatever the run has produced so far.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('report')
    .description('build the report card (HTML with curves and the eval table, plus markdown) of a training run')
    .requiredOption('--run <dir>', 'the run directory (parley pipeline --out DIR)')
    .option('--out <dir>', 'where to write report.html and report.md (default: <run>/report)')
    .action(async (f: { run: string; out?: string }) => {
      const { writeRunReport } = await import('../training/report/pipeline-step.ts');
      const r = await writeRunReport({ runDir: f.run, outDir: f.out });
      console.log(JSON.stringify(r));
    });
}
