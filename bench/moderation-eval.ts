// Held-out quality of any moderation model directory on the current corpus's held-out set, so
// two models (the shipped one and a retrain) can be compared on the same examples.
//
//   npx tsx bench/moderation-eval.ts [--model-dir models/moderation]
//
// Prints the per-category table, the safe false-positive rate, the 200-word message rates (held-out
// safe texts; ordinary text only) and the recall of one unsafe text inside a 200-word safe message.
import { buildCorpus } from '../src/moderation/corpus.ts';
import { evaluate } from '../src/moderation/evaluate.ts';
import { createModerator, SHIPPED_MODEL_DIR } from '../src/moderation/moderator.ts';
import { longSafeMessages, PLAIN_SOURCE, withHarmfulSentence } from '../src/moderation/pipeline.ts';
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
const rng = new Rng(8);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const long = longSafeMessages(safe, 400, rng);
console.log(`200-word safe messages flagged: ${pct(long.filter((t) => flags(t).size > 0).length / long.length)}`);
const plain = longSafeMessages(safe.filter((e) => PLAIN_SOURCE.test(e.source)), 400, rng);
console.log(`200-word messages of ordinary text (no twins) flagged: ${pct(plain.filter((t) => flags(t).size > 0).length / plain.length)}`);
const unsafe = heldout.filter((e) => e.labels.length > 0);
const hit = (text: string, labels: Category[]) => {
  const got = flags(text);
  return labels.some((c) => got.has(c));
};
const harmful = withHarmfulSentence(long, unsafe, rng);
console.log(`unsafe texts flagged with one of their categories: alone ${pct(unsafe.filter((e) => hit(e.text, e.labels)).length / unsafe.length)}, inside a 200-word safe message ${pct(harmful.filter((m) => hit(m.text, m.labels)).length / harmful.length)}`);
