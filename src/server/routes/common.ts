// Small helpers shared by the /api route modules.
import { z } from 'zod';
import { parse } from '../errors.ts';

const pageSchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** ?cursor=&limit= from a query string. */
export function pageQuery(query: unknown): { cursor?: string; limit?: number } {
  return parse(pageSchema, pickKnown(query, ['cursor', 'limit']), 'query');
}

export function pickKnown(query: unknown, keys: string[]): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => q[k] !== undefined).map((k) => [k, q[k]]));
}

export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
});
