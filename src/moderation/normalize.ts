// Text normalisation shared by training and inference, so that the classifier sees one spelling of
// each word however it was typed: case, accents, look-alike letters, zero-width characters,
// spaced-out letters ("k i l l"), leetspeak ("k1ll"), punctuation inside words ("ki.ll") and
// repeated letters ("kiiiill"). Repeated letters are squeezed to one everywhere ("kill" -> "kil"),
// which costs nothing because training text goes through the same function.

const ZERO_WIDTH = /[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/g;
const MARKS = /\p{M}+/gu;

// Cyrillic and Greek letters that render like Latin ones (after lower-casing).
const LOOKALIKES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p',
  τ: 't', υ: 'u', χ: 'x',
};
const LOOKALIKE_RE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'g');

// Characters used for letters in leetspeak. Digits are only read as letters inside a word that
// also has letters, and never in "12yo", "3rd", "10am" (a number followed by a unit).
const LEET: Record<string, string> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i', '|': 'l', '€': 'e',
};
const LEET_TOKEN = /[a-z0-9@$!|€]+/g;
const NUMBER_WITH_UNIT = /^\d+[a-z]*$/;

// Three or more single characters separated by spaces or punctuation: "k i l l", "k.i.l.l", "k-i-l-l".
const SPACED = /(?<![a-z0-9@$])(?:[a-z0-9@$!|][\s.\-_*·,+~/\\]{1,3}){2,}[a-z0-9@$|](?![a-z0-9@$])/g;
const SPACED_SEPARATORS = /[\s.\-_*·,+~/\\]+/g;

// Punctuation that obfuscates a word from the inside ("ki.ll", "f*ck", "mur_der").
const INNER_PUNCT = /(?<=[a-z])[.*'`~^_"’‘]+(?=[a-z])/g;

export function normalize(text: string): string {
  let t = text.normalize('NFKC').toLowerCase().replace(ZERO_WIDTH, '');
  t = t.normalize('NFD').replace(MARKS, '').normalize('NFC');
  t = t.replace(LOOKALIKE_RE, (ch) => LOOKALIKES[ch]);
  t = t.replace(SPACED, (m) => m.replace(SPACED_SEPARATORS, ''));
  t = t.replace(LEET_TOKEN, deLeet);
  t = t.replace(INNER_PUNCT, '');
  t = t.replace(/([a-z])\1+/g, '$1');
  // Everything else that is not a letter or digit separates words.
  return t.replace(/[^a-z0-9]+/g, ' ').trim();
}

function deLeet(token: string): string {
  if (!/[a-z]/.test(token) || NUMBER_WITH_UNIT.test(token)) return token;
  // A trailing "!" or "|" is punctuation ("kill!"), not a letter.
  const m = /[!|]+$/.exec(token);
  const body = m ? token.slice(0, m.index) : token;
  let out = '';
  for (const ch of body) out += LEET[ch] ?? ch;
  return out + (m ? ' ' : '');
}
