// Packing tokens into fixed [B, T] batches. Pretraining cuts one long stream into rows of T+1 tokens
// (inputs = row[0..T), targets = row[1..T]). SFT packs whole conversations greedily into rows of
// T+1 tokens; attention may look across conversations in a row (the engine has no document mask),
// which costs little because every conversation starts with <|begin_of_text|> and the loss is only on
// the assistant's own tokens. A conversation longer than a row is cut at T+1 tokens.
import type { LmBatch } from '../engine/heads.ts';

export interface Row { ids: number[]; weights: number[] } // weights[i] = loss weight of predicting ids[i]

/** Rows of T+1 tokens from one stream (with optional per-token loss weights, default 1); the tail shorter than a row is dropped. */
export function packStream(stream: ArrayLike<number>, T: number, weights?: ArrayLike<number>): Row[] {
  const rows: Row[] = [];
  for (let s = 0; s + T + 1 <= stream.length; s += T) {
    const ids = Array.from({ length: T + 1 }, (_, i) => stream[s + i]);
    rows.push({ ids, weights: ids.map((_, i) => (i === 0 ? 0 : weights ? weights[s + i] : 1)) });
  }
  return rows;
}

/** Greedy first-fit packing of documents (ids with per-token loss weights) into rows of at most T+1 tokens. */
export function packDocuments(docs: Array<{ ids: ArrayLike<number>; mask: ArrayLike<number> }>, T: number, pad: number): Row[] {
  const rows: Row[] = [];
  let cur: Row = { ids: [], weights: [] };
  const flush = () => {
    if (cur.ids.length > 1) {
      while (cur.ids.length < T + 1) { cur.ids.push(pad); cur.weights.push(0); }
      rows.push(cur);
    }
    cur = { ids: [], weights: [] };
  };
  for (const d of docs) {
    const n = Math.min(d.ids.length, T + 1);
    if (cur.ids.length + n > T + 1) flush();
    for (let i = 0; i < n; i++) { cur.ids.push(d.ids[i]); cur.weights.push(d.mask[i]); }
  }
  flush();
  return rows;
}

/** Rows [B of T+1] → an LmBatch: targets are the next tokens; a target with weight 0 is ignored (-1). */
export function toBatch(rows: Row[], T: number): LmBatch {
  const B = rows.length;
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T), weights = new Float32Array(B * T);
  rows.forEach((r, b) => {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = r.ids[t];
      const w = r.weights[t + 1];
      targets[b * T + t] = w > 0 ? r.ids[t + 1] : -1;
      weights[b * T + t] = w;
    }
  });
  return { B, T, ids, targets, weights };
}

/** Share of positions that carry loss (for logging how full the packed rows are). */
export function lossShare(rows: Row[]): number {
  let n = 0, w = 0;
  for (const r of rows) for (let i = 1; i < r.weights.length; i++) { n++; if (r.weights[i] > 0) w++; }
  return n ? w / n : 0;
}
