// Pre-tokenisation: text → pieces that BPE merges never cross (words, number groups, punctuation runs,
// whitespace). A pipeline of steps mirrors HF's pre_tokenizer Sequence, so tokenizer.json files from
// GPT-2 (ByteLevel with its regex), Llama 3 (Split + ByteLevel) and SmolLM (Digits + ByteLevel) split the
// same way HF splits them. Patterns in tokenizer.json are Oniguruma regexes; `toJsRegExp` translates the
// constructs those files use into JavaScript `u`-mode regexes.

/** Llama 3's pattern (GPT-4 style): contractions, letters with one leading non-letter, 1–3 digit groups,
 *  punctuation runs with trailing newlines, newline runs, and whitespace not followed by a word. */
export const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** GPT-2's pattern, used by a ByteLevel pre-tokenizer with use_regex: true. */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

export type PreTokenizeStep =
  | { kind: 'split'; pattern: string } // HF Split, behavior Isolated: matches and the gaps between them
  | { kind: 'digits'; individual: boolean } // HF Digits
  | { kind: 'bytelevel'; addPrefixSpace: boolean; useRegex: boolean }; // HF ByteLevel

/**
 * Oniguruma → JavaScript. Handles inline case-insensitive groups `(?i:...)` (expanded to explicit
 * [xX] classes, since Node 20 lacks regex modifiers) and possessive quantifiers (`?+`, `++`, `*+`,
 * `}+`), which are read as ordinary greedy ones: for the patterns tokenizers use the result is the
 * same, because the possessive parts are followed by disjoint character classes.
 */
export function toJsRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  const groupIsCaseless: boolean[] = []; // one entry per open group
  let caseless = 0; // how many enclosing (?i:) groups
  let lastWasQuantifier = false;
  const both = (c: string) => (/[a-z]/i.test(c) ? c.toLowerCase() + c.toUpperCase() : c);
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      // An escape, with \p{..} / \x{..} taken whole so their braces are not read as quantifiers.
      let esc = pattern.slice(i, i + 2);
      if ((pattern[i + 1] === 'p' || pattern[i + 1] === 'P') && pattern[i + 2] === '{') {
        esc = pattern.slice(i, pattern.indexOf('}', i) + 1);
      } else if (pattern[i + 1] === 'x' && pattern[i + 2] === '{') {
        const hex = pattern.slice(i + 3, pattern.indexOf('}', i));
        esc = '\\u{' + hex + '}';
        i += 4 + hex.length;
        out += esc;
        lastWasQuantifier = false;
        continue;
      }
      out += esc;
      i += esc.length;
      lastWasQuantifier = false;
      continue;
    }
    if (c === '[') {
      // Copy the class; inside a caseless group add the other case of each letter and letter range.
      let j = i + 1;
      let body = '';
      let extra = '';
      if (pattern[j] === '^') body += pattern[j++];
      if (pattern[j] === ']') body += pattern[j++];
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') {
          let esc = pattern.slice(j, j + 2);
          if ((pattern[j + 1] === 'p' || pattern[j + 1] === 'P') && pattern[j + 2] === '{') esc = pattern.slice(j, pattern.indexOf('}', j) + 1);
          body += esc;
          j += esc.length;
          continue;
        }
        const ch = pattern[j];
        if (caseless && /[a-z]/i.test(ch) && pattern[j + 1] === '-' && /[a-z]/i.test(pattern[j + 2] ?? '')) {
          const lo = ch, hi = pattern[j + 2];
          const swap = (x: string) => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
          extra += swap(lo) + '-' + swap(hi);
          body += lo + '-' + hi;
          j += 3;
          continue;
        }
        if (caseless && /[a-z]/i.test(ch)) extra += both(ch).replace(ch, '');
        body += ch;
        j++;
      }
      out += '[' + body + extra + ']';
      i = j + 1;
      lastWasQuantifier = false;
      continue;
    }
    if (c === '(') {
      if (pattern.startsWith('(?i:', i)) {
        out += '(?:';
        i += 4;
        groupIsCaseless.push(true);
        caseless++;
      } else {
        out += c;
        i++;
        groupIsCaseless.push(false);
      }
      lastWasQuantifier = false;
      continue;
    }
    if (c === ')') {
      if (groupIsCaseless.pop()) caseless--;
      out += c;
      i++;
      lastWasQuantifier = false;
      continue;
    }
    if (c === '+' && lastWasQuantifier) {
      i++; // possessive marker
      lastWasQuantifier = false;
      continue;
    }
    if (c === '?' && lastWasQuantifier) {
      out += c; // lazy marker (`+?`), not a quantifier itself
      i++;
      lastWasQuantifier = false;
      continue;
    }
    if (c === '?' || c === '*' || c === '+') {
      out += c;
      i++;
      lastWasQuantifier = true;
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length;
        lastWasQuantifier = true;
        continue;
      }
    }
    out += caseless && /[a-z]/i.test(c) ? '[' + both(c) + ']' : c;
    i++;
    lastWasQuantifier = false;
  }
  return new RegExp(out, 'gu');
}

type Emit = (piece: string) => void;
type Splitter = (piece: string, emit: Emit) => void;

function regexSplitter(pattern: string): Splitter {
  const re = toJsRegExp(pattern);
  return (text, emit) => {
    re.lastIndex = 0;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++; // an empty match would loop forever; HF skips them too
        continue;
      }
      if (m.index > last) emit(text.slice(last, m.index)); // an unmatched gap is its own piece
      emit(m[0]);
      last = m.index + m[0].length;
    }
    if (last < text.length) emit(text.slice(last));
  };
}

/** null for a step that leaves the text whole (ByteLevel without regex or prefix space). */
function stepSplitter(step: PreTokenizeStep): Splitter | null {
  if (step.kind === 'split') return regexSplitter(step.pattern);
  if (step.kind === 'digits') return regexSplitter(step.individual ? '\\p{N}' : '\\p{N}+');
  if (!step.useRegex && !step.addPrefixSpace) return null;
  const split: Splitter = step.useRegex ? regexSplitter(GPT2_PATTERN) : (t, emit) => emit(t);
  if (!step.addPrefixSpace) return split;
  return (text, emit) => split(text.startsWith(' ') ? text : ' ' + text, emit);
}

/** A compiled pipeline of steps. Pieces come out in order and concatenate to the text (plus any
 *  prefix space a ByteLevel step adds). */
export class PreTokenizer {
  readonly steps: PreTokenizeStep[];
  private readonly run: Splitter;

  constructor(steps: PreTokenizeStep[]) {
    this.steps = steps;
    // Chain the steps: each one's pieces feed the next, with no arrays in between.
    const splitters = steps.map(stepSplitter).filter((s): s is Splitter => s !== null);
    const chain = (from: number): Splitter => {
      if (from === splitters.length) return (text, emit) => emit(text);
      if (from === splitters.length - 1) return splitters[from];
      const outer = splitters[from], inner = chain(from + 1);
      return (text, emit) => outer(text, (piece) => inner(piece, emit));
    };
    this.run = chain(0);
  }

  /** Calls `emit` with each piece of `text`, in order. */
  each(text: string, emit: Emit): void {
    this.run(text, emit);
  }

  split(text: string): string[] {
    const out: string[] = [];
    this.run(text, (p) => out.push(p));
    return out;
  }
}

/** Parley's own pre-tokenizer: the Llama 3 split, then byte-level (no prefix space). */
export function defaultPreTokenizer(): PreTokenizer {
  return new PreTokenizer([
    { kind: 'split', pattern: LLAMA3_PATTERN },
    { kind: 'bytelevel', addPrefixSpace: false, useRegex: false },
  ]);
}
