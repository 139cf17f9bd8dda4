// Decode throughput of the continuous-batching scheduler at several concurrencies, on a random-weights
// model of a fixed shape (benchmark only; speed does not depend on the weights). For each concurrency it
// runs rounds with the joining requests prefilled together (`prefill: 'batched'`, what serving uses) and
// one by one (`'single'`), alternating, and prints one JSON line per concurrency: the median round of each
// mode (aggregate generated tokens/s, mean and p95 time to first token), the ratios batched/single (median
// over the pairs of rounds), and the speed-up over one request at a time.
//
//   npx tsx src/providers/bench-scheduler.ts [--concurrency 1,8,32] [--tokens 64] [--batch 8]
//     [--runs 3] [--layers 4 --dim 256 --heads 4 --kv-heads 4 --ffn 672 --vocab 4096 --prompt 16]
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { makeConfig } from '../engine/config.ts';
import { LlamaModel } from '../engine/model.ts';
import { defaultSampler } from '../engine/sampling.ts';
import { Scheduler } from './scheduler.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const num = (name: string, fallback: number) => Number(flag(name, String(fallback)));

const concurrencies = flag('concurrency', '1,8,32').split(',').map(Number);
const tokens = num('tokens', 64);
const batch = num('batch', 8);
const promptLen = num('prompt', 16);
const config = makeConfig({
  vocab: num('vocab', 4096), dim: num('dim', 256), layers: num('layers', 4), heads: num('heads', 4),
  kvHeads: num('kv-heads', 4), ffn: num('ffn', 672), ctx: promptLen + tokens + 1,
});

await initEngine();
const model = LlamaModel.random(config, 1);
const runs = num('runs', 3);

type Prefill = 'batched' | 'single';

/** One round of `c` concurrent requests: aggregate tokens/s and times to first token. */
async function round(c: number, prefill: Prefill) {
  const scheduler = new Scheduler(model, { batchSize: Math.min(batch, c), queueSize: c, maxContext: config.maxPositionEmbeddings, prefill });
  const started = performance.now();
  const firsts: number[] = new Array(c);
  let generated = 0;
  await Promise.all(
    Array.from({ length: c }, async (_, r) => {
      const prompt = Array.from({ length: promptLen }, (_, i) => (r * 31 + i * 7) % config.vocabSize);
      const seq = scheduler.generate(prompt, { sampler: { ...defaultSampler, temperature: 0 }, maxTokens: tokens, stopIds: [], topLogprobs: 0 }, new AbortController().signal);
      for await (const _ of seq) {
        generated++;
        firsts[r] ??= performance.now() - started;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stats = { ...scheduler.stats };
  await scheduler.close();
  const sorted = [...firsts].sort((a, b) => a - b);
  return {
    generated, seconds, tps: generated / seconds, stats,
    ttft: firsts.reduce((a, b) => a + b, 0) / c, ttftP95: sorted[Math.min(c - 1, Math.floor(0.95 * c))],
  };
}
type Round = Awaited<ReturnType<typeof round>>;
const median = (xs: Round[]) => [...xs].sort((a, b) => a.tps - b.tps)[Math.floor(xs.length / 2)];
const ms = (x: number) => +x.toFixed(1);

await round(1, 'batched'); // warm-up: JIT and first-touch of the memory
await round(Math.min(batch, Math.max(...concurrencies)), 'batched');
let single = 0;
for (const c of concurrencies) {
  const results: Record<Prefill, Round[]> = { batched: [], single: [] };
  for (let i = 0; i < runs; i++) {
    // Alternating (and swapping which goes first), so a machine that slows down mid-run slows both.
    const order: Prefill[] = i % 2 ? ['single', 'batched'] : ['batched', 'single'];
    for (const p of order) results[p].push(await round(c, p));
  }
  const b = median(results.batched), o = median(results.single);
  // Ratios per pair of rounds run back to back, then their median: steadier than a ratio of medians.
  const paired = (f: (b: Round, o: Round) => number) => {
    const xs = results.batched.map((r, i) => f(r, results.single[i])).sort((x, y) => x - y);
    return +xs[Math.floor(xs.length / 2)].toFixed(3);
  };
  if (c === 1) single = b.tps;
  const line = {
    bench: 'scheduler-decode', concurrency: c, batch: Math.min(batch, c), tokens_per_request: tokens, prompt_tokens: promptLen, runs,
    shape: { layers: config.numLayers, dim: config.hiddenSize, heads: config.numHeads, kv_heads: config.numKvHeads, ffn: config.intermediateSize, vocab: config.vocabSize },
    generated: b.generated, seconds: +b.seconds.toFixed(3), tokens_per_s: +b.tps.toFixed(1), mean_ttft_ms: ms(b.ttft), p95_ttft_ms: ms(b.ttftP95),
    max_batch: b.stats.maxBatch, max_joined: b.stats.maxJoined, steps: b.stats.steps,
    single_prefill: { tokens_per_s: +o.tps.toFixed(1), mean_ttft_ms: ms(o.ttft), p95_ttft_ms: ms(o.ttftP95) },
    // > 1: batched prefill is faster (tokens/s) / answers sooner (TTFT: single ÷ batched).
    batched_over_single_tokens_per_s: paired((x, y) => x.tps / y.tps),
    single_over_batched_mean_ttft: paired((x, y) => y.ttft / x.ttft),
    ...(single && c !== 1 ? { speedup_vs_1: +(b.tps / single).toFixed(2) } : {}),
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}
model.dispose();
await shutdownEngine();
