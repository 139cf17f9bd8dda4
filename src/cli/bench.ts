// `parley bench train|decode|matmul`: engine benchmarks. Each prints JSON lines on stdout (the last
// one is the result) and progress on stderr. bench/run.ts pairs them with the PyTorch baselines.
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { parseInteger, parseNumber, parseIdList } from './lib/engine-flags.ts';

interface ShapeFlags {
  layers: string; dim: string; heads: string; kvHeads?: string; ffn: string; ctx: string; vocab: string; tied?: boolean; seed: string;
}

function shapeOptions(c: Command, d: { batch: string; ctx: string; ctxHelp: string; batchHelp: string }): Command {
  return c
    .option('--layers <n>', 'transformer layers', '4')
    .option('--dim <n>', 'hidden size', '256')
    .option('--heads <n>', 'attention heads', '4')
    .option('--kv-heads <n>', 'key/value heads (default: --heads)')
    .option('--ffn <n>', 'SwiGLU intermediate size', '672')
    .option('--ctx <n>', d.ctxHelp, d.ctx)
    .option('--vocab <n>', 'vocabulary size', '4096')
    .option('--batch <n>', d.batchHelp, d.batch)
    .option('--tied', 'tie the input and output embeddings (default untied)')
    .option('--seed <n>', 'seed for weights and data', '0');
}

async function makeModel(o: ShapeFlags) {
  const { makeConfig } = await import('../engine/config.ts');
  const { LlamaModel } = await import('../engine/model.ts');
  const heads = parseInteger('--heads', o.heads, 1);
  const config = makeConfig({
    layers: parseInteger('--layers', o.layers, 1), dim: parseInteger('--dim', o.dim, 2), heads,
    kvHeads: o.kvHeads === undefined ? heads : parseInteger('--kv-heads', o.kvHeads, 1), ffn: parseInteger('--ffn', o.ffn, 1),
    vocab: parseInteger('--vocab', o.vocab, 2), ctx: Math.max(parseInteger('--ctx', o.ctx, 1), 2048), tied: !!o.tied,
  });
  return LlamaModel.random(config, parseInteger('--seed', o.seed, 0));
}

function shapeOf(o: ShapeFlags) {
  return {
    layers: Number(o.layers), dim: Number(o.dim), heads: Number(o.heads), kv_heads: Number(o.kvHeads ?? o.heads),
    ffn: Number(o.ffn), vocab: Number(o.vocab), tied: !!o.tied,
  };
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

export function register(program: Command): void {
  const bench = program.command('bench').description('engine benchmarks (JSON lines on stdout)');

  shapeOptions(bench.command('train'), { batch: '16', ctx: '128', ctxHelp: 'sequence length', batchHelp: 'sequences per step' })
    .description('train a random model of the given shape; prints {"tokens_per_s", "peak_rss_mb", ...} last')
    .option('--steps <n>', 'timed optimizer steps (after one untimed warm-up step)', '10')
    .option('--lr <lr>', 'learning rate (constant)', '3e-4')
    .option('--no-optimizer', 'forward + backward only (no AdamW moments): the memory of computing gradients')
    .action(async (o: ShapeFlags & { batch: string; steps: string; lr: string; optimizer: boolean }) => {
      const B = parseInteger('--batch', o.batch, 1), T = parseInteger('--ctx', o.ctx, 1), steps = parseInteger('--steps', o.steps, 1);
      const lr = parseNumber('--lr', o.lr, 0);
      const { initEngine, poolThreads } = await import('../engine/ops.ts');
      const { Trainer } = await import('../engine/trainer.ts');
      const { lmLoss } = await import('../engine/heads.ts');
      const { Rng } = await import('../engine/sampling.ts');
      await initEngine();
      const model = await makeModel(o);
      const V = model.config.vocabSize;
      const trainer = o.optimizer
        ? new Trainer(model, { schedule: { kind: 'constant', peakLr: lr, warmupSteps: 0, totalSteps: 1, minRatio: 1 } })
        : null;
      model.enableGrads();
      const step = (b: ReturnType<typeof batch>) => {
        if (trainer) return trainer.trainStep([b]).loss;
        model.zeroGrads();
        return lmLoss(model, b, { grad: true }).loss;
      };
      const rng = new Rng(parseInteger('--seed', o.seed, 0) + 1);
      const batch = () => {
        const seq = Int32Array.from({ length: B * (T + 1) }, () => Math.floor(rng.next() * V));
        const ids = new Int32Array(B * T), targets = new Int32Array(B * T);
        for (let b = 0; b < B; b++) {
          ids.set(seq.subarray(b * (T + 1), b * (T + 1) + T), b * T);
          targets.set(seq.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
        }
        return { B, T, ids, targets };
      };
      let loss = step(batch()); // warm-up: first-touch of memory, JIT
      const data = Array.from({ length: steps }, batch); // made before timing starts
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) {
        const t = performance.now();
        loss = step(data[s]);
        process.stderr.write(`step ${s + 1}/${steps} loss ${loss.toFixed(4)} ${(performance.now() - t).toFixed(0)} ms\n`);
      }
      const seconds = (performance.now() - t0) / 1000;
      process.stdout.write(JSON.stringify({
        bench: o.optimizer ? 'train' : 'forward_backward', ...shapeOf(o), ctx: T, batch: B, steps, params: model.numParams, threads: poolThreads(),
        loss: Number(loss.toFixed(4)), ms_per_step: Math.round((seconds * 1000) / steps),
        tokens_per_s: Math.round((B * T * steps) / seconds), peak_rss_mb: peakRssMb(),
      }) + '\n');
    });

  shapeOptions(bench.command('decode'), { batch: '1,8', ctx: '16', ctxHelp: 'prompt length', batchHelp: 'batch sizes to measure, comma-separated' })
    .description('prefill (one by one vs batched) and decode with the KV cache; prints {"batch", "tokens_per_s", "prefill_speedup"} per batch size')
    .option('--tokens <n>', 'timed decode steps per batch size', '64')
    .option('--prefill-reps <n>', 'timed rounds of prefilling the prompts one by one vs batched (median reported)', '3')
    .action(async (o: ShapeFlags & { batch: string; tokens: string; prefillReps: string }) => {
      const batches = parseIdList('--batch', o.batch);
      if (batches.some((b) => b < 1)) throw new UserError('--batch: batch sizes must be >= 1');
      const P = parseInteger('--ctx', o.ctx, 1), N = parseInteger('--tokens', o.tokens, 1);
      const reps = parseInteger('--prefill-reps', o.prefillReps, 1, 1000);
      const { initEngine, poolThreads } = await import('../engine/ops.ts');
      const { Decoder } = await import('../engine/decode.ts');
      const { Rng } = await import('../engine/sampling.ts');
      await initEngine();
      const model = await makeModel(o);
      const V = model.config.vocabSize;
      const rng = new Rng(7);
      for (const S of batches) {
        const dec = new Decoder(model, S, P + N + 1);
        const slots = Array.from({ length: S }, () => dec.cache.acquire());
        // Prompts of different lengths (P, 0.9·P, 0.8·P, 0.7·P, P, …), prefilled one by one and batched, interleaved
        // so both see the same machine load; only their ratio is meaningful on a shared machine.
        const prompts = slots.map((_, i) => Array.from({ length: Math.max(1, P - (i % 4) * Math.ceil(P / 10)) }, () => Math.floor(rng.next() * V)));
        const single: number[] = [], batched: number[] = [];
        for (let rep = 0; rep < reps + 1; rep++) {
          for (const s of slots) dec.cache.lens[s] = 0;
          let t = performance.now();
          slots.forEach((s, i) => dec.prefill(s, prompts[i]));
          if (rep > 0) single.push(performance.now() - t); // rep 0 warms both up
          for (const s of slots) dec.cache.lens[s] = 0;
          t = performance.now();
          dec.prefillMany(slots, prompts);
          if (rep > 0) batched.push(performance.now() - t);
        }
        const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
        const prefillTokens = prompts.reduce((n, p) => n + p.length, 0);
        dec.step(slots, slots.map(() => 1)); // warm-up
        const t0 = performance.now();
        for (let i = 0; i < N; i++) dec.step(slots, slots.map(() => Math.floor(rng.next() * V)));
        const seconds = (performance.now() - t0) / 1000;
        dec.dispose();
        process.stdout.write(JSON.stringify({
          bench: 'decode', ...shapeOf(o), batch: S, prompt: P, tokens: N, threads: poolThreads(),
          ms_per_step: Number(((seconds * 1000) / N).toFixed(2)), tokens_per_s: Math.round((S * N) / seconds),
          prefill_tokens: prefillTokens, prefill_ms_one_by_one: Number(median(single).toFixed(3)),
          prefill_ms_batched: Number(median(batched).toFixed(3)),
          prefill_speedup: Number((median(single) / median(batched)).toFixed(2)), peak_rss_mb: peakRssMb(),
        }) + '\n');
      }
    });

  bench
    .command('matmul')
    .description('matrix-multiply throughput of the kernels (GFLOP/s)')
    .option('--m <n>', 'rows of A', '512')
    .option('--k <n>', 'inner dimension', '512')
    .option('--n <n>', 'columns of the result', '2048')
    .option('--threads <list>', 'thread counts to measure, comma-separated (default: 1 and all)')
    .action(async (o: { m: string; k: string; n: string; threads?: string }) => {
      const { initEngine } = await import('../engine/ops.ts');
      const { benchMatmul } = await import('../engine/bench-matmul.ts');
      await initEngine();
      const M = parseInteger('--m', o.m, 1), K = parseInteger('--k', o.k, 1), N = parseInteger('--n', o.n, 1);
      const threads = o.threads === undefined ? undefined : parseIdList('--threads', o.threads);
      for (const line of benchMatmul({ M, K, N, threads })) process.stdout.write(JSON.stringify({ bench: 'matmul', ...line }) + '\n');
    });
}
