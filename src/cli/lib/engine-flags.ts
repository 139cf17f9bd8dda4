// Flag parsers shared by the engine's sub-commands (score, generate, bench). Each throws a
// UserError naming the flag and the bad value.
import { UserError } from '../../util/errors.ts';

export function parseInteger(flag: string, raw: string, min = -Infinity, max = Infinity): number {
  const s = raw.trim();
  if (!/^-?\d+$/.test(s)) throw new UserError(`${flag}: "${raw}" is not an integer`);
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UserError(`${flag}: ${raw} is out of range (${min}..${max === Infinity ? '∞' : max})`);
  }
  return v;
}

export function parseNumber(flag: string, raw: string, min = -Infinity, max = Infinity): number {
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UserError(`${flag}: "${raw}" is not a number`);
  if (v < min || v > max) throw new UserError(`${flag}: ${raw} is out of range (${min}..${max === Infinity ? '∞' : max})`);
  return v;
}

/** "5,17,3" → [5, 17, 3]; each a non-negative integer (the vocabulary check comes with the model). */
export function parseIdList(flag: string, raw: string, allowEmpty = false): number[] {
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0 && !allowEmpty) throw new UserError(`${flag}: no token ids given (expected e.g. 5,17,3)`);
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new UserError(`${flag}: "${p}" is not a token id (expected comma-separated non-negative integers)`);
    return Number(p);
  });
}

/** Every id must be inside the model's vocabulary. */
export function checkVocab(flag: string, ids: number[], vocabSize: number): void {
  ids.forEach((id, i) => {
    if (id >= vocabSize) throw new UserError(`${flag}: id ${id} (position ${i}) is outside the model's vocabulary of ${vocabSize} tokens`);
  });
}
