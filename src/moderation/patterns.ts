// A small pattern layer over normalised text. Hashed n-grams cannot generalise across numbers
// ("13 year old" and "14 year old" share no useful n-gram), so ages are turned into the tokens
// `__age_minor__` / `__age_adult__` here, and the model learns from those.

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, thre: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, thirten: 13, fourten: 14, fiften: 15, sixten: 16, seventen: 17, eighten: 18, nineten: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50,
};
// Normalised text has squeezed letters, so "three" reads "thre" and "year" stays "year".
const NUMBER = `(\\d{1,3}|${Object.keys(NUMBER_WORDS).join('|')})`;
const AGE_PATTERNS = [
  new RegExp(`\\b${NUMBER} ?(?:years?|yrs?|yo|y o) ?old\\b`, 'g'),
  new RegExp(`\\b${NUMBER} ?(?:yo|y o|yrs?)\\b`, 'g'),
  new RegExp(`\\b(?:aged?|age of) ${NUMBER}\\b`, 'g'),
];

function toAge(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word];
}

/** Extra tokens for a normalised text (may repeat; the caller counts them). */
export function patternTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const re of AGE_PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(normalized); m; m = re.exec(normalized)) {
      out.push(toAge(m[1]) < 18 ? '__age_minor__' : '__age_adult__');
    }
  }
  return out;
}
