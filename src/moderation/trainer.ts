// Trains the classifier: binary cross-entropy per category (masked by each example's `mask`),
// minibatch Adam with lazy updates (only the weight rows a batch touches move), L2 decay on those
// rows. Fully deterministic for a seed: the corpus, the shuffles and the float arithmetic order.

import { Classifier, type ModelInfo } from './classifier.ts';
import { sigmoid } from '../training/losses.ts';
import type { Example } from './corpus.ts';
import { featurize, type FeatureConfig, type SparseVector } from './features.ts';
import { normalize } from './normalize.ts';
import { Rng } from './random.ts';
import { CATEGORIES } from './taxonomy.ts';

const C = CATEGORIES.length;

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  /** Probability of dropping each feature of an example at each step, so that no single phrase
   *  of a template carries the decision and the model leans on every cue it has. */
  dropout: number;
  features: FeatureConfig;
  /** Called once per epoch with the mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export const DEFAULT_TRAIN = { epochs: 10, batchSize: 16, learningRate: 0.02, l2: 1e-6, dropout: 0.3 };

interface Row {
  x: SparseVector;
  y: Float32Array; // [C] targets
  m: Float32Array; // [C] mask times example weight
}

function toRow(e: Example, features: FeatureConfig): Row {
  const y = new Float32Array(C);
  const m = new Float32Array(C);
  const w = e.weight ?? 1;
  CATEGORIES.forEach((c, i) => {
    y[i] = e.labels.includes(c) ? 1 : 0;
    m[i] = !e.mask || e.mask.includes(c) ? w : 0;
  });
  return { x: featurize(normalize(e.text), features), y, m };
}

export function trainClassifier(examples: Example[], opts: TrainOptions, info: Omit<ModelInfo, 'features'>): Classifier {
  const model = Classifier.create({ ...info, features: opts.features });
  const W = model.weight;
  const b = model.bias;
  const rows = examples.map((e) => toRow(e, opts.features));
  // Each category is rare against everything else; weighting its positives by sqrt(neg/pos)
  // trades a little precision for recall on phrasings the templates did not cover.
  const posWeight = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let pos = 0;
    let neg = 0;
    for (const r of rows) if (r.m[c] > 0) r.y[c] ? pos++ : neg++;
    posWeight[c] = pos > 0 ? Math.sqrt(Math.max(1, neg / pos)) : 1;
  }
  for (const r of rows) for (let c = 0; c < C; c++) if (r.y[c]) r.m[c] *= posWeight[c];
  const mW = new Float32Array(W.length);
  const vW = new Float32Array(W.length);
  const gW = new Float32Array(W.length);
  const mB = new Float32Array(C);
  const vB = new Float32Array(C);
  const gB = new Float32Array(C);
  const touched = new Uint8Array(opts.features.dims);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  const rng = new Rng(opts.seed ^ 0x5eed);
  const order = rows.map((_, i) => i);
  const z = new Float32Array(C);
  let t = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      const list: number[] = [];
      gB.fill(0);
      for (const idx of batch) {
        const r = rows[idx];
        const x = opts.dropout > 0 ? drop(r.x, opts.dropout, rng) : r.x;
        model.logits(x, z);
        for (let c = 0; c < C; c++) {
          if (r.m[c] === 0) {
            z[c] = 0;
            continue;
          }
          const p = sigmoid(z[c]);
          lossSum += r.m[c] * (r.y[c] ? -Math.log(p + 1e-12) : -Math.log(1 - p + 1e-12));
          z[c] = (p - r.y[c]) * r.m[c];
          gB[c] += z[c];
        }
        for (let i = 0; i < x.index.length; i++) {
          const f = x.index[i];
          if (!touched[f]) {
            touched[f] = 1;
            list.push(f);
          }
          const v = x.value[i];
          const row = f * C;
          for (let c = 0; c < C; c++) gW[row + c] += v * z[c];
        }
      }
      t++;
      const scale = 1 / batch.length;
      const lr = opts.learningRate * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
      for (const f of list) {
        const row = f * C;
        for (let c = 0; c < C; c++) {
          const k = row + c;
          const g = gW[k] * scale + opts.l2 * W[k];
          mW[k] = beta1 * mW[k] + (1 - beta1) * g;
          vW[k] = beta2 * vW[k] + (1 - beta2) * g * g;
          W[k] -= (lr * mW[k]) / (Math.sqrt(vW[k]) + eps);
          gW[k] = 0;
        }
        touched[f] = 0;
      }
      for (let c = 0; c < C; c++) {
        const g = gB[c] * scale;
        mB[c] = beta1 * mB[c] + (1 - beta1) * g;
        vB[c] = beta2 * vB[c] + (1 - beta2) * g * g;
        b[c] -= (lr * mB[c]) / (Math.sqrt(vB[c]) + eps);
      }
    }
    opts.onEpoch?.(epoch + 1, lossSum / (rows.length * C));
  }
  return model;
}

/**
 * Inverted dropout: kept features are scaled by 1 / (1 - p) so expected logits do not change.
 * A quarter of the time only the lexicon-class block is kept, and a quarter of the time only the
 * word and character blocks: the class block generalises across phrasings but would otherwise be
 * outvoted by the many n-grams that memorise each template.
 */
function drop(x: SparseVector, p: number, rng: Rng): SparseVector {
  const keep: number[] = [];
  const [, , cls, end] = x.blocks ?? [0, 0, x.index.length, x.index.length];
  const r = rng.next();
  const lo = r < 0.25 && cls < end ? cls : 0;
  const hi = r >= 0.25 && r < 0.5 ? cls : end;
  for (let i = lo; i < hi; i++) if (rng.next() >= p) keep.push(i);
  const index = new Uint32Array(keep.length);
  const value = new Float32Array(keep.length);
  const s = 1 / (1 - p);
  keep.forEach((k, j) => {
    index[j] = x.index[k];
    value[j] = x.value[k] * s;
  });
  return { index, value };
}
