// For the eval, best-of-n and report tests: tiny random checkpoints (a language model and a reward
// model) sharing the tokenizer test helper's small Parley tokenizer, written to a temp directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallTokenizer } from '../../tokenizer/test-tokenizer.ts';
import { saveTokenizer } from '../../tokenizer/tokenizer-files.ts';
import { makeConfig } from '../../engine/config.ts';
import { LlamaModel } from '../../engine/model.ts';
import { saveModel } from '../../engine/load-model.ts';
import { initEngine } from '../../engine/ops.ts';

export interface TinyCheckpoints {
  root: string;
  policy: string; // language model, seed 1
  other: string; // language model, seed 2
  reward: string; // scalar-head model, seed 3
}

export async function tinyCheckpoints(): Promise<TinyCheckpoints> {
  await initEngine();
  const root = mkdtempSync(join(tmpdir(), 'parley-eval-'));
  const tokenizer = smallTokenizer();
  const tokDir = join(root, 'tokenizer');
  saveTokenizer(tokenizer, tokDir);
  const config = makeConfig({ vocab: tokenizer.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 256, tied: false });
  const make = (name: string, seed: number, scalarHead: boolean) => {
    const dir = join(root, name);
    const m = LlamaModel.random(config, seed, { scalarHead });
    saveModel(dir, m, { tokenizerPath: join(tokDir, 'tokenizer.json'), parley: { stage: name } });
    m.dispose();
    return dir;
  };
  return { root, policy: make('policy', 1, false), other: make('other', 2, false), reward: make('reward', 3, true) };
}
