// Held-out quality of any moderation model directory on the current corpus's held-out set, so
// two models (the shipped one and a retrain) can be compared on the same examples.
//
//   npx tsx bench/moderation-eval.ts [--model-dir models/moderation]
//
// Prints the per-category table, the safe false-positive rate and the 200-word safe-message rate.
import { buildCorpus } from '../src/moderation/corpus.ts';
import { evaluate } from '../src/moderation/evaluate.ts';
import { createModerator, SHIPPED_MODEL_DIR } from '../src/moderation/moderator.ts';
import { longSafeMessages } from '../src/moderation/pipeline.ts';
import { Rng } from '../src/moderation/random.ts';
import { CATEGORIES, type Category } from '../src/moderation/taxonomy.ts';

const args = process.argv.slice(2);
const modelDir = args.includes('--model-dir') ? args[args.indexOf('--model-dir') + 1] : SHIPPED_MODEL_DIR;
const moderator = createModerator({ modelDir });
const flags = (t: string) => {
  const r = moderator.moderate([t])[0];
  return new Set(CATEGORIES.filter((c) => r.categories[c])) as Set<Category>;
};
const { heldout } = buildCorpus();
const ev = evaluate(heldout, flags);
console.log(`model ${moderator.model} on ${heldout.length} held-out examples`);
for (const c of CATEGORIES) {
  const m = ev.perCategory[c];
  console.log(`${c.padEnd(24)} n=${String(m.support).padStart(4)} P=${m.precision.toFixed(3)} R=${m.recall.toFixed(3)} F1=${m.f1.toFixed(3)}`);
}
const f = ev.flagged;
console.log(`${'any (flagged)'.padEnd(24)} n=${String(f.support).padStart(4)} P=${f.precision.toFixed(3)} R=${f.recall.toFixed(3)} F1=${f.f1.toFixed(3)}`);
const safe = heldout.filter((e) => e.labels.length === 0);
console.log(`safe held-out flagged: ${((safe.filter((e) => flags(e.text).size > 0).length / safe.length) * 100).toFixed(1)}%`);
const long = longSafeMessages(safe, 200, new Rng(8));
console.log(`200-word safe messages flagged: ${((long.filter((t) => flags(t).size > 0).length / long.length) * 100).toFixed(1)}%`);
