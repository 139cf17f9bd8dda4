// The held-out eval set: eval.jsonl from `parley data generate` (a file), or generated on the spot by
// the world's generator from a seed (held-out phrasings and eval-only entities either way).
import { UserError } from '../../util/errors.ts';
import type { ChatMessage } from '../../providers/types.ts';
import { FAMILIES, parseMeta, type TaskMeta } from '../../world/index.ts';
import { readPrompts } from '../datasets.ts';

export interface EvalItem {
  prompt: ChatMessage[]; // ends with the user turn to answer
  meta: TaskMeta;
}

/** Reads eval.jsonl lines `{"prompt":[...], "meta":{task, intent, ...}}`; every line needs a valid meta. */
export function readEvalSet(file: string): EvalItem[] {
  return readPrompts(file).map((row, i) => {
    if (!row.meta) throw new UserError(`${file}: prompt ${i + 1} has no "meta": eval prompts need the grader's metadata (as in eval.jsonl)`);
    try {
      return { prompt: row.prompt, meta: parseMeta(row.meta) };
    } catch (e) {
      throw new UserError(`${file}: prompt ${i + 1}: ${(e as Error).message}`);
    }
  });
}

/** The eval set the world's generator makes from `seed` (the same split `parley data generate` writes). */
export async function generatedEvalSet(seed: number, perFamily: number): Promise<EvalItem[]> {
  const { loadWorld } = await import('../../world/knowledge/index.ts');
  const { generateDataset } = await import('../../world/dataset.ts');
  // Eval prompts are 200 per family at scale 1; ask for a scale that gives at least `perFamily`.
  const scale = Math.min(1000, Math.max(0.005, perFamily / 200));
  const { files } = generateDataset(loadWorld(), { seed, scale });
  return files['eval.jsonl'].split('\n').filter((l) => l.trim()).map((l) => {
    const row = JSON.parse(l) as { prompt: ChatMessage[]; meta: unknown };
    return { prompt: row.prompt, meta: parseMeta(row.meta) };
  });
}

/** At most `perFamily` prompts of each family, in file order (eval.jsonl is grouped by family). */
export function limitPerFamily(items: EvalItem[], perFamily: number | undefined): EvalItem[] {
  if (perFamily === undefined) return items;
  if (!Number.isInteger(perFamily) || perFamily < 1) throw new UserError(`limit must be a whole number >= 1, got ${perFamily}`);
  const seen = new Map<string, number>();
  return items.filter((it) => {
    const k = (seen.get(it.meta.task) ?? 0) + 1;
    seen.set(it.meta.task, k);
    return k <= perFamily;
  });
}

export function familyCounts(items: EvalItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of FAMILIES) {
    const n = items.filter((it) => it.meta.task === f).length;
    if (n) out[f] = n;
  }
  return out;
}
