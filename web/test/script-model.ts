// TEST-ONLY: makes a small Llama-family checkpoint on disk that the real server loads and runs on the
// real engine. Its weights are set by hand so replies are predictable: one-hot embeddings, zero
// attention/MLP weights (the residual stream carries the current token unchanged) and an lm_head whose
// column for token t holds log-probabilities of t's successors — a bigram model. After <|assistant|>
// it writes SCRIPT (markdown with code and maths); after SCRIPT's last token it greedily loops back to
// the start (a long reply that only max_tokens ends), with a lower-weight branch to <|end_of_turn|> so
// sampling at temperature > 0 gives replies of different lengths. `layers` adds zero-weight layers:
// they change nothing in the output but make each token cost real compute, so a reply takes long
// enough to be stopped, or refreshed, while it runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from '../../src/engine/ops.ts';
import { makeConfig } from '../../src/engine/config.ts';
import { LlamaModel } from '../../src/engine/model.ts';
import { saveModel } from '../../src/engine/load-model.ts';
import { trainTokenizer } from '../../src/tokenizer/train.ts';
import { saveTokenizer } from '../../src/tokenizer/tokenizer-files.ts';
import { SPECIAL, SPECIAL_TOKENS } from '../../src/tokenizer/special-tokens.ts';

/**
 * Every pre-token in it is distinct, so each becomes one distinct token and the chain is unambiguous.
 * It ends with markup that would run script if the app rendered model output unsanitised.
 */
export const SCRIPT =
  'Here is **bold** news and `inline`.\n\n```js\nconst answer = 42;\n```\n\nEuler wrote $e^{i\\pi}+1=0$ once <img src onerror=alert(7)>';

export interface ScriptModel {
  dir: string;
  id: string;
  /** Tokens of SCRIPT: set max_tokens to this to get exactly SCRIPT back. */
  scriptTokens: number;
}

export async function makeScriptModel(parent: string, opts: { layers?: number; dim?: number; ffn?: number } = {}): Promise<ScriptModel> {
  const dir = join(parent, 'script-model');
  mkdirSync(dir, { recursive: true });
  await initEngine({ threads: 1 });
  try {
    const tokenizer = trainTokenizer([Array(8).fill(SCRIPT).join('\n')], { vocabSize: SPECIAL_TOKENS.length + 256 + 160, specialTokens: SPECIAL_TOKENS });
    const ids = Array.from(tokenizer.encode(SCRIPT));
    if (new Set(ids).size !== ids.length) throw new Error(`SCRIPT must tokenize into distinct tokens (test setup): ${ids.join(' ')}`);
    const assistant = tokenizer.tokenToId(SPECIAL.assistant)!;
    const end = tokenizer.tokenToId(SPECIAL.endOfTurn)!;
    const heads = 4;
    const dim = Math.max(opts.dim ?? 0, Math.ceil(tokenizer.vocabSize / (heads * 2)) * heads * 2);
    const layers = opts.layers ?? 2;
    const m = new LlamaModel(makeConfig({ vocab: tokenizer.vocabSize, dim, layers, heads, ffn: opts.ffn ?? 64, ctx: 4096 }));
    const embed = m.view('model.embed_tokens.weight'); // [vocab, dim]
    for (let t = 0; t < tokenizer.vocabSize; t++) embed[t * dim + t] = 1;
    for (const p of m.layout.list) if (p.shape.length === 1 && p.name.endsWith('norm.weight')) m.view(p.name).fill(1);
    // After the final RMSNorm a one-hot vector has value sqrt(dim) at its token, so a weight w gives logit w*sqrt(dim).
    const head = m.view('lm_head.weight'); // [vocab, dim]
    const scale = 1 / Math.sqrt(dim);
    head.fill(-30 * scale);
    const successors = new Map<number, [number, number][]>();
    successors.set(assistant, [[ids[0], 0]]);
    ids.forEach((t, i) => successors.set(t, [[ids[i + 1] ?? ids[0], 0]]));
    successors.get(ids.at(-1)!)!.push([end, -1.5]);
    for (const [cur, next] of successors) for (const [to, logit] of next) head[to * dim + cur] = logit * scale;
    saveModel(dir, m);
    m.dispose();
    saveTokenizer(tokenizer, dir);
    writeFileSync(join(dir, 'parley.json'), JSON.stringify({ name: 'script-bigram', stage: 'test', note: 'hand-set bigram weights for browser tests' }, null, 2));
    return { dir, id: 'script-bigram', scriptTokens: ids.length };
  } finally {
    shutdownEngine();
  }
}
