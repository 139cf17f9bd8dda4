// Precision and recall per category of a scoring function over labelled examples.
import type { Example } from './corpus.ts';
import { CATEGORIES, type Category } from './taxonomy.ts';

export interface CategoryMetrics {
  support: number; // positives in the set
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  examples: number;
  perCategory: Record<Category, CategoryMetrics>;
  /** "any category flagged" against "any category labelled". */
  flagged: CategoryMetrics;
}

function metrics(tp: number, fp: number, fn: number): CategoryMetrics {
  // With no predictions precision is 1 (nothing wrong was flagged); with no positives recall is 1.
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { support: tp + fn, tp, fp, fn, precision, recall, f1 };
}

/** `flags(text)` returns the flagged categories of one text. */
export function evaluate(examples: Example[], flags: (text: string) => Set<Category>): Evaluation {
  const count = Object.fromEntries(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }])) as Record<Category, { tp: number; fp: number; fn: number }>;
  const any = { tp: 0, fp: 0, fn: 0 };
  for (const e of examples) {
    const got = flags(e.text);
    for (const c of CATEGORIES) {
      if (e.mask && !e.mask.includes(c)) continue;
      const want = e.labels.includes(c);
      if (got.has(c) && want) count[c].tp++;
      else if (got.has(c)) count[c].fp++;
      else if (want) count[c].fn++;
    }
    const wantAny = e.labels.length > 0;
    const gotAny = got.size > 0;
    if (gotAny && wantAny) any.tp++;
    else if (gotAny) any.fp++;
    else if (wantAny) any.fn++;
  }
  const perCategory = {} as Record<Category, CategoryMetrics>;
  for (const c of CATEGORIES) perCategory[c] = metrics(count[c].tp, count[c].fp, count[c].fn);
  return { examples: examples.length, perCategory, flagged: metrics(any.tp, any.fp, any.fn) };
}

