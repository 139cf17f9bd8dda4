// Decode throughput of the continuous-batching scheduler at several concurrencies, on a random-weights
// model of a fixed shape (benchmark only; speed does not depend on the weights). Prints one JSON line
// per concurrency (the median of --runs rounds): aggregate generated tokens/s, mean time to first
// token, and the speed-up over one request at a time measured in the same run.
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

/** One round of `c` concurrent requests: aggregate tokens/s and mean time to first token. */
async function round(c: number) {
  const scheduler = new Scheduler(model, { batchSize: Math.min(batch, c), queueSize: c, maxContext: config.maxPositionEmbeddings });
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
  return { generated, seconds, tps: generated / seconds, ttft: firsts.reduce((a, b) => a + b, 0) / c, stats };
}

await round(1); // warm-up: JIT and first-touch of the memory
let single = 0;
for (const c of concurrencies) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await round(c));
  results.sort((a, b) => a.tps - b.tps);
  const m = results[Math.floor(results.length / 2)]; // the median run
  if (c === 1) single = m.tps;
  const line = {
    bench: 'scheduler-decode', concurrency: c, batch: Math.min(batch, c), tokens_per_request: tokens, prompt_tokens: promptLen, runs,
    shape: { layers: config.numLayers, dim: config.hiddenSize, heads: config.numHeads, kv_heads: config.numKvHeads, ffn: config.intermediateSize, vocab: config.vocabSize },
    generated: m.generated, seconds: +m.seconds.toFixed(3), tokens_per_s: +m.tps.toFixed(1), mean_ttft_ms: +m.ttft.toFixed(1),
    max_batch: m.stats.maxBatch, steps: m.stats.steps,
    ...(single && c !== 1 ? { speedup_vs_1: +(m.tps / single).toFixed(2) } : {}),
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}
model.dispose();
await shutdownEngine();
