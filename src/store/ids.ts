// Ids that sort by creation time (like UUIDv7): 12 hex digits of milliseconds, 4 of a per-process
// counter, 16 random. Sorting messages by id is sorting them by creation, which makes cursor
// pagination a single indexed comparison and keeps sibling order stable within one millisecond.
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

export function newId(): string {
  const ms = Date.now();
  if (ms === lastMs) counter = (counter + 1) & 0xffff;
  else {
    lastMs = ms;
    counter = 0;
  }
  return ms.toString(16).padStart(12, '0') + counter.toString(16).padStart(4, '0') + randomBytes(8).toString('hex');
}

export function now(): string {
  return new Date().toISOString();
}

/** A random token for cookies, share links and API keys (URL-safe). */
export function newToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
