// Stage 1, pretraining: next-token prediction on prose. The text (the world's pretrain.txt and any
// other UTF-8 files) is split into paragraphs at blank lines, each paragraph becomes
// <|begin_of_text|> + its tokens, and the whole stream is cut into rows of ctx+1 tokens.
// Optionally chat JSONL is mixed in ("mixed training"): each conversation is rendered with the chat
// format and carries loss on its assistant tokens only, as in SFT, and documents are shuffled before
// packing so every row mixes prose and dialogue. A model that reads facts in prose while it learns to
// answer questions about other facts learns to answer about the prose's facts too; one that only meets
// questions in a short SFT at the end mostly does not (studies/FINDINGS.md).
// Starts from random weights of a given shape (with a tokenizer), or continues a checkpoint.
import { UserError } from '../util/errors.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { loadTokenizer } from '../tokenizer/tokenizer-files.ts';
import { specialIds } from '../tokenizer/special-tokens.ts';
import { readText, readSft, type TrainMessage } from './datasets.ts';
import { renderTraining } from './sft.ts';
import { Rng } from '../engine/sampling.ts';
import { packStream } from './packing.ts';
import { trainLm, shuffle } from './lm-loop.ts';
import { loadPolicy, saveStageCheckpoint, datasetHashes } from './checkpoints.ts';
import type { Logger } from './progress.ts';

export interface ModelShape {
  layers: number;
  dim: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  maxPositions: number;
  tied: boolean;
}

export interface PretrainOptions {
  data: string[]; // text files
  chat?: string[]; // OpenAI-chat JSONL files mixed into the stream (loss on assistant turns only)
  out: string;
  from: { model: string } | { tokenizer: string; shape: ModelShape };
  steps: number;
  batch: number;
  microBatch?: number;
  ctx: number;
  lr: number;
  warmup: number;
  seed: number;
  maxSeconds?: number; // time budget for the training loop
  maxTokens?: number; // cap on the tokens read from the text (keeps tokenizing time bounded)
  stage?: string;
  metricsPath?: string;
  log?: Logger;
}

export function runPretrain(o: PretrainOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  if (o.data.length === 0) throw new UserError('pretrain: no text files given');
  const texts = o.data.map((f) => readText(f)); // refuses missing or empty files before any work
  const chats = (o.chat ?? []).map((f) => readSft(f)); // validated with file:line errors, also before any work
  let model: LlamaModel, tokenizerDir: string, hfConfig: Record<string, unknown> = {};
  let tokenizer, special;
  if ('model' in o.from) {
    const p = loadPolicy(o.from.model);
    ({ model, tokenizer, special, tokenizerDir, hfConfig } = p);
    if (model.scalarHead) throw new UserError(`${o.from.model} is a reward/value model (it has a scalar head); pretraining needs a language model`);
  } else {
    tokenizerDir = o.from.tokenizer;
    tokenizer = loadTokenizer(tokenizerDir).tokenizer;
    special = specialIds(tokenizer);
    const s = o.from.shape;
    if (s.dim % s.heads !== 0) throw new UserError(`model shape: dim ${s.dim} is not a multiple of heads ${s.heads}`);
    if (o.ctx > s.maxPositions) throw new UserError(`ctx ${o.ctx} is longer than the model's ${s.maxPositions} positions`);
    const config = makeConfig({ vocab: tokenizer.vocabSize, dim: s.dim, layers: s.layers, heads: s.heads, kvHeads: s.kvHeads, ffn: s.ffn, ctx: s.maxPositions, tied: s.tied });
    model = LlamaModel.random(config, o.seed);
  }
  try {
    if (o.ctx > model.config.maxPositionEmbeddings) throw new UserError(`ctx ${o.ctx} is longer than the model's ${model.config.maxPositionEmbeddings} positions`);
    const started = Date.now();
    // Documents are tokenized in stream order and only up to the token cap, so the cap bounds tokenizing time.
    const docs: Array<string | TrainMessage[]> = [];
    for (const text of texts) {
      for (const para of text.split(/\n\s*\n/)) {
        const p = para.trim();
        if (p) docs.push(p);
      }
    }
    for (const examples of chats) for (const e of examples) docs.push(e.messages);
    // Prose alone keeps its given order (the world already shuffles it); a mix is shuffled so rows mix.
    const ordered = chats.length ? shuffle(docs, new Rng(o.seed + 7)) : docs;
    const stream: number[] = [];
    const weights: number[] = [];
    const cap = o.maxTokens ?? Infinity;
    let chatTokens = 0, conversations = 0;
    for (const d of ordered) {
      if (typeof d === 'string') {
        stream.push(special.begin); weights.push(1);
        for (const id of tokenizer.encode(d)) { stream.push(id); weights.push(1); } // no spread: a paragraph may be huge
      } else {
        const r = renderTraining(tokenizer, d);
        for (let i = 0; i < r.ids.length; i++) { stream.push(r.ids[i]); weights.push(r.mask[i]); }
        chatTokens += r.ids.length;
        conversations++;
      }
      if (stream.length >= cap) break;
    }
    const sources = [...o.data, ...(o.chat ?? [])].join(', ');
    log(`pretrain: ${stream.length} tokens (${chatTokens} in ${conversations} conversations) from ${sources} (${((Date.now() - started) / 1000).toFixed(1)} s to tokenize)`);
    const rows = packStream(stream, o.ctx, weights);
    const r = trainLm(model, rows, { stage: o.stage ?? 'pretrain', steps: o.steps, batch: o.batch, microBatch: o.microBatch, ctx: o.ctx, lr: o.lr, warmup: o.warmup, seed: o.seed, maxSeconds: o.maxSeconds, metricsPath: o.metricsPath, log });
    const metrics = { ...r, datasetTokens: stream.length, chatTokens };
    saveStageCheckpoint(o.out, model, tokenizerDir, special, {
      stage: 'pretrain',
      parent: 'model' in o.from ? o.from.model : null,
      datasets: datasetHashes([...o.data, ...(o.chat ?? [])]),
      metrics,
      config: { steps: o.steps, batch: o.batch, ctx: o.ctx, lr: o.lr, warmup: o.warmup, seed: o.seed, ...('shape' in o.from ? { shape: o.from.shape } : {}) },
    }, hfConfig);
    return metrics;
  } finally {
    model.dispose();
  }
}
