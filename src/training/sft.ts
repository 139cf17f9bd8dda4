// Stage 2, supervised fine-tuning on OpenAI-chat JSONL: each conversation is rendered with the chat
// format, the loss falls only on the assistant's tokens (renderConversation's mask, with turns marked
// "weight": 0 masked out as well), and conversations are packed several to a row (see packing.ts).
import { UserError } from '../util/errors.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { renderConversation } from '../tokenizer/chat.ts';
import type { ChatMessage } from '../providers/types.ts';
import { readSft, type TrainMessage } from './datasets.ts';
import { packDocuments, lossShare } from './packing.ts';
import { trainLm } from './lm-loop.ts';
import { loadPolicy, saveStageCheckpoint, datasetHashes } from './checkpoints.ts';
import type { Logger } from './progress.ts';

/** Ids and loss mask of a conversation; an assistant turn with weight 0 gets mask 0 (a mistake not to learn). */
export function renderTraining(tokenizer: Tokenizer, messages: TrainMessage[]): { ids: Int32Array; mask: Uint8Array } {
  const plain = messages.map(({ weight: _w, ...m }) => m as ChatMessage);
  const r = renderConversation(tokenizer, plain);
  if (messages.some((m) => m.weight === 0)) {
    // The format adds nothing between turns, so the prefix up to turn i renders to a prefix of the ids.
    for (let i = 0; i < messages.length; i++) {
      if (messages[i].weight !== 0) continue;
      const start = renderConversation(tokenizer, plain.slice(0, i)).ids.length;
      const end = renderConversation(tokenizer, plain.slice(0, i + 1)).ids.length;
      r.mask.fill(0, start, end);
    }
  }
  return r;
}

export interface SftOptions {
  model: string; // parent checkpoint (pretrained)
  tokenizer?: string;
  data: string;
  out: string;
  steps: number;
  batch: number;
  microBatch?: number;
  ctx: number;
  lr: number;
  warmup: number;
  seed: number;
  maxSeconds?: number; // time budget for the training loop
  maxExamples?: number;
  stage?: string;
  metricsPath?: string;
  log?: Logger;
}

export function runSft(o: SftOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  const examples = readSft(o.data); // validated (and refused if empty) before the model is loaded
  const p = loadPolicy(o.model, o.tokenizer);
  try {
    if (p.model.scalarHead) throw new UserError(`${o.model} is a reward/value model (it has a scalar head); SFT needs a language model`);
    if (o.ctx > p.model.config.maxPositionEmbeddings) throw new UserError(`ctx ${o.ctx} is longer than the model's ${p.model.config.maxPositionEmbeddings} positions`);
    const used = examples.slice(0, o.maxExamples ?? examples.length);
    let cut = 0;
    const docs = used.map((e) => {
      const r = renderTraining(p.tokenizer, e.messages);
      if (r.ids.length > o.ctx + 1) cut++;
      return { ids: r.ids, mask: r.mask };
    });
    const rows = packDocuments(docs, o.ctx, p.special.pad);
    log(`sft: ${used.length} conversations in ${rows.length} rows (${(lossShare(rows) * 100).toFixed(0)} % of positions trained, ${cut} cut at ${o.ctx + 1} tokens)`);
    const r = trainLm(p.model, rows, { stage: o.stage ?? 'sft', steps: o.steps, batch: o.batch, microBatch: o.microBatch, ctx: o.ctx, lr: o.lr, warmup: o.warmup, seed: o.seed, maxSeconds: o.maxSeconds, metricsPath: o.metricsPath, log });
    const metrics = { ...r, conversations: used.length, rows: rows.length, truncated: cut };
    saveStageCheckpoint(o.out, p.model, p.tokenizerDir, p.special, {
      stage: 'sft', parent: o.model, datasets: datasetHashes([o.data]), metrics,
      config: { steps: o.steps, batch: o.batch, ctx: o.ctx, lr: o.lr, warmup: o.warmup, seed: o.seed },
    }, p.hfConfig);
    return metrics;
  } finally {
    p.model.dispose();
  }
}
