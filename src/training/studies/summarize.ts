// Prints the per-family accuracies of several `parley eval --json` results side by side (a markdown
// table), so a study's runs can be compared at a glance: `tsx summarize.ts DIR/*-eval.json`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../../util/errors.ts';

// The metrics the shipped model is judged on (targets from issue 4), in the order they are printed.
export const COLUMNS: Array<{ key: string; label: string }> = [
  { key: 'factAccuracy', label: 'fact' },
  { key: 'followupAccuracy', label: 'follow-up' },
  { key: 'calculatorAccuracy', label: 'calc' },
  { key: 'calculatorToolUse', label: 'tool use' },
  { key: 'clarificationRate', label: 'clarify' },
  { key: 'premiseChallengeRate', label: 'premise' },
  { key: 'mistakeAccuracy', label: 'mistakes' },
  { key: 'refusalRecall', label: 'refusal' },
  { key: 'falseRefusalRate', label: 'false ref.' },
  { key: 'identityAccuracy', label: 'identity' },
  { key: 'overallAccuracy', label: 'overall' },
];

export interface StudyRow { name: string; metrics: Record<string, number> }

/** Reads the `metrics` object of an eval JSON file; the row is named after the file. */
export function readEvalFile(path: string): StudyRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not a JSON file from \`parley eval --json\` (${(e as Error).message})`);
  }
  const metrics = (parsed as { metrics?: unknown }).metrics;
  if (!metrics || typeof metrics !== 'object') throw new UserError(`${path}: no "metrics" object (write it with \`parley eval --json\`)`);
  return { name: basename(path).replace(/-eval\.json$/, '').replace(/\.json$/, ''), metrics: metrics as Record<string, number> };
}

/** A markdown table: one row per run, one column per metric (two decimals, "–" when missing). */
export function summaryTable(rows: StudyRow[]): string {
  const head = `| run | ${COLUMNS.map((c) => c.label).join(' | ')} |`;
  const rule = `|---|${COLUMNS.map(() => '---:').join('|')}|`;
  const body = rows.map((r) => {
    const cells = COLUMNS.map((c) => (typeof r.metrics[c.key] === 'number' ? r.metrics[c.key].toFixed(2) : '–'));
    return `| ${r.name} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...body].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: tsx src/training/studies/summarize.ts RUN-eval.json...');
    process.exit(2);
  }
  try {
    console.log(summaryTable(files.map(readEvalFile)));
  } catch (e) {
    if (e instanceof UserError) { console.error(e.message); process.exit(1); }
    throw e;
  }
}
