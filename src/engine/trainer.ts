// One optimizer step at a time: zero the gradients, run forward/backward over the micro-batches
// (gradient accumulation), check the loss is a number, clip by global norm, AdamW at the
// scheduled learning rate.
import { UserError } from '../util/errors.ts';
import { AdamW, clipGradNorm, defaultAdamW, type AdamWOptions } from './optimizer.ts';
import { learningRate, validateSchedule, type Schedule } from './schedule.ts';
import { lmLoss, weightSum, type LmBatch } from './heads.ts';
import type { LlamaModel } from './model.ts';
import { WorkerKernelError } from './pool.ts';

export interface TrainerOptions {
  schedule: Schedule;
  adamw?: Partial<AdamWOptions>;
  gradClip?: number; // max global gradient norm; 0 = off (default 1)
}

export interface StepResult {
  step: number; // the update just applied, from 0
  loss: number;
  gradNorm: number; // before clipping
  lr: number;
}

/** Thrown when the loss or the gradients stop being finite numbers; the parameters are left as they were before the step. */
export class TrainingDivergedError extends UserError {
  constructor(readonly step: number, what: string) {
    super(`training diverged at step ${step}: ${what}; lower the learning rate or check the data`);
    this.name = 'TrainingDivergedError';
  }
}

export class Trainer {
  readonly optimizer: AdamW;
  readonly gradClip: number;

  constructor(readonly model: LlamaModel, readonly opts: TrainerOptions) {
    validateSchedule(opts.schedule);
    this.gradClip = opts.gradClip ?? 1;
    if (!(this.gradClip >= 0)) throw new UserError(`gradient clip must be >= 0, got ${this.gradClip}`);
    model.enableGrads();
    this.optimizer = new AdamW(model, { ...defaultAdamW, ...opts.adamw });
  }

  /** Updates applied so far. */
  get step(): number {
    return this.optimizer.step;
  }

  /**
   * One update on the language-model loss of several micro-batches: the gradient is that of the
   * weighted mean cross-entropy over all their tokens together, as if they were one batch.
   */
  trainStep(micro: LmBatch[]): StepResult {
    if (micro.length === 0) throw new UserError('trainStep needs at least one micro-batch');
    const total = micro.reduce((s, b) => s + weightSum(b), 0);
    if (!(total > 0)) throw new UserError(`step ${this.step}: no token in the batch has a loss weight > 0`);
    return this.customStep(() => {
      let sum = 0;
      for (const b of micro) {
        const { loss, weight } = lmLoss(this.model, b, { grad: true, normalizer: total });
        sum += loss * weight;
      }
      return sum / total;
    });
  }

  /**
   * One update on any loss: `accumulate` runs the forward/backward passes (accumulating into the
   * model's zeroed gradients) and returns the loss to report and check.
   */
  customStep(accumulate: () => number): StepResult {
    const step = this.step;
    let loss = NaN;
    // A kernel failing in a worker thread during the forward/backward passes leaves the weights untouched
    // (only gradients were written, and they are zeroed again), so the passes are retried before giving
    // up: one rare failure ~80 minutes into a training run should not throw the run away.
    for (let attempt = 1; ; attempt++) {
      this.model.zeroGrads();
      try {
        loss = accumulate();
        break;
      } catch (err) {
        if (!(err instanceof WorkerKernelError) || attempt >= 3) throw err;
        process.stderr.write(`step ${step}: ${err.message}; retrying the step (attempt ${attempt + 1} of 3)\n`);
      }
    }
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(step, `loss is ${loss}`);
    const gradNorm = clipGradNorm(this.model, this.gradClip);
    if (!Number.isFinite(gradNorm)) throw new TrainingDivergedError(step, `gradient norm is ${gradNorm} (loss ${loss})`);
    const lr = learningRate(this.opts.schedule, step);
    this.optimizer.update(lr);
    return { step, loss, gradNorm, lr };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
