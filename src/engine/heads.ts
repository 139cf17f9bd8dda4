// What a batch is trained or scored on, on top of the trunk in model.ts:
// - lmLoss: mean next-token cross-entropy with per-token weights (pretraining, SFT with loss masks);
// - tokenLogprobs: log p(target) per token at a temperature, with a backward from d(logp) (PPO, DPO);
// - score / tokenScores: a scalar head on the last hidden state of each sequence (or at every
//   position), with a backward from d(score) (reward and value models).
// Each *Backward accumulates into the model's gradients; call model.zeroGrads() between updates.
import { UserError } from '../util/errors.ts';
import { f32, i32 } from './memory.ts';
import * as ops from './ops.ts';
import type { LlamaModel } from './model.ts';

export interface LmBatch {
  B: number;
  T: number;
  ids: ArrayLike<number>; // [B·T] inputs
  targets: ArrayLike<number>; // [B·T] next tokens; negative (-1, or HF's -100) = no loss at this position
  weights?: ArrayLike<number>; // [B·T] per-token weight (mask), default 1
}

function checkTargets(m: LlamaModel, targets: ArrayLike<number>, n: number): void {
  if (targets.length !== n) throw new UserError(`targets: expected ${n} entries, got ${targets.length}`);
  const V = m.config.vocabSize;
  for (let i = 0; i < n; i++) {
    const t = targets[i];
    if (!Number.isInteger(t) || t >= V) {
      throw new UserError(`targets: id ${t} at position ${i} is outside the vocabulary (size ${V}; negative = ignore)`);
    }
  }
}

/** Σ weight over positions whose target is not ignored. */
export function weightSum(batch: LmBatch): number {
  let s = 0;
  for (let i = 0; i < batch.targets.length; i++) if (batch.targets[i] >= 0) s += batch.weights ? batch.weights[i] : 1;
  return s;
}

/**
 * Forward + weighted mean cross-entropy. With `grad`, also backward, scaled so the gradient is that
 * of Σ w·CE / `normalizer` (default: this batch's weight sum; pass the sum over all micro-batches
 * for gradient accumulation). Returns this batch's mean loss and its weight sum.
 */
export function lmLoss(m: LlamaModel, batch: LmBatch, opts: { grad?: boolean; normalizer?: number } = {}): { loss: number; weight: number } {
  const { B, T } = batch, BT = B * T, V = m.config.vocabSize;
  checkTargets(m, batch.targets, BT);
  if (batch.weights) {
    if (batch.weights.length !== BT) throw new UserError(`weights: expected ${BT} entries, got ${batch.weights.length}`);
    for (let i = 0; i < BT; i++) {
      const w = batch.weights[i];
      if (!Number.isFinite(w) || w < 0) throw new UserError(`weights: entry ${i} is ${w} (must be finite and >= 0)`);
    }
  }
  const a = m.forward(batch.ids, B, T, { logits: true });
  const weight = weightSum(batch);
  i32(a.targets, BT).set(batch.targets);
  const norm = opts.normalizer ?? weight;
  const rw = f32(a.rowWeights, BT);
  for (let i = 0; i < BT; i++) rw[i] = norm > 0 ? (batch.weights ? batch.weights[i] : 1) / norm : 0;
  ops.crossEntropy(a.rowLoss, opts.grad ? a.logits : 0, a.logits, a.targets, a.rowWeights, BT, V);
  const rowLoss = f32(a.rowLoss, BT);
  let sum = 0;
  for (let i = 0; i < BT; i++) if (batch.targets[i] >= 0) sum += rowLoss[i] * (batch.weights ? batch.weights[i] : 1);
  if (opts.grad) m.backwardFromLogits();
  return { loss: weight > 0 ? sum / weight : 0, weight };
}

/**
 * Per-token log p(target | prefix) with logits divided by `temperature`, [B·T] (0 where the target
 * is -1), and the entropy of that distribution per token. Keeps the activations: call
 * tokenLogprobsBackward next to backpropagate a loss built on these numbers.
 */
export function tokenLogprobs(
  m: LlamaModel, batch: { B: number; T: number; ids: ArrayLike<number>; targets: ArrayLike<number> }, temperature = 1,
): { logprobs: Float32Array; entropy: Float32Array } {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new UserError(`temperature must be > 0, got ${temperature}`);
  const { B, T } = batch, BT = B * T, V = m.config.vocabSize;
  checkTargets(m, batch.targets, BT);
  const a = m.forward(batch.ids, B, T, { logits: true });
  const targets = i32(a.targets, BT);
  targets.set(batch.targets);
  ops.logprobs(a.rowLoss, a.rowExtra, a.logits, a.targets, BT, V, 1 / temperature);
  const logprobs = f32(a.rowLoss, BT).slice();
  for (let i = 0; i < BT; i++) if (batch.targets[i] < 0) logprobs[i] = 0;
  lastLogprobForward.set(m, { temperature, forward: m.forwardCount });
  return { logprobs, entropy: f32(a.rowExtra, BT).slice() };
}

const lastLogprobForward = new WeakMap<LlamaModel, { temperature: number; forward: number }>();

function staleForward(what: string): never {
  throw new Error(`${what}: another forward pass ran since; the activations are gone (call the forward again)`);
}

/** Backpropagates dLoss/dlogprobs [B·T] from the last tokenLogprobs call (accumulates gradients). */
export function tokenLogprobsBackward(m: LlamaModel, dLogprobs: ArrayLike<number>): void {
  const last = lastLogprobForward.get(m);
  if (last === undefined) throw new Error('tokenLogprobsBackward needs a tokenLogprobs forward first');
  if (last.forward !== m.forwardCount) staleForward('tokenLogprobsBackward');
  lastLogprobForward.delete(m);
  const temperature = last.temperature;
  const a = m.acts, BT = a.B * a.T, V = m.config.vocabSize, inv = 1 / temperature;
  if (dLogprobs.length !== BT) throw new UserError(`dLogprobs: expected ${BT} entries, got ${dLogprobs.length}`);
  // d logp/dz = inv·(onehot − softmax(z·inv)); crossEntropy on the scaled logits writes
  // (softmax − onehot)·w, so w = −dlogp·inv gives dLoss/dz directly.
  ops.scale(a.logits, inv, BT * V);
  const rw = f32(a.rowWeights, BT);
  for (let i = 0; i < BT; i++) rw[i] = -dLogprobs[i] * inv;
  ops.crossEntropy(a.rowLoss, a.logits, a.logits, a.targets, a.rowWeights, BT, V);
  m.backwardFromLogits();
}

/** Checks lastIndex [B]: for each sequence, the position (0..T-1) of its last real token. */
function checkLastIndex(lastIndex: ArrayLike<number>, B: number, T: number): void {
  if (lastIndex.length !== B) throw new UserError(`lastIndex: expected ${B} entries (one per sequence), got ${lastIndex.length}`);
  for (let b = 0; b < B; b++) {
    const t = lastIndex[b];
    if (!Number.isInteger(t) || t < 0 || t >= T) throw new UserError(`lastIndex: entry ${b} is ${t}, must be in 0..${T - 1}`);
  }
}

/**
 * Scalar head: score[b] = score.weight · h[b, lastIndex[b]] + score.bias, where h is the final
 * normed hidden state [B, T, C]. Sequences are right-padded, so padding after lastIndex never
 * affects it. Backward: scoreBackward(m, dScore [B]).
 */
/** Right-pads sequences into one [B, T] batch; lastIndex[b] is each sequence's final position (for `score`). */
export function padBatch(seqs: number[][], pad: number): { B: number; T: number; ids: Int32Array; lastIndex: Int32Array } {
  const B = seqs.length, T = Math.max(...seqs.map((s) => s.length));
  const ids = new Int32Array(B * T).fill(pad), lastIndex = new Int32Array(B);
  seqs.forEach((s, b) => {
    ids.set(s, b * T);
    lastIndex[b] = s.length - 1;
  });
  return { B, T, ids, lastIndex };
}

export function score(m: LlamaModel, batch: { B: number; T: number; ids: ArrayLike<number> }, lastIndex: ArrayLike<number>): Float32Array {
  checkLastIndex(lastIndex, batch.B, batch.T);
  return scoreRows(m, batch, Int32Array.from(lastIndex, (t, b) => b * batch.T + t));
}

/**
 * The scalar head at every position, [B·T] (a value model's per-token values for PPO).
 * Backward: scoreBackward(m, dValues [B·T]).
 */
export function tokenScores(m: LlamaModel, batch: { B: number; T: number; ids: ArrayLike<number> }): Float32Array {
  return scoreRows(m, batch, Int32Array.from({ length: batch.B * batch.T }, (_, r) => r));
}

function scoreRows(m: LlamaModel, batch: { B: number; T: number; ids: ArrayLike<number> }, rows: Int32Array): Float32Array {
  if (!m.scalarHead) throw new Error('this model has no scalar head (create it with { scalarHead: true })');
  const { B, T } = batch, C = m.config.hiddenSize;
  const a = m.forward(batch.ids, B, T, { logits: false });
  const h = f32(a.lnf, B * T * C), w = f32(m.w.scoreW, C), bias = f32(m.w.scoreB, 1)[0];
  const out = new Float32Array(rows.length);
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j] * C;
    let s = 0;
    for (let i = 0; i < C; i++) s += w[i] * h[row + i];
    out[j] = s + bias;
  }
  lastScore.set(m, { rows, forward: m.forwardCount });
  return out;
}

const lastScore = new WeakMap<LlamaModel, { rows: Int32Array; forward: number }>();

/** Backpropagates dLoss/dscore from the last score() or tokenScores() call (accumulates gradients). */
export function scoreBackward(m: LlamaModel, dScore: ArrayLike<number>): void {
  const last = lastScore.get(m);
  if (!last) throw new Error('scoreBackward needs a score() or tokenScores() forward first');
  if (last.forward !== m.forwardCount) staleForward('scoreBackward');
  const rows = last.rows;
  const a = m.acts, B = a.B, T = a.T, C = m.config.hiddenSize, g = m.gradPointers();
  if (dScore.length !== rows.length) throw new UserError(`dScore: expected ${rows.length} entries, got ${dScore.length}`);
  lastScore.delete(m);
  ops.fill(a.dln, 0, B * T * C);
  const dln = f32(a.dln, B * T * C), h = f32(a.lnf, B * T * C), w = f32(m.w.scoreW, C);
  const dw = f32(g.scoreW, C), db = f32(g.scoreB, 1);
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j] * C, d = dScore[j];
    for (let i = 0; i < C; i++) {
      dln[row + i] += d * w[i];
      dw[i] += d * h[row + i];
    }
    db[0] += d;
  }
  m.backwardFromHidden();
}
