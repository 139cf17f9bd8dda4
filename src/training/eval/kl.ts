// KL(model ‖ reference) on the eval replies: at every token the model sampled (tool calls and second
// turns too; the prompt and tool outputs are context), the exact KL between the two next-token
// distributions, Σ_v p(v)·(log p(v) − log q(v)), summed over the reply. Exact per position rather
// than the sampled log-ratio, so it is meaningful for greedy replies as well; summed per reply like
// the KL PPO reports.
import { UserError } from '../../util/errors.ts';
import { f32 } from '../../engine/memory.ts';
import type { LlamaModel } from '../../engine/model.ts';

export interface ScoredSequence {
  ids: ArrayLike<number>; // prompt + reply, [n]
  actions: ArrayLike<number>; // [n], 1 where ids[i] was sampled by the model
}

export interface ReplyKl {
  perReply: number[]; // nats, one per sequence
  mean: number; // mean over replies (nats per reply)
  perToken: number; // Σ KL / Σ sampled tokens
}

/** Exact KL(p ‖ q) between the softmaxes of two logit rows. */
export function rowKl(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const V = p.length;
  let mp = -Infinity, mq = -Infinity;
  for (let i = 0; i < V; i++) {
    if (p[i] > mp) mp = p[i];
    if (q[i] > mq) mq = q[i];
  }
  let zp = 0, zq = 0;
  for (let i = 0; i < V; i++) {
    zp += Math.exp(p[i] - mp);
    zq += Math.exp(q[i] - mq);
  }
  const lzp = mp + Math.log(zp), lzq = mq + Math.log(zq);
  let kl = 0;
  for (let i = 0; i < V; i++) {
    const lp = p[i] - lzp;
    kl += Math.exp(lp) * (lp - (q[i] - lzq));
  }
  return Math.max(0, kl);
}

/** Logit rows that predict the sampled tokens of each sequence in a right-padded [B, T] batch. */
function actionLogits(m: LlamaModel, seqs: ScoredSequence[], pad: number): Float32Array[][] {
  const B = seqs.length, T = Math.max(...seqs.map((s) => s.ids.length)), V = m.config.vocabSize;
  const ids = new Int32Array(B * T).fill(pad);
  seqs.forEach((s, b) => ids.set(Array.from(s.ids), b * T));
  const a = m.forward(ids, B, T, { logits: true });
  const logits = f32(a.logits, B * T * V);
  // Position t's logits predict ids[t + 1]: copy out the rows whose next token was sampled.
  return seqs.map((s, b) => {
    const rows: Float32Array[] = [];
    for (let t = 1; t < s.ids.length; t++) if (s.actions[t]) rows.push(logits.slice((b * T + t - 1) * V, (b * T + t) * V));
    return rows;
  });
}

export function replyKl(model: LlamaModel, reference: LlamaModel, seqs: ScoredSequence[], pad: number, batch = 8): ReplyKl {
  if (model.config.vocabSize !== reference.config.vocabSize) {
    throw new UserError(`KL: the two models have different vocabularies (${model.config.vocabSize} and ${reference.config.vocabSize}); they do not share a tokenizer`);
  }
  const perReply: number[] = [];
  let tokens = 0;
  for (let i = 0; i < seqs.length; i += batch) {
    const chunk = seqs.slice(i, i + batch);
    const p = actionLogits(model, chunk, pad);
    const q = actionLogits(reference, chunk, pad);
    chunk.forEach((_, c) => {
      let kl = 0;
      for (let r = 0; r < p[c].length; r++) kl += rowKl(p[c][r], q[c][r]);
      perReply.push(kl);
      tokens += p[c].length;
    });
  }
  const total = perReply.reduce((a, b) => a + b, 0);
  return { perReply, mean: perReply.length ? total / perReply.length : NaN, perToken: tokens ? total / tokens : NaN };
}
