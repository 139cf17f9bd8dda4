// Confirmed user reports become training examples for the next classifier.
//   false_negative "this should have been flagged as X": positive for X and its parents; the
//     example speaks only for those categories (the reporter said nothing about the others).
//   false_positive "this was wrongly flagged as X": negative for X and its sub-categories; with no
//     categories listed, negative for everything (the text was fine).
// Report JSONL, one per line: {"text", "kind", "categories", "status"?}; lines whose status is
// present and not "confirmed" are skipped, so an export of every report can be passed as is.

import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.ts';
import type { Example } from './corpus.ts';
import { checkText, decodeUtf8 } from './input.ts';
import { CATEGORIES, isCategory, withChildren, withParents, type Category } from './taxonomy.ts';

export interface Report {
  text: string;
  kind: 'false_positive' | 'false_negative';
  categories: Category[];
}

/** Reports count more than one generated example: each is a real case the corpus got wrong. */
export const REPORT_WEIGHT = 4;

export function reportToExample(r: Report): Example {
  if (r.kind === 'false_negative') {
    if (r.categories.length === 0) throw new UserError('a false_negative report must name the categories that should have been flagged');
    const labels = [...withParents(r.categories)];
    return { text: r.text, labels, mask: labels, weight: REPORT_WEIGHT, source: 'report' };
  }
  const mask = r.categories.length ? [...withChildren(r.categories)] : undefined;
  return { text: r.text, labels: [], ...(mask ? { mask } : {}), weight: REPORT_WEIGHT, source: 'report' };
}

/** Validates one report object; `where` names it in errors. */
export function parseReport(o: unknown, where: string): Report {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new UserError(`${where}: a report must be a JSON object`);
  const r = o as { text?: unknown; kind?: unknown; categories?: unknown };
  const text = checkText(r.text, `${where}: text`);
  if (!text.trim()) throw new UserError(`${where}: text is empty`);
  if (r.kind !== 'false_positive' && r.kind !== 'false_negative') {
    throw new UserError(`${where}: kind must be "false_positive" or "false_negative", got ${JSON.stringify(r.kind)}`);
  }
  const cats = r.categories ?? [];
  if (!Array.isArray(cats)) throw new UserError(`${where}: categories must be an array`);
  for (const c of cats) {
    if (typeof c !== 'string' || !isCategory(c)) throw new UserError(`${where}: unknown category ${JSON.stringify(c)} (known: ${CATEGORIES.join(', ')})`);
  }
  return { text, kind: r.kind, categories: cats as Category[] };
}

/** Reads a JSONL file of reports; returns the confirmed ones as training examples. */
export function readReports(path: string): Example[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read reports file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out: Example[] = [];
  decodeUtf8(bytes, path).split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new UserError(`${path}:${i + 1}: not valid JSON`);
    }
    const status = (o as { status?: unknown } | null)?.status;
    if (status !== undefined && status !== 'confirmed') return;
    out.push(reportToExample(parseReport(o, `${path}:${i + 1}`)));
  });
  return out;
}
