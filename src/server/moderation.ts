// What the server needs from content moderation, kept small so the classifier in src/moderation can
// change freely: score texts (OpenAI-shaped results) and decide allow / warn / block.
import type { ModerationResult } from '../moderation/taxonomy.ts';

export type ModerationAction = 'allow' | 'warn' | 'block';

export interface Moderator {
  /** The model id reported by /v1/moderations. */
  readonly model: string;
  moderate(texts: string[]): Promise<ModerationResult[]>;
  decide(result: ModerationResult): ModerationAction;
}

export type { ModerationResult };
