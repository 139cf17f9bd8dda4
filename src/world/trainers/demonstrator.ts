// The simulated demonstration writer: plays both sides of a conversation, as the announcement's
// trainers did, writing the user's turns (through a task family's generator) and the ideal
// assistant turns (through the family's demonstration).
import type { Rng } from '../rng.ts';
import type { Split, World } from '../knowledge/index.ts';
import { TASKS } from '../tasks/index.ts';
import type { FamilyName, TaskMeta, WorldMessage } from '../types.ts';

export interface Demonstration {
  messages: WorldMessage[]; // the whole conversation, ending with the assistant's ideal turn(s)
  meta: TaskMeta;
}

/** The ideal assistant turns that complete a prompt of the given task. */
export function demonstrate(meta: TaskMeta): WorldMessage[] {
  return TASKS[meta.task].demonstrate(meta);
}

export function writeDemonstration(family: FamilyName, rng: Rng, world: World, split: Split = 'train'): Demonstration {
  const item = TASKS[family].generate(rng, world, split);
  return { messages: [...item.prompt, ...demonstrate(item.meta)], meta: item.meta };
}
