// Our engine against llama.cpp on the same model: a checkpoint (--model DIR, e.g. models/default; else a
// random-weights Llama checkpoint made here, benchmark only) is exported with `exportGguf` (what
// `parley export gguf` runs) and served both ways through the providers. Prints whether greedy completions
// agree, then single-sequence decode tokens/s of each (every run completes every prompt on both sides,
// alternating ours/theirs; tokens/s = generated tokens after the first / time after the first; median of
// --runs) and the ratio. Needs the optional node-llama-cpp (bench/README.md: one command installs it
// without saving it); without it, prints a line saying so and exits 0.
//
//   npx tsx src/providers/bench-vs-llamacpp.ts [--model DIR] [--tokens 128] [--runs 3] [--dtype f32|f16]
//     [--layers 4] [--dim 256]   (the random model's shape, without --model)
// PARLEY_THREADS sets the threads of both (default: all cores).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

try {
  createRequire(import.meta.url).resolve('node-llama-cpp');
} catch {
  console.log(JSON.stringify({ bench: 'decode-vs-llama.cpp', skipped: 'node-llama-cpp is not installed; for this benchmark: npm install --no-save --ignore-scripts node-llama-cpp@3.21.1 (bench/README.md)' }));
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
const given = flag('model', '');
for (const [name, v] of Object.entries({ layers, dim, tokens, runs })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${flag(name, '')}`);
}
if (given && !existsSync(join(given, 'config.json'))) throw new Error(`--model ${given}: no config.json there, not a checkpoint directory`);

await initEngine();
const root = mkdtempSync(join(tmpdir(), 'parley-vs-llamacpp-'));
let dir = join(root, 'model');
if (given) {
  dir = resolve(given);
} else {
  const tok = trainTokenizer([wordnetSentences(3000).join('\n')], { vocabSize: 1024, specialTokens: SPECIAL_TOKENS });
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
}
const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, number>;
const exported = exportGguf({ modelDir: dir, out: join(root, 'model.gguf'), dtype });
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
  return { text, tokens: n, decodeSeconds: first ? (performance.now() - first) / 1000 : 0 };
}

const prompts = ['the cat sat on the', 'a small dog', 'water is', 'the meaning of life'];
let agree = 0;
for (const p of prompts) if ((await complete(ours, p, 32)).text === (await complete(theirs, p, 32)).text) agree++;
type Side = 'ours' | 'llamacpp';
const speed: Record<Side, number[]> = { ours: [], llamacpp: [] };
const generated: Record<Side, number> = { ours: 0, llamacpp: 0 };
for (let r = 0; r < runs; r++) {
  // Which side goes first alternates, so a machine that slows down mid-run slows both.
  for (const side of (r % 2 ? ['llamacpp', 'ours'] : ['ours', 'llamacpp']) as Side[]) {
    let decoded = 0, seconds = 0;
    for (const p of prompts) {
      const c = await complete(side === 'ours' ? ours : theirs, p, tokens);
      decoded += Math.max(0, c.tokens - 1);
      seconds += c.decodeSeconds;
      generated[side] += c.tokens;
    }
    speed[side].push(decoded / seconds);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  bench: 'decode-vs-llama.cpp', model: given ? dir : 'random weights', dtype, gguf_bytes: exported.bytes,
  shape: { layers: cfg.num_hidden_layers, dim: cfg.hidden_size, heads: cfg.num_attention_heads, kv_heads: cfg.num_key_value_heads, ffn: cfg.intermediate_size, vocab: cfg.vocab_size },
  max_tokens: tokens, prompts: prompts.length, runs, batch: 1,
  threads: process.env.PARLEY_THREADS ?? 'all', greedy_agreement: `${agree}/${prompts.length} prompts, 32 tokens`,
  tokens_per_request: { ours: +(generated.ours / runs / prompts.length).toFixed(1), llamacpp: +(generated.llamacpp / runs / prompts.length).toFixed(1) },
  ours_tokens_per_s: +median(speed.ours).toFixed(1), llamacpp_tokens_per_s: +median(speed.llamacpp).toFixed(1),
  ratio_ours_over_llamacpp: +(median(speed.ours) / median(speed.llamacpp)).toFixed(3),
}));
await reg.close();
rmSync(root, { recursive: true, force: true });
process.exit(0); // node-llama-cpp keeps native handles open
