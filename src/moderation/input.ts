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
    throw new UserError(`${where} is not valid UTF-8 (bad byte at offset ${firstBadByte(bytes)})`);
  }
}

// Where decoding fails: the first byte that does not start or continue a well-formed sequence.
function firstBadByte(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    const n = x < 0x80 ? 1 : x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) {
      if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    }
    // Overlong 3- and 4-byte forms, UTF-16 surrogates and code points past U+10FFFF.
    const y = b[i + 1];
    if ((x === 0xe0 && y < 0xa0) || (x === 0xed && y >= 0xa0) || (x === 0xf0 && y < 0x90) || (x === 0xf4 && y >= 0x90)) return i;
    i += n;
  }
  return b.length;
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
