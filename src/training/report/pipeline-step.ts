// The pipeline's `report` step (and `parley report --run DIR`): report.html and report.md from a run
// directory, written atomically into `outDir` (default <runDir>/report).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../progress.ts';
import { readRun } from './read-run.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { summarize } from './summary.ts';

export interface ReportStepOptions {
  runDir: string;
  outDir?: string;
  log?: Logger;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function writeRunReport(o: ReportStepOptions): Promise<{ html: string; markdown: string; targetsMet: number; targetsMeasured: number }> {
  const run = readRun(o.runDir);
  const outDir = o.outDir ?? join(o.runDir, 'report');
  mkdirSync(outDir, { recursive: true });
  const html = join(outDir, 'report.html'), markdown = join(outDir, 'report.md');
  writeAtomic(html, renderHtml(run));
  writeAtomic(markdown, renderMarkdown(run));
  const s = summarize(run);
  o.log?.(`report: ${html} (${s.measured ? `${s.met} of ${s.targets.length} targets met` : 'no evaluation yet'})`);
  return { html, markdown, targetsMet: s.met, targetsMeasured: s.measured };
}
