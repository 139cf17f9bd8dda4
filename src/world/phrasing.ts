// Surface variation for user turns: politeness, casing, punctuation and typos, so a small model
// learns intents rather than exact strings. Entity names are protected from typos: the grader knows
// the entity, but a model should not have to guess which country "Frnace" is.
import type { Rng } from './rng.ts';
import { tidy } from './text.ts';

export interface TemplateSet {
  train: readonly string[];
  eval: readonly string[];
}

/** Fills `{name}` slots; an unknown slot is a programming error and throws. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`template slot {${k}} has no value in "${template}"`);
    return String(vars[k]);
  });
}

const PREFIXES = [
  'hey, ', 'hi, ', 'hello! ', 'quick question: ', 'please, ', 'excuse me, ', 'um, ', 'so, ', 'ok so ',
  'can i ask something? ', 'good morning! ', 'hey parley, ', 'i was wondering, ',
  'i have a question. ', 'help me out: ', 'real quick, ', 'sorry to bother you, ', 'one more thing: ',
  'my friend and i were talking and ', 'for a quiz: ', 'i need to know: ', 'hello there. ', 'yo, ',
  'good evening, ', 'question for you: ', 'not sure if you know, but ',
];
const SUFFIXES = [
  ' please', ', please', ' thanks', ', thank you!', ' thx', ' pls', ' :)', '??', ' thanks in advance',
  ', if you know', ", i'm curious", ' (asking for school)', ' - thanks a lot', ', cheers', '?!', ' ty',
  ' - a short answer is fine',
];

const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 's', s: 'a', d: 'f', e: 'r', r: 'e', t: 'y', i: 'o', o: 'i', n: 'm', m: 'n', h: 'j', l: 'k', c: 'v', u: 'y',
};

function typo(rng: Rng, word: string): string {
  const i = rng.range(1, word.length - 2);
  switch (rng.int(4)) {
    case 0: // swapped letters
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1: // dropped letter
      return word.slice(0, i) + word.slice(i + 1);
    case 2: // doubled letter
      return word.slice(0, i) + word[i] + word.slice(i);
    default: {
      const c = word[i].toLowerCase();
      return word.slice(0, i) + (KEYBOARD_NEIGHBOURS[c] ?? c) + word.slice(i + 1);
    }
  }
}

export interface VaryOptions {
  protect?: readonly string[]; // phrases that must come through unchanged (entity names, numbers)
  typoRate?: number; // chance of one typo in the message
  politeness?: boolean; // allow prefixes and suffixes
}

/** A varied rendering of one user message. */
export function vary(rng: Rng, text: string, opts: VaryOptions = {}): string {
  const protectedWords = new Set(
    (opts.protect ?? []).flatMap((p) => String(p).toLowerCase().split(/\s+/)).filter(Boolean),
  );
  let s = text;
  if (rng.chance(opts.typoRate ?? 0.15)) {
    const words = s.split(' ');
    const candidates = words
      .map((w, i) => [w, i] as const)
      .filter(([w]) => /^[a-z]{4,}$/i.test(w) && !protectedWords.has(w.toLowerCase()));
    if (candidates.length) {
      const [w, i] = rng.pick(candidates);
      words[i] = typo(rng, w);
      s = words.join(' ');
    }
  }
  if (opts.politeness !== false) {
    const r = rng.next();
    if (r < 0.15) s = rng.pick(PREFIXES) + s[0].toLowerCase() + s.slice(1);
    else if (r < 0.27) s = s.replace(/[?.!]$/, '') + rng.pick(SUFFIXES);
  }
  const c = rng.next();
  if (c < 0.18) s = lowerExcept(s, opts.protect ?? []);
  else if (c < 0.21) s = s.toUpperCase();
  else s = s[0].toUpperCase() + s.slice(1);
  if (rng.chance(0.12)) s = s.replace(/[?.!]+$/, '');
  return tidy(s);
}

// People typing in lower case still often write names their usual way; keep protected phrases.
function lowerExcept(s: string, keep: readonly string[]): string {
  let out = s.toLowerCase();
  for (const k of keep) {
    const kk = String(k);
    if (!kk) continue;
    const idx = out.indexOf(kk.toLowerCase());
    if (idx >= 0 && isChemicalSymbol(kk)) out = out.slice(0, idx) + kk + out.slice(idx + kk.length);
  }
  return out;
}

// Chemical symbols must keep their case ("Fe", not "fe"): the case carries the meaning.
function isChemicalSymbol(k: string): boolean {
  return /^[A-Z][a-z]?$/.test(k);
}
