// AdamW over a model's flat parameter block: decoupled weight decay on matrices only (the layout
// puts them first, see params.ts), none on norm weights or the scalar head's bias. Moments live in
// two more allocations at the same offsets as the parameters.
import { alloc, free } from './memory.ts';
import * as ops from './ops.ts';
import type { LlamaModel } from './model.ts';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const defaultAdamW: AdamWOptions = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  private m: number;
  private v: number;
  /** Updates applied so far (the bias correction uses step + 1). */
  step = 0;

  constructor(private readonly model: LlamaModel, readonly opts: AdamWOptions = defaultAdamW) {
    const n = model.layout.total;
    this.m = alloc(n);
    this.v = alloc(n);
    ops.fill(this.m, 0, n);
    ops.fill(this.v, 0, n);
  }

  /** One update from the model's current gradients at learning rate `lr`. */
  update(lr: number): void {
    const { layout, params, grads } = this.model;
    if (!grads) throw new Error('AdamW.update: the model has no gradients');
    const o = this.opts;
    const t = ++this.step;
    const range = (start: number, end: number, wd: number) => {
      if (end <= start) return;
      const off = start * 4;
      ops.adamw(params + off, grads + off, this.m + off, this.v + off, end - start, lr, o.beta1, o.beta2, o.eps, wd, t);
    };
    range(0, layout.decayEnd, o.weightDecay);
    range(layout.decayEnd, layout.total, 0);
  }

  dispose(): void {
    if (this.m) free(this.m);
    if (this.v) free(this.v);
    this.m = this.v = 0;
  }
}

/** The global L2 norm of the model's gradients; scales them down to `maxNorm` when above it (0 = never). */
export function clipGradNorm(model: LlamaModel, maxNorm: number): number {
  const n = model.layout.total;
  const norm = Math.sqrt(ops.sumSquares(model.grads, n));
  if (maxNorm > 0 && norm > maxNorm && Number.isFinite(norm)) ops.scale(model.grads, maxNorm / (norm + 1e-6), n);
  return norm;
}
