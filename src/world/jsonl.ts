// Reading JSONL with errors that name the file and line, and writing files atomically (a temp name
// in the same directory, then rename), so a failed run never leaves a half-written file behind.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../util/errors.ts';

export interface JsonlLine {
  line: number; // 1-based line number in the file
  value: unknown;
}

/** Parses JSONL text; blank lines are skipped; a malformed line is a UserError naming it. */
export function parseJsonl(text: string, name: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (e) {
      throw new UserError(`${name}:${i + 1}: malformed JSON (${(e as Error).message})`);
    }
  }
  return out;
}

export function readJsonl(path: string): JsonlLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseJsonl(text, path);
}

/**
 * Writes several files so that either all appear complete or none changes: each goes to a temp
 * name first and only when every write succeeded are they renamed into place.
 */
export function writeFilesAtomically(files: Record<string, string | Uint8Array>): void {
  const temps: [string, string][] = [];
  try {
    for (const [path, content] of Object.entries(files)) {
      const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
      temps.push([tmp, path]);
      writeFileSync(tmp, content);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, path] of temps) renameSync(tmp, path);
}
