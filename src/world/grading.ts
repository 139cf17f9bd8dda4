// The part of grading every family shares: verbosity relative to the reference reply, and
// validation of metadata read back from files.
import { z } from 'zod';
import { wordCount } from './text.ts';
import type { Grade } from './types.ts';

/** Much longer than the reference: more than 2.5 times its words and at least 25 words more. */
export function isVerbose(reply: string, reference: string): boolean {
  const r = wordCount(reference);
  const w = wordCount(reply);
  return w > 2.5 * r && w > r + 25;
}

export function makeGrade(label: string, ok: boolean, baseScore: number, reply: string, reference: string): Grade {
  const verbose = isVerbose(reply, reference);
  const score = Math.max(0, Math.min(1, verbose ? baseScore * 0.75 : baseScore));
  return { label, score, ok, verbose };
}

/** The fields every meta carries. */
export const baseMeta = {
  intent: z.string().min(1),
  split: z.enum(['train', 'eval']),
  reference: z.string(),
};

/** Parses with a zod schema and turns failures into one readable sentence. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown, family: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? `meta.${issue.path.join('.')}` : 'meta';
  throw new Error(`${where} is invalid for family "${family}": ${issue.message}`);
}
