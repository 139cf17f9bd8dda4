// Checks on what callers hand the moderator, so bad input gets a clear error or a defined result:
//   empty or whitespace-only text -> a defined result (nothing flagged, all scores 0);
//   text longer than maxChars      -> UserError naming the input and the limit;
//   binary (NUL or mostly control characters) -> UserError;
//   lone UTF-16 surrogates (text that came from broken UTF-8) -> replaced with U+FFFD and scored.
// Bytes from a file go through decodeUtf8, which rejects invalid UTF-8 with the byte offset.

import { UserError } from '../util/errors.ts';

export const DEFAULT_MAX_CHARS = 200_000;

export function checkText(text: unknown, where: string, maxChars = DEFAULT_MAX_CHARS): string {
  if (typeof text !== 'string') throw new UserError(`${where} must be a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > maxChars) {
    throw new UserError(`${where} is ${text.length} characters long; the limit is ${maxChars}`);
  }
  if (text.includes('\u0000')) throw new UserError(`${where} looks like binary data (it contains NUL characters)`);
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  if (text.length >= 16 && control / text.length > 0.1) {
    throw new UserError(`${where} looks like binary data (${control} of ${text.length} characters are control characters)`);
  }
  return wellFormed(text);
}

// Lone surrogates cannot be encoded as UTF-8; they become U+FFFD like a lenient decoder would make them.
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Decodes bytes as UTF-8 or throws a UserError with the offset of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let lo = 0;
    let hi = bytes.length;
    // Binary search for the longest valid prefix, to say where the bad byte is.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    throw new UserError(`${where} is not valid UTF-8 (bad byte at offset ${lo})`);
  }
}

/**
 * The `input` field of an OpenAI moderation request: a string, an array of strings, or an array of
 * `{type: "text", text}` parts. Returns the texts, or throws a UserError naming the bad field.
 */
export function parseModerationInput(input: unknown, maxChars = DEFAULT_MAX_CHARS): string[] {
  if (typeof input === 'string') return [checkText(input, 'input', maxChars)];
  if (!Array.isArray(input)) throw new UserError('input must be a string or an array of strings');
  if (input.length === 0) throw new UserError('input must not be an empty array');
  if (input.length > 256) throw new UserError(`input has ${input.length} items; the limit is 256`);
  return input.map((item, i) => {
    if (typeof item === 'string') return checkText(item, `input[${i}]`, maxChars);
    if (item && typeof item === 'object' && (item as { type?: unknown }).type === 'text') {
      return checkText((item as { text?: unknown }).text, `input[${i}].text`, maxChars);
    }
    if (item && typeof item === 'object' && (item as { type?: unknown }).type === 'image_url') {
      throw new UserError(`input[${i}] is an image; this moderator classifies text only`);
    }
    throw new UserError(`input[${i}] must be a string or {"type":"text","text":...}`);
  });
}
