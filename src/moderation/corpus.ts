// The labelled corpus: templates from corpus-unsafe.ts and corpus-safe.ts filled with slot values.
// The split is by template and by slot value: every fourth template of each group (index % 4 == 2)
// is held out, and held-out templates are filled only with the quarter of each slot list that
// training never uses (index % 4 == 3), so evaluation measures phrasings and fillers (people,
// groups, places, foods, ...) the classifier never saw, not memorised fillings. The harmful
// vocabulary slots (VOCABULARY) are shared unless `splitVocabulary` is set: they are the words the
// lexicon lists anyway, and a shipped model must have seen "stupid" used as an insult; the strict
// split measures how far the lexicon alone carries unseen harmful words.
// Training examples are then augmented with obfuscated copies and with safe sentences around them.

import { createHash } from 'node:crypto';
import { worldExamples } from './corpus-world.ts';
import { harmWordSentences } from './corpus-wordnet.ts';
import { classText } from './lexicon.ts';
import { normalize } from './normalize.ts';
import { obfuscate } from './obfuscate.ts';
import { Rng } from './random.ts';
import { EVERYDAY } from './corpus-everyday.ts';
import { EVERYDAY_MORE } from './corpus-everyday-more.ts';
import { EVERYDAY_DOCS } from './corpus-everyday-docs.ts';
import { SAFE_AMBIGUOUS } from './corpus-safe-ambiguous.ts';
import { SAFE_AWARE } from './corpus-safe-aware.ts';
import { SAFE_CONTEXT } from './corpus-safe-context.ts';
import { SAFE_NEARMISS } from './corpus-safe-nearmiss.ts';
import { SAFE_SHORT } from './corpus-safe-short.ts';
import { UNSAFE_INDIRECT } from './corpus-unsafe-indirect.ts';
import { UNSAFE_CONTEXT } from './corpus-unsafe-context.ts';
import { UNSAFE_INNER } from './corpus-unsafe-inner.ts';
import { SAFE_IDIOMS } from './corpus-safe-idioms.ts';
import { SAFE_SENSES } from './corpus-safe-senses.ts';
import { UNSAFE_WEAK } from './corpus-unsafe-weak.ts';
import { UNSAFE_ACTS } from './corpus-unsafe-acts.ts';
import { UNSAFE_PEOPLE } from './corpus-unsafe-people.ts';
import { SAFE } from './corpus-safe.ts';
import { UNSAFE_MORE } from './corpus-unsafe-more.ts';
import { UNSAFE, type TemplateGroup } from './corpus-unsafe.ts';
import { SLOTS } from './slots.ts';
import { EVERYDAY_SLOTS } from './slots-everyday.ts';
import { withParents, type Category } from './taxonomy.ts';

/** One labelled text. `mask` lists the categories the labels speak for (absent: all of them). */
export interface Example {
  text: string;
  /** Positive categories, closed under parents. */
  labels: Category[];
  mask?: Category[];
  weight?: number;
  /** "group#template" for corpus examples, "report" for user reports. */
  source: string;
}

export interface CorpusOptions {
  seed: number;
  /** Fillings per template (templates without slots get surface variants instead). */
  perTemplate: number;
  /** Fraction of training examples that also get an obfuscated copy. */
  obfuscateRate: number;
  /** Fraction of training examples that also get a copy wrapped in safe sentences. */
  contextRate: number;
  /** Fraction of safe training examples that also get a copy cut after a few words. */
  prefixRate: number;
  /** Pairs of safe training texts joined as neighbouring sentences, per safe training text (default
   *  0): the pair windows of a long benign message as negatives. Measured in issue 7 (src/moderation/README.md):
   *  at 1 it lowers the long-message false-positive rate a little at some cost in recall. */
  pairRate?: number;
  /** WordNet definitions and examples added as safe text (a fifth of them held out). */
  definitions: number;
  /** Sentences of the world's encyclopedic prose added as safe text (a fifth of them held out). */
  prose: number;
  /** Fillings per everyday template (corpus-everyday.ts): many templates, so fewer each. */
  everydayPerTemplate: number;
  /** Also hold out a quarter of the harmful vocabulary slots (a stricter, pessimistic split). */
  splitVocabulary?: boolean;
  /** WordNet definitions and examples that use a lexicon word in its everyday sense
   *  (corpus-wordnet.ts), added as safe text; a fifth of them held out. */
  harmWordSentences?: number;
  /** Include the second set of template files (MORE_GROUPS; default true). They are filled from
   *  their own random stream after everything else, so the examples of the first set are the same
   *  with or without them and models trained before them can be compared on the first set's held-out part. */
  moreTemplates?: boolean;
}

/** The first set of template groups (issue 7, sessions 1-3). */
export const FIRST_GROUPS: TemplateGroup[] = [...UNSAFE, ...UNSAFE_MORE, ...SAFE, ...EVERYDAY];
/** The second set (issue 7, session 4): new phrasings of every kind, written against the first set's
 *  held-out failures by kind, not by template (src/moderation/README.md). */
export const MORE_GROUPS: TemplateGroup[] = [...UNSAFE_PEOPLE, ...UNSAFE_ACTS, ...SAFE_SENSES, ...EVERYDAY_MORE, ...UNSAFE_WEAK, ...SAFE_AWARE, ...SAFE_IDIOMS,
  ...UNSAFE_INNER, ...UNSAFE_CONTEXT, ...SAFE_CONTEXT, ...EVERYDAY_DOCS, ...SAFE_AMBIGUOUS,
  ...UNSAFE_INDIRECT, ...SAFE_NEARMISS, ...SAFE_SHORT];
/** Groups of ordinary requests and text, filled `everydayPerTemplate` times. */
export const EVERYDAY_GROUPS: TemplateGroup[] = [...EVERYDAY, ...EVERYDAY_MORE, ...EVERYDAY_DOCS];

export const DEFAULT_CORPUS: CorpusOptions = {
  seed: 1, perTemplate: 24, obfuscateRate: 0.3, contextRate: 0.15, prefixRate: 0.3, definitions: 5000, prose: 2000, everydayPerTemplate: 8, harmWordSentences: 5000,
};

export function isHeldOut(templateIndex: number): boolean {
  return templateIndex % 4 === 2;
}

/**
 * The validation part of the TRAINING examples: template index % 8 == 0 (half of the index % 4 == 0
 * quarter), world topics and single sentences by a hash. What is fitted on the rest can be checked
 * here on phrasings it never saw (the cascade's verifier threshold, the linear model's calibration)
 * without touching the held-out templates (index % 4 == 2).
 */
export function isValidation(e: Example): boolean {
  const base = e.source.split('+')[0];
  const m = /#(\d+)$/.exec(base);
  if (m) return Number(m[1]) % 8 === 0;
  if (base.startsWith('world-') && !base.endsWith('-refusal') && !base.endsWith('-answer')) return hash(base) % 6 === 0;
  if (base === 'report' || base === 'opener') return false;
  return hash(e.text) % 6 === 0;
}

export function splitValidation(train: Example[]): { fit: Example[]; val: Example[] } {
  const fit: Example[] = [], val: Example[] = [];
  for (const e of train) (isValidation(e) ? val : fit).push(e);
  return { fit, val };
}

function hash(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32LE(0);
}

/** Slot values kept for held-out templates only (lists shorter than four are shared). */
export function isHeldOutValue(valueIndex: number, listLength: number): boolean {
  return listLength >= 4 && valueIndex % 4 === 3;
}

/** Slots whose values are the harmful words themselves (see splitVocabulary). */
export const VOCABULARY = new Set([
  'insult', 'insultNoun', 'hurt', 'weapon', 'drug', 'crime', 'bomb', 'poison', 'pills', 'method', 'harmAct', 'harmYou',
  'body', 'minorAge', 'child', 'gore',
]);

type SlotSplit = Record<'train' | 'heldout', Record<string, string[]>>;

function splitSlots(splitVocabulary: boolean): SlotSplit {
  const split: SlotSplit = { train: {}, heldout: {} };
  for (const [name, values] of Object.entries({ ...SLOTS, ...EVERYDAY_SLOTS })) {
    const shared = VOCABULARY.has(name) && !splitVocabulary;
    split.train[name] = values.filter((_, i) => shared || !isHeldOutValue(i, values.length));
    split.heldout[name] = values.filter((_, i) => shared || isHeldOutValue(i, values.length) || values.length < 4);
  }
  return split;
}

const PREFIXES = ['', '', '', 'hey ', 'ok so ', 'honestly ', 'lol ', 'please ', 'quick question, ', 'so '];
const SUFFIXES = ['', '', '', '?', '.', '!', ' lol', ' please', ' thanks', '...'];
const SLOT = /\{(\w+)\}/g;
const OPENERS = [
  'ok', 'okay', 'sure', 'sure,', 'yes', 'no', 'thanks', 'thank you', 'hi', 'hello', 'hey', 'the', 'a', 'so', 'well,',
  'sure, here is', 'here is', 'here are', "here's", 'of course!', 'great question', 'i see', 'hmm', 'lol', 'yes please',
  'certainly.', 'absolutely', 'no problem', 'got it', 'cool', 'nice', 'wow', 'why?', 'what?', 'how?', 'i think',
];

function fill(template: string, rng: Rng, slots: Record<string, string[]>): string {
  return template.replace(SLOT, (_, name: string) => {
    const values = slots[name];
    if (!values) throw new Error(`corpus template uses unknown slot {${name}}: ${template}`);
    return rng.pick(values);
  });
}

function surface(text: string, rng: Rng): string {
  let t = rng.pick(PREFIXES) + text + rng.pick(SUFFIXES);
  if (rng.next() < 0.3) t = t[0].toUpperCase() + t.slice(1);
  return t;
}

function expand(group: TemplateGroup, index: number, n: number, rng: Rng, split: SlotSplit): Example[] {
  const template = group.templates[index];
  const labels = [...withParents(group.labels)];
  const seen = new Set<string>();
  const out: Example[] = [];
  for (let attempt = 0; attempt < n * 4 && out.length < n; attempt++) {
    const text = surface(fill(template, rng, split[isHeldOut(index) ? 'heldout' : 'train']), rng);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, labels, source: `${group.name}#${index}` });
  }
  return out;
}

export interface Corpus {
  train: Example[];
  heldout: Example[];
}

/** Builds the corpus; the same options always give the same examples in the same order. */
export function buildCorpus(opts: CorpusOptions = DEFAULT_CORPUS): Corpus {
  const rng = new Rng(opts.seed);
  const train: Example[] = [];
  const heldout: Example[] = [];
  const split = splitSlots(opts.splitVocabulary ?? false);
  const fillGroups = (groups: TemplateGroup[], r: Rng) => {
    for (const group of groups) {
      const n = EVERYDAY_GROUPS.includes(group) ? opts.everydayPerTemplate : opts.perTemplate;
      group.templates.forEach((_, i) => {
        const examples = expand(group, i, n, r, split);
        (isHeldOut(i) ? heldout : train).push(...examples);
      });
    }
  };
  fillGroups(FIRST_GROUPS, rng);
  const world = worldExamples(rng, (t) => [...new Set([0, 1, 2, 3, 4, 5].map(() => surface(t.toLowerCase(), rng)))], opts.definitions, opts.prose);
  train.push(...world.train);
  heldout.push(...world.heldout);
  if (opts.moreTemplates ?? true) fillGroups(MORE_GROUPS, new Rng(opts.seed + 101));
  if (opts.harmWordSentences) {
    const picked = new Rng(opts.seed + 103).shuffle(harmWordSentences().slice()).slice(0, opts.harmWordSentences);
    picked.forEach((text, i) => (i % 5 === 0 ? heldout : train).push({ text, labels: [], source: 'wordnet-harm' }));
  }
  const safeTrain = train.filter((e) => e.labels.length === 0);
  const augmented: Example[] = [];
  // Streamed replies are moderated while they grow, so the start of a safe text must read as
  // safe too; a few bare words ("ok", "sure,") teach the same about chat openers.
  for (const w of OPENERS) augmented.push({ text: w, labels: [], source: 'opener' });
  for (const e of train) {
    const words = e.text.split(' ');
    if (e.labels.length === 0 && words.length > 3 && rng.next() < opts.prefixRate) {
      augmented.push({ ...e, text: words.slice(0, 1 + rng.int(words.length - 2)).join(' '), source: e.source + '+prefix' });
    }
    // The opening words of an unsafe text ("i will", "how do i") are safe as long as no lexicon
    // term has appeared yet: this takes weight off the frames the templates share.
    if (e.labels.length > 0 && words.length > 3 && rng.next() < opts.prefixRate) {
      const prefix = words.slice(0, 1 + rng.int(3)).join(' ');
      if (!classText(normalize(prefix)).includes('__')) augmented.push({ text: prefix, labels: [], source: e.source + '+prefix' });
    }
    if (rng.next() < opts.obfuscateRate) augmented.push({ ...e, text: obfuscate(e.text, rng), source: e.source + '+obf' });
    if (rng.next() < opts.contextRate) {
      const before = rng.pick(safeTrain).text;
      const after = rng.pick(safeTrain).text;
      const text = rng.next() < 0.5 ? `${before}. ${e.text}` : `${e.text}. ${after}`;
      augmented.push({ ...e, text, source: e.source + '+ctx' });
    }
  }
  // Two safe texts as neighbouring sentences: a pair window of a long benign message.
  const pairs = Math.round((opts.pairRate ?? 0) * safeTrain.length);
  for (let i = 0; i < pairs; i++) {
    const a = rng.pick(safeTrain);
    const b = rng.pick(safeTrain);
    augmented.push({ text: `${a.text.replace(/[.!?]*$/, '.')} ${b.text}`, labels: [], source: `${a.source}+${b.source}` });
  }
  return { train: rng.shuffle([...train, ...augmented]), heldout };
}
