// `parley data generate|rank|grade`: the conversation world's datasets, its simulated ranker and its
// graders, as files. Output files are written under a temp name and renamed, so a failed run leaves
// nothing half-written; bad input lines are reported with their line number.
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';

function wholeNumber(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UserError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function fraction(value: string, flag: string, lo: number, hi: number): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new UserError(`${flag} must be a number from ${lo} to ${hi}, got ${JSON.stringify(value)}`);
  }
  return v;
}

export function register(program: Command): void {
  const cmd = program.command('data').description('generate training data from the conversation world, rank replies, grade replies');

  cmd
    .command('generate')
    .description('write pretrain.txt, sft.jsonl, prompts.jsonl, eval.jsonl and stats.json to a directory')
    .requiredOption('--out <dir>', 'directory to write to (created if missing)')
    .option('--seed <n>', 'random seed; the same seed gives byte-identical files', '0')
    .option('--scale <s>', 'size multiplier: 1 = 1500 demonstrations, 500 RL prompts and 200 eval prompts per family', '1')
    .option('--tokenizer <dir>', 'count tokens in stats.json with this tokenizer (a directory with tokenizer.json)')
    .action(async (opts: { out: string; seed: string; scale: string; tokenizer?: string }) => {
      const { mkdirSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { loadWorld } = await import('../world/knowledge/index.ts');
      const { generateDataset } = await import('../world/dataset.ts');
      const { writeFilesAtomically } = await import('../world/jsonl.ts');
      const seed = wholeNumber(opts.seed, '--seed');
      const scale = fraction(opts.scale, '--scale', 0.0001, 1000);
      let countTokens;
      if (opts.tokenizer) {
        const { loadTokenizer } = await import('../tokenizer/tokenizer-files.ts');
        const { renderConversation, renderForCompletion } = await import('../tokenizer/chat.ts');
        const { tokenizer } = loadTokenizer(opts.tokenizer);
        countTokens = {
          text: (s: string) => tokenizer.encode(s).length,
          conversation: (m: Parameters<typeof renderConversation>[1]) => renderConversation(tokenizer, m).ids.length,
          prompt: (m: Parameters<typeof renderForCompletion>[1]) => renderForCompletion(tokenizer, m).length,
        };
      }
      const started = performance.now();
      const { files, stats } = generateDataset(loadWorld(), { seed, scale, countTokens, log: (m) => console.error(`data: ${m}`) });
      mkdirSync(opts.out, { recursive: true });
      writeFilesAtomically(Object.fromEntries(Object.entries(files).map(([name, text]) => [join(opts.out, name), text])));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(JSON.stringify({ out: opts.out, seconds: Number(seconds), ...stats.totals }));
    });

  cmd
    .command('rank')
    .description('rank each line\'s completions with the simulated trainer: {"prompt","completions","meta"} gains "ranking"')
    .requiredOption('--in <file>', 'JSONL rankings file; each line needs the prompt\'s "meta" (as in prompts.jsonl)')
    .requiredOption('--out <file>', 'where to write the ranked JSONL')
    .option('--seed <n>', 'random seed for label noise and ties', '0')
    .option('--noise <p>', 'label noise: chance of swapping each adjacent pair', '0.1')
    .option('--gold', 'no label noise at all (the ranking the graders imply)', false)
    .option('--length-preference <x>', 'between equally good replies: -1 always prefers shorter, 1 always longer, 0.3 longer in 30% of rankings, 0 neither', '-1')
    .action(async (opts: { in: string; out: string; seed: string; noise: string; gold: boolean; lengthPreference: string }) => {
      const { readJsonl, writeFilesAtomically } = await import('../world/jsonl.ts');
      const { parseRankRow, rankRows } = await import('../world/files.ts');
      const seed = wholeNumber(opts.seed, '--seed');
      const noise = fraction(opts.noise, '--noise', 0, 1);
      const lengthPreference = fraction(opts.lengthPreference, '--length-preference', -1, 1);
      const rows = readJsonl(opts.in).map((l) => parseRankRow(l, opts.in));
      const { lines, swaps, pairs } = rankRows(rows, { noise, gold: opts.gold, lengthPreference }, seed);
      writeFilesAtomically({ [opts.out]: lines.length ? lines.join('\n') + '\n' : '' });
      console.log(JSON.stringify({ out: opts.out, rows: rows.length, swaps, swapRate: pairs ? swaps / pairs : 0 }));
    });

  cmd
    .command('grade')
    .description('grade {"prompt","reply","meta"} lines and print per-family accuracy as JSON')
    .requiredOption('--in <file>', 'JSONL file of replies with the meta from eval.jsonl or prompts.jsonl')
    .option('--details <file>', 'also write one grade per input line to this JSONL file')
    .action(async (opts: { in: string; details?: string }) => {
      const { readJsonl, writeFilesAtomically } = await import('../world/jsonl.ts');
      const { gradeRows, parseGradeRow } = await import('../world/files.ts');
      const lines = readJsonl(opts.in);
      const rows = lines.map((l) => parseGradeRow(l, opts.in));
      const { report, grades } = gradeRows(rows);
      if (opts.details) {
        const text = grades.map((g, i) => JSON.stringify({ line: lines[i].line, task: rows[i].meta.task, ...g })).join('\n');
        writeFilesAtomically({ [opts.details]: text ? text + '\n' : '' });
      }
      console.log(JSON.stringify(report, null, 2));
    });
}
