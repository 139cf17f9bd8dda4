// Shapes shared by every task family. A family generates the user side of a conversation plus the
// metadata its grader needs (`meta`), writes the ideal assistant turns for it, and grades replies.
import type { ChatMessage } from '../providers/types.ts';
import type { Rng } from './rng.ts';
import type { Split, World } from './knowledge/index.ts';
import type { TemplateSet } from './phrasing.ts';

export const FAMILIES = [
  'factual',
  'followup',
  'calculator',
  'clarify',
  'premise',
  'correction',
  'safety',
  'identity',
] as const;
export type FamilyName = (typeof FAMILIES)[number];

export function isFamily(name: unknown): name is FamilyName {
  return typeof name === 'string' && (FAMILIES as readonly string[]).includes(name);
}

/**
 * A chat message as our datasets store it. `weight: 0` marks an assistant turn that must not be
 * learned (a deliberately wrong earlier answer that the user then corrects), as in OpenAI's
 * fine-tuning format.
 */
export interface WorldMessage extends ChatMessage {
  weight?: 0 | 1;
}

/** What every family's meta has; each family adds the fields its grader needs. */
export interface TaskMeta {
  task: FamilyName;
  intent: string;
  split: Split;
  reference: string; // the ideal final assistant text, also the yardstick for verbosity
}

export interface TaskItem<M extends TaskMeta = TaskMeta> {
  prompt: WorldMessage[]; // ends with a user turn
  meta: M;
}

export interface Grade {
  label: string; // correct, wrong, refused, clarified, challenged_premise, admitted, kept_answer, ...
  score: number; // 0..1, the desired behaviour scores 1 (less if verbose)
  ok: boolean; // the reply shows the behaviour this family asks for
  verbose: boolean; // much longer than the reference reply
}

export interface TaskFamily<M extends TaskMeta = TaskMeta> {
  readonly name: FamilyName;
  /** Every phrasing set the family draws user turns from (train and eval-only halves). */
  readonly templates: readonly TemplateSet[];
  /** Validates metadata read from a file; throws an Error saying which field is wrong. */
  parseMeta(raw: unknown): M;
  generate(rng: Rng, world: World, split: Split): TaskItem<M>;
  /** The ideal assistant turns that answer `meta`'s conversation (more than one for tool use). */
  demonstrate(meta: M): WorldMessage[];
  /** Never throws, whatever `reply` holds. */
  grade(prompt: readonly ChatMessage[], reply: string, meta: M): Grade;
}
