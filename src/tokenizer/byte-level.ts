// The GPT-2 "byte-level" alphabet: every byte 0..255 is shown as one printable Unicode character, so
// that a token's bytes can be written as a JSON string in tokenizer.json (HF, GPT-2, Llama 3, SmolLM).
// Printable Latin-1 bytes map to themselves; the others (controls, space, soft hyphen) are shifted to
// U+0100 upward in byte order — hence " the" is written "Ġthe" (space = byte 32 → U+0120 'Ġ').

const byteToChar: string[] = new Array(256);
const charToByte = new Map<string, number>();
{
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const ch = String.fromCharCode(printable ? b : 256 + shifted++);
    byteToChar[b] = ch;
    charToByte.set(ch, b);
  }
}

/** Bytes → their byte-level string ("Ġthe"). */
export function bytesToByteLevel(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += byteToChar[bytes[i]];
  return s;
}

/** The character that stands for one byte. */
export function byteChar(b: number): string {
  return byteToChar[b];
}

const utf8 = new TextEncoder();

/**
 * A byte-level string → bytes. Characters outside the alphabet (which well-formed byte-level vocabularies
 * never contain, but hand-made files can) are taken as their own UTF-8 bytes rather than dropped, so no
 * text is lost when decoding such a token.
 */
export function byteLevelToBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const b = charToByte.get(ch);
    if (b !== undefined) out.push(b);
    else for (const x of utf8.encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}

/** Whether every character of `s` belongs to the byte-level alphabet. */
export function isByteLevel(s: string): boolean {
  for (const ch of s) if (!charToByte.has(ch)) return false;
  return true;
}

/** `s` with each lone UTF-16 surrogate replaced by U+FFFD — the string UTF-8 can represent.
 *  (String.prototype.toWellFormed is in Node 20 but not in TypeScript's ES2022 library.) */
export function toWellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed();
}
