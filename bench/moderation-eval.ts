// Held-out quality of moderation model directories on the current corpus's held-out set, so two
// models (the shipped one and a retrain, or a linear model and its cascade) are compared on the same
// examples in the same run.
//
//   npx tsx bench/moderation-eval.ts [--model-dir models/moderation] [--model-dir OTHER ...] [--linear-too] [--messages 400]
//
// For each directory: the per-category table, the safe false-positive rate, the 200-word message
// rates (held-out safe texts; ordinary text only) and the recall of one unsafe text inside a 200-word
// safe message, and the recall and 200-word rate at the line where 1% (2%) of held-out safe texts are
// flagged (a threshold-free comparison). A directory with a verifier (a cascade) is scored as the cascade; --linear-too also
// scores its linear stage alone. Every model sees the same long messages (the same seed). The last
// line per model is one JSON summary.
import { Classifier } from '../src/moderation/classifier.ts';
import { buildCorpus } from '../src/moderation/corpus.ts';
import { evaluate } from '../src/moderation/evaluate.ts';
import { createModerator, SHIPPED_MODEL_DIR } from '../src/moderation/moderator.ts';
import { longSafeMessages, PLAIN_SOURCE, withHarmfulSentence } from '../src/moderation/pipeline.ts';
import { Rng } from '../src/moderation/random.ts';
import { CATEGORIES, type Category } from '../src/moderation/taxonomy.ts';
import { initEngine } from '../src/engine/ops.ts';

const args = process.argv.slice(2);
const dirs = args.flatMap((a, i) => (a === '--model-dir' ? [args[i + 1]] : []));
if (dirs.length === 0) dirs.push(SHIPPED_MODEL_DIR);
const nMessages = args.includes('--messages') ? Number(args[args.indexOf('--messages') + 1]) : 400;
const linearToo = args.includes('--linear-too');
await initEngine({ threads: 1 });

const { heldout } = buildCorpus();
const safe = heldout.filter((e) => e.labels.length === 0);
const unsafe = heldout.filter((e) => e.labels.length > 0);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

const runs: { label: string; classifier: Classifier }[] = [];
for (const dir of dirs) {
  const classifier = Classifier.load(dir);
  runs.push({ label: dir, classifier });
  if (linearToo && classifier.verifier) {
    const alone = new Classifier(classifier.info, classifier.weight, classifier.bias);
    runs.push({ label: `${dir} (linear stage alone)`, classifier: alone });
  }
}

for (const { label, classifier } of runs) {
  const moderator = createModerator({ classifier });
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  // Each text is moderated once per model: the flags and the threshold-free lines below both read it.
  const results = new Map<string, ReturnType<typeof moderator.moderate>[number]>();
  const result = (t: string) => {
    let r = results.get(t);
    if (!r) results.set(t, (r = moderator.moderate([t])[0]));
    return r;
  };
  const flags = (t: string) => {
    const r = result(t);
    return new Set(CATEGORIES.filter((c) => r.categories[c])) as Set<Category>;
  };
  const ev = evaluate(heldout, flags);
  console.log(`\n${label}: model ${moderator.model} on ${heldout.length} held-out examples`);
  for (const c of CATEGORIES) {
    const m = ev.perCategory[c];
    console.log(`${c.padEnd(24)} n=${String(m.support).padStart(4)} P=${m.precision.toFixed(3)} R=${m.recall.toFixed(3)} F1=${m.f1.toFixed(3)}`);
  }
  const f = ev.flagged;
  console.log(`${'any (flagged)'.padEnd(24)} n=${String(f.support).padStart(4)} P=${f.precision.toFixed(3)} R=${f.recall.toFixed(3)} F1=${f.f1.toFixed(3)}`);
  const safeFlagged = safe.filter((e) => flags(e.text).size > 0).length / safe.length;
  console.log(`safe held-out flagged: ${pct(safeFlagged)}`);
  const rng = new Rng(8);
  const long = longSafeMessages(safe, nMessages, rng);
  const longFlagged = long.filter((t) => flags(t).size > 0).length / long.length;
  console.log(`200-word safe messages flagged: ${pct(longFlagged)}`);
  const plain = longSafeMessages(safe.filter((e) => PLAIN_SOURCE.test(e.source)), nMessages, rng);
  const plainFlagged = plain.filter((t) => flags(t).size > 0).length / plain.length;
  console.log(`200-word messages of ordinary text (no twins) flagged: ${pct(plainFlagged)}`);
  const hit = (text: string, labels: Category[]) => {
    const got = flags(text);
    return labels.some((c) => got.has(c));
  };
  const harmful = withHarmfulSentence(long, unsafe, rng);
  const alone = unsafe.filter((e) => hit(e.text, e.labels)).length / unsafe.length;
  const inside = harmful.filter((m) => hit(m.text, m.labels)).length / harmful.length;
  console.log(`unsafe texts flagged with one of their categories: alone ${pct(alone)}, inside a 200-word safe message ${pct(inside)}`);
  // Threshold-free: where the line must go for 1% (2%) of the held-out safe texts to be flagged, and the
  // recall and long-message rate there, so models calibrated differently compare on one footing.
  const top = (t: string) => Math.max(...Object.values(result(t).category_scores));
  const safeTop = safe.map((e) => top(e.text)).sort((a, b) => b - a);
  const unsafeTop = unsafe.map((e) => top(e.text));
  const longTop = long.map(top);
  const atShare = (q: number) => {
    const line = safeTop[Math.floor(q * safeTop.length)];
    return { line: r3(line), recall: r3(unsafeTop.filter((x) => x > line).length / unsafeTop.length), long: r3(longTop.filter((x) => x > line).length / longTop.length) };
  };
  const at1 = atShare(0.01);
  const at2 = atShare(0.02);
  console.log(`at the line where 1% of held-out safe texts are flagged (${at1.line}): recall ${at1.recall}, 200-word safe messages ${pct(at1.long)}; at 2% (${at2.line}): recall ${at2.recall}, messages ${pct(at2.long)}`);
  console.log(JSON.stringify({
    model: moderator.model, label, precision: r3(f.precision), recall: r3(f.recall), f1: r3(f.f1), safeFlagged: r3(safeFlagged),
    longFlagged: r3(longFlagged), plainFlagged: r3(plainFlagged), categoryRecall: r3(alone), longPlusOneUnsafe: r3(inside),
    hateThreatening: r3(ev.perCategory['hate/threatening'].recall), harassmentThreatening: r3(ev.perCategory['harassment/threatening'].recall),
    recallAt1: at1.recall, longAt1: at1.long, recallAt2: at2.recall, longAt2: at2.long,
  }));
}
