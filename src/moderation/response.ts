// The body of an OpenAI `/v1/moderations` response.
import { randomUUID } from 'node:crypto';
import type { ModerationResult } from './taxonomy.ts';

export interface ModerationResponse {
  id: string;
  model: string;
  results: ModerationResult[];
}

export function moderationResponse(model: string, results: ModerationResult[]): ModerationResponse {
  return { id: `modr-${randomUUID().replace(/-/g, '')}`, model, results };
}
