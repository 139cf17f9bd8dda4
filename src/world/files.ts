// Validation and processing of the files `parley data rank` and `parley data grade` read. Every
// problem is a UserError naming the file and line; nothing is written unless every line is valid.
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import type { ChatMessage } from '../providers/types.ts';
import type { JsonlLine } from './jsonl.ts';
import { TASKS } from './tasks/index.ts';
import { rankWithSeed, type RankerOptions } from './trainers/ranker.ts';
import { FAMILIES, isFamily, type FamilyName, type Grade, type TaskMeta } from './types.ts';

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable().transform((c) => c ?? ''),
  tool_calls: z
    .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
    .optional(),
  tool_call_id: z.string().optional(),
  weight: z.union([z.literal(0), z.literal(1)]).optional(),
});
const messages = z.array(message).min(1);

function fail(where: string, problem: string): never {
  throw new UserError(`${where}: ${problem}`);
}

function describeIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return `${i.path.length ? i.path.join('.') : 'line'}: ${i.message}`;
}

function parseMetaAt(where: string, raw: unknown): TaskMeta {
  if (!raw || typeof raw !== 'object') fail(where, 'meta is missing: it must be an object whose "task" names the family');
  const task = (raw as { task?: unknown }).task;
  if (!isFamily(task)) fail(where, `unknown family ${JSON.stringify(task)} in meta.task (expected one of ${FAMILIES.join(', ')})`);
  try {
    return TASKS[task].parseMeta(raw);
  } catch (e) {
    return fail(where, (e as Error).message);
  }
}

export interface GradeRow {
  prompt: ChatMessage[];
  reply: string;
  meta: TaskMeta;
}

export function parseGradeRow(l: JsonlLine, file: string): GradeRow {
  const where = `${file}:${l.line}`;
  const schema = z.object({ prompt: messages, reply: z.string(), meta: z.unknown() });
  const r = schema.safeParse(l.value);
  if (!r.success) fail(where, describeIssue(r.error));
  return { prompt: r.data.prompt, reply: r.data.reply, meta: parseMetaAt(where, r.data.meta) };
}

export interface FamilyReport {
  n: number;
  accuracy: number; // share of replies showing the desired behaviour
  meanScore: number;
  verbose: number; // share of replies much longer than the reference
  labels: Record<string, number>;
}

export interface GradeReport {
  overall: { n: number; accuracy: number; meanScore: number };
  families: Partial<Record<FamilyName, FamilyReport>>;
}

export function gradeRows(rows: GradeRow[]): { report: GradeReport; grades: Grade[] } {
  const grades = rows.map((r) => TASKS[r.meta.task].grade(r.prompt, r.reply, r.meta));
  const families: Partial<Record<FamilyName, FamilyReport>> = {};
  for (const f of FAMILIES) {
    const idx = rows.map((r, i) => (r.meta.task === f ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) continue;
    const labels: Record<string, number> = {};
    for (const i of idx) labels[grades[i].label] = (labels[grades[i].label] ?? 0) + 1;
    families[f] = {
      n: idx.length,
      accuracy: round(idx.filter((i) => grades[i].ok).length / idx.length),
      meanScore: round(idx.reduce((s, i) => s + grades[i].score, 0) / idx.length),
      verbose: round(idx.filter((i) => grades[i].verbose).length / idx.length),
      labels,
    };
  }
  const n = rows.length;
  return {
    report: {
      overall: {
        n,
        accuracy: n ? round(grades.filter((g) => g.ok).length / n) : 0,
        meanScore: n ? round(grades.reduce((s, g) => s + g.score, 0) / n) : 0,
      },
      families,
    },
    grades,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export interface RankRow {
  raw: Record<string, unknown>; // the input object, passed through with "ranking" added
  prompt: ChatMessage[];
  completions: string[];
  meta: TaskMeta;
}

export function parseRankRow(l: JsonlLine, file: string): RankRow {
  const where = `${file}:${l.line}`;
  const schema = z.object({ prompt: messages, completions: z.array(z.string()).min(1), meta: z.unknown() }).passthrough();
  const r = schema.safeParse(l.value);
  if (!r.success) fail(where, describeIssue(r.error));
  return { raw: l.value as Record<string, unknown>, prompt: r.data.prompt, completions: r.data.completions, meta: parseMetaAt(where, r.data.meta) };
}

/** Adds "ranking" (indices best first) to every row; line N's ranking depends only on seed and N. */
export function rankRows(rows: RankRow[], options: Partial<RankerOptions>, seed: number): { lines: string[]; swaps: number; pairs: number } {
  let swaps = 0;
  let pairs = 0;
  const lines = rows.map((row, i) => {
    const r = rankWithSeed(row.prompt, row.completions, row.meta, options, seed, i);
    swaps += r.swaps;
    pairs += Math.max(0, row.completions.length - 1);
    return JSON.stringify({ ...row.raw, ranking: r.ranking });
  });
  return { lines, swaps, pairs };
}
