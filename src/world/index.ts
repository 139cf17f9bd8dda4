// The conversation world's public surface, for training, evaluation and the CLI.
import { UserError } from '../util/errors.ts';
import type { ChatMessage } from '../providers/types.ts';
import { TASKS } from './tasks/index.ts';
import { FAMILIES, isFamily, type Grade, type TaskMeta } from './types.ts';

export { loadWorld, type World, type Split } from './knowledge/index.ts';
export { TASKS } from './tasks/index.ts';
export { FAMILIES, isFamily, type FamilyName, type Grade, type TaskFamily, type TaskItem, type TaskMeta, type WorldMessage } from './types.ts';
export { generateDataset, BASE_COUNTS, SFT_FAMILY_WEIGHTS, sftCount, type DatasetStats, type GenerateOptions } from './dataset.ts';
export { demonstrate, writeDemonstration } from './trainers/demonstrator.ts';
export { rankCompletions, rankWithSeed, DEFAULT_RANKER, type RankerOptions, type RankResult } from './trainers/ranker.ts';
export { Rng } from './rng.ts';

/** Checks metadata read from a dataset (e.g. a prompts.jsonl line's "meta"); bad meta is a UserError. */
export function parseMeta(raw: unknown): TaskMeta {
  const task = (raw as { task?: unknown } | null)?.task;
  if (!isFamily(task)) throw new UserError(`unknown family ${JSON.stringify(task)} in meta.task (expected one of ${FAMILIES.join(', ')})`);
  try {
    return TASKS[task].parseMeta(raw);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/** Grades one reply to a prompt from prompts.jsonl or eval.jsonl: the reward signal for RL and evaluation. */
export function gradeReply(prompt: readonly ChatMessage[], reply: string, meta: TaskMeta): Grade {
  return TASKS[meta.task].grade(prompt, reply, meta);
}
