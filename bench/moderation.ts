// Latency of the local content filter, one JSON line per message size.
//
//   npx tsx bench/moderation.ts [--runs 300] [--model-dir models/moderation]
//
// A model directory with a verifier (a cascade) is measured as the cascade, with the engine on one
// thread.
//
// Each line: {"bench":"moderation","words":200,"runs":300,"p50_ms":..,"p95_ms":..,"mean_ms":..,
// "cpu_mean_ms":..,"target_ms":5}. Node runs this on one thread (one core). Messages are built from the corpus's safe
// and unsafe texts (one unsafe sentence per message, so no early exit helps), and every run
// moderates a different message of the same size, so caches cannot remember a result.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus } from '../src/moderation/corpus.ts';
import { createModerator, SHIPPED_MODEL_DIR } from '../src/moderation/moderator.ts';
import { initEngine } from '../src/engine/ops.ts';
import { Rng } from '../src/moderation/random.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Math.max(10, Number(arg('--runs', '300')) || 300);
const modelDir = arg('--model-dir', SHIPPED_MODEL_DIR);

const corpus = buildCorpus();
const safe = corpus.heldout.filter((e) => e.labels.length === 0).map((e) => e.text);
const unsafe = corpus.heldout.filter((e) => e.labels.length > 0).map((e) => e.text);
const rng = new Rng(42);

function message(words: number): string {
  const parts: string[] = [rng.pick(unsafe) + '.'];
  let n = parts[0].split(' ').length;
  while (n < words) {
    const s = rng.pick(safe) + '.';
    parts.splice(rng.int(parts.length + 1), 0, s);
    n += s.split(' ').length;
  }
  return parts.join(' ').split(' ').slice(0, words).join(' ');
}

// A cascade's verifier runs on the engine: one thread, so the numbers are those of one core.
const loadStart = performance.now();
await initEngine({ threads: 1 });
const moderator = createModerator({ modelDir });
const loadMs = performance.now() - loadStart;
const weightBytes = statSync(join(modelDir, 'weights.safetensors')).size;
const verifierFile = join(modelDir, 'verifier', 'model.safetensors');
const verifierBytes = existsSync(verifierFile) ? statSync(verifierFile).size : 0;
process.stdout.write(JSON.stringify({ bench: 'moderation-load', model: moderator.model, load_ms: round(loadMs), weights_bytes: weightBytes, verifier_bytes: verifierBytes }) + '\n');

for (const words of [20, 200, 1000]) {
  const messages = Array.from({ length: runs }, () => message(words));
  for (const m of messages.slice(0, 20)) moderator.moderate([m]); // warm up the JIT
  const times: number[] = [];
  let flagged = 0;
  const cpu0 = process.cpuUsage();
  for (const m of messages) {
    const t = performance.now();
    const [r] = moderator.moderate([m]);
    times.push(performance.now() - t);
    if (r.flagged) flagged++;
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  process.stdout.write(
    JSON.stringify({
      bench: 'moderation',
      words,
      runs,
      p50_ms: round(q(0.5)),
      p95_ms: round(q(0.95)),
      mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length),
      // CPU time of this thread's process per message: what the message costs when the core is
      // not shared; wall-clock percentiles above also include waiting for a busy machine.
      cpu_mean_ms: round((cpu.user + cpu.system) / 1000 / runs),
      target_ms: words === 200 ? 5 : undefined,
      flagged_fraction: round(flagged / runs),
    }) + '\n',
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
