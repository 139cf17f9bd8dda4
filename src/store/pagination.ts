// Keyset pagination: a cursor is the sort key of the last row returned, opaque to clients.
// Offsets are never used, so page N costs the same as page 1 on a large table.
import { UserError } from '../util/errors.ts';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` to get the next page; null when there is none. */
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | null;
  limit?: number;
}

export function clampLimit(limit: number | undefined, fallback = 50, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, n: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === n && parts.every((p) => typeof p === 'string')) return parts;
  } catch {
    // fall through to the error below
  }
  throw new UserError('cursor: not a cursor this server returned');
}

/** Fetch limit+1 rows, return limit of them and a cursor if there was more. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => string[]): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? encodeCursor(key(items[items.length - 1])) : null };
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
