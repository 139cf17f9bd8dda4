// Our engine against llama.cpp on the same model: a random-weights Llama checkpoint (benchmark only) is
// written in Parley's format, exported with `exportGguf`, and served both ways through the providers.
// Prints whether greedy completions agree, then single-sequence decode tokens/s of each (alternating
// ours/theirs, median of --runs) and the ratio. Needs the optional node-llama-cpp; without it, prints a
// line saying so and exits 0.
//
//   npx tsx src/providers/bench-vs-llamacpp.ts [--layers 4] [--dim 256] [--tokens 128] [--runs 3] [--dtype f32|f16]
// PARLEY_THREADS sets the threads of both (default: all cores).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

try {
  createRequire(import.meta.url).resolve('node-llama-cpp');
} catch {
  console.log(JSON.stringify({ bench: 'decode-vs-llama.cpp', skipped: 'node-llama-cpp is not installed (npm i -E node-llama-cpp@3.21.1)' }));
  process.exit(0);
}

const { initEngine } = await import('../engine/ops.ts');
const { makeConfig } = await import('../engine/config.ts');
const { LlamaModel } = await import('../engine/model.ts');
const { saveModel } = await import('../engine/load-model.ts');
const { trainTokenizer } = await import('../tokenizer/train.ts');
const { saveTokenizer } = await import('../tokenizer/tokenizer-files.ts');
const { SPECIAL_TOKENS } = await import('../tokenizer/special-tokens.ts');
const { wordnetSentences } = await import('../tokenizer/wordnet-corpus.ts');
const { exportGguf } = await import('./gguf-export.ts');
const { ModelRegistry } = await import('./registry.ts');
type Provider = import('./types.ts').ChatProvider;

const layers = Number(flag('layers', '4')), dim = Number(flag('dim', '256')), tokens = Number(flag('tokens', '128'));
const runs = Number(flag('runs', '3')), dtype = flag('dtype', 'f32') as 'f32' | 'f16';

await initEngine();
const tok = trainTokenizer([wordnetSentences(3000).join('\n')], { vocabSize: 1024, specialTokens: SPECIAL_TOKENS });
const root = mkdtempSync(join(tmpdir(), 'parley-vs-llamacpp-'));
const dir = join(root, 'model');
const model = LlamaModel.random(makeConfig({ vocab: 1024, dim, layers, heads: 4, kvHeads: 2, ffn: Math.round(dim * 2.625), ctx: tokens + 64 }), 7);
for (const p of model.layout.list) if (p.shape.length === 2) { const v = model.view(p.name); for (let i = 0; i < v.length; i++) v[i] *= 6; }
// Greedy output then stays on whole UTF-8 characters and never stops early: tokens that are special or
// not valid UTF-8 alone get a zero lm_head row, so their logit (0) is below the best of the others.
const head = model.view('lm_head.weight');
const strict = new TextDecoder('utf-8', { fatal: true });
for (let id = 0; id < tok.vocabSize; id++) {
  let keep = !tok.isSpecial(id);
  try { strict.decode(tok.bytesOf(id)); } catch { keep = false; }
  if (!keep) head.fill(0, id * dim, (id + 1) * dim);
}
saveModel(dir, model);
model.dispose();
saveTokenizer(tok, dir);
exportGguf({ modelDir: dir, out: join(root, 'model.gguf'), dtype });
const reg = await ModelRegistry.fromEnvironment(
  { PARLEY_MODEL_DIR: dir, PARLEY_MODEL_ID: 'ours', PARLEY_GGUF: join(root, 'model.gguf'), PARLEY_GGUF_ID: 'llamacpp', PARLEY_BATCH_SIZE: '1', PARLEY_THREADS: process.env.PARLEY_THREADS },
  '/',
);
const ours = await reg.get('ours'), theirs = await reg.get('llamacpp');

async function complete(p: Provider, prompt: string, maxTokens: number) {
  const opts = { maxTokens, temperature: 0, topP: 1, topK: 0, presencePenalty: 0, frequencyPenalty: 0, repetitionPenalty: 1, stop: [], logprobs: false, topLogprobs: 0 };
  let text = '', first = 0, n = 0;
  for await (const e of p.complete(prompt, opts, new AbortController().signal)) {
    if (e.type === 'delta') { text += e.text; first ||= performance.now(); }
    if (e.type === 'done') n = e.usage.completionTokens;
  }
  return { text, tokensPerS: (n - 1) / ((performance.now() - first) / 1000) };
}

const prompts = ['the cat sat on the', 'a small dog', 'water is', 'the meaning of life'];
let agree = 0;
for (const p of prompts) if ((await complete(ours, p, 32)).text === (await complete(theirs, p, 32)).text) agree++;
const speed: Record<'ours' | 'llamacpp', number[]> = { ours: [], llamacpp: [] };
for (let r = 0; r < runs; r++) {
  speed.ours.push((await complete(ours, prompts[0], tokens)).tokensPerS);
  speed.llamacpp.push((await complete(theirs, prompts[0], tokens)).tokensPerS);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  bench: 'decode-vs-llama.cpp', dtype, shape: { layers, dim, heads: 4, kv_heads: 2, vocab: 1024 }, tokens, runs,
  threads: process.env.PARLEY_THREADS ?? 'all', greedy_agreement: `${agree}/${prompts.length} prompts, 32 tokens`,
  ours_tokens_per_s: +median(speed.ours).toFixed(1), llamacpp_tokens_per_s: +median(speed.llamacpp).toFixed(1),
  ratio_ours_over_llamacpp: +(median(speed.ours) / median(speed.llamacpp)).toFixed(3),
}));
await reg.close();
rmSync(root, { recursive: true, force: true });
process.exit(0); // node-llama-cpp keeps native handles open
