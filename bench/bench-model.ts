// A random-weights chat model for benchmarks that need one to serve (the runner's `http` benchmark):
// a Parley tokenizer trained on WordNet text (a few seconds) and the `train` benchmark's small shape.
// Serving speed does not depend on the weights, so no training is needed; the replies are gibberish.
//
//   npx tsx bench/bench-model.ts OUT_DIR     # writes a checkpoint directory (config.json, model.safetensors, tokenizer.json)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPECIAL_TOKENS } from '../src/tokenizer/special-tokens.ts';
import { trainTokenizer } from '../src/tokenizer/train.ts';
import { wordnetSentences } from '../src/tokenizer/wordnet-corpus.ts';
import { writeHfTokenizerJson } from '../src/tokenizer/hf-json.ts';
import { initEngine } from '../src/engine/ops.ts';
import { makeConfig } from '../src/engine/config.ts';
import { LlamaModel } from '../src/engine/model.ts';
import { saveModel } from '../src/engine/load-model.ts';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: npx tsx bench/bench-model.ts OUT_DIR\n');
  process.exit(2);
}
const tokenizer = trainTokenizer([wordnetSentences(40000).join('\n')], { vocabSize: 4096, specialTokens: SPECIAL_TOKENS });
await initEngine();
const model = LlamaModel.random(
  makeConfig({ vocab: tokenizer.vocabSize, dim: 256, layers: 4, heads: 4, ffn: 672, ctx: 1024 }), 1,
);
const scratch = mkdtempSync(join(tmpdir(), 'parley-bench-tok-'));
try {
  const tokFile = join(scratch, 'tokenizer.json');
  writeFileSync(tokFile, writeHfTokenizerJson(tokenizer.spec));
  saveModel(out, model, { tokenizerPath: tokFile, parley: { name: 'bench-random', note: 'random weights, for benchmarks only' } });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ model_dir: out, vocab: tokenizer.vocabSize, params: model.numParams }) + '\n');
