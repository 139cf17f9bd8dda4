// The loop pretraining and SFT share: AdamW on the weighted next-token loss over packed rows,
// shuffled each epoch with a seeded generator, a held-out loss before and after, metrics and progress.
import { UserError } from '../util/errors.ts';
import { Rng } from '../engine/sampling.ts';
import { Trainer } from '../engine/trainer.ts';
import { lmLoss } from '../engine/heads.ts';
import type { LlamaModel } from '../engine/model.ts';
import { toBatch, type Row } from './packing.ts';
import { MetricsLog } from './run-dir.ts';
import { progress, type Logger } from './progress.ts';

export interface LmLoopOptions {
  stage: string;
  steps: number;
  batch: number; // rows per optimizer step
  microBatch?: number; // rows per forward pass (default: batch)
  ctx: number; // T
  lr: number;
  warmup: number;
  minLrRatio?: number;
  seed: number;
  heldout?: number; // rows kept aside for the held-out loss (default: 5 % up to 16)
  maxSeconds?: number; // time budget: the step count (and the schedule) is fitted to it from the measured speed
  clock?: () => number; // milliseconds, for the time budget (default performance.now; tests simulate a changing machine)
  metricsPath?: string;
  log?: Logger;
}

export interface LmLoopResult {
  steps: number;
  firstLoss: number;
  finalLoss: number; // mean of the last 10 % of steps
  heldoutBefore: number;
  heldoutAfter: number;
  tokens: number;
  seconds: number;
}

export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function heldoutLoss(model: LlamaModel, rows: Row[], T: number, micro: number): number {
  let sum = 0, weight = 0;
  for (let i = 0; i < rows.length; i += micro) {
    const r = lmLoss(model, toBatch(rows.slice(i, i + micro), T));
    sum += r.loss * r.weight;
    weight += r.weight;
  }
  return weight ? sum / weight : 0;
}

export function trainLm(model: LlamaModel, allRows: Row[], o: LmLoopOptions): LmLoopResult {
  const log = o.log ?? ((l: string) => console.error(l));
  if (allRows.length === 0) throw new UserError(`${o.stage}: no training rows (the dataset is shorter than one sequence of ${o.ctx + 1} tokens)`);
  const rng = new Rng(o.seed);
  const rows = shuffle(allRows.slice(), rng);
  const nHeld = o.heldout ?? Math.min(16, Math.floor(rows.length * 0.05));
  const held = rows.splice(0, Math.min(nHeld, rows.length - 1));
  const micro = Math.max(1, Math.min(o.microBatch ?? o.batch, o.batch));
  const schedule = { kind: 'cosine' as const, peakLr: o.lr, warmupSteps: Math.min(o.warmup, o.steps - 1), totalSteps: o.steps, minRatio: o.minLrRatio ?? 0.1 };
  const trainer = new Trainer(model, { schedule });
  let steps = o.steps;
  const metrics = new MetricsLog(o.metricsPath, o.stage);
  const now = o.clock ?? (() => performance.now()); // sub-millisecond: a tiny model's steps take well under 1 ms
  const started = now();
  const heldoutBefore = held.length ? heldoutLoss(model, held, o.ctx, micro) : NaN;
  log(`${o.stage}: ${rows.length} rows of ${o.ctx} tokens, ${o.steps} steps of ${o.batch}, ${model.numParams} parameters, held-out loss ${heldoutBefore.toFixed(4)}`);
  let bar = progress(o.stage, steps, log);
  let cursor = 0, tokens = 0, firstLoss = NaN;
  const checkedAt = { time: 0, step: 0, next: 12, start: 0 }; // the last speed check (the first is timed from step 2: warm-up costs before)
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      if (s === 2) { checkedAt.time = checkedAt.start = now(); checkedAt.step = 2; } // the first steps include warm-up costs (allocation, JIT)
      if (o.maxSeconds && s === checkedAt.next) {
        // Fit the run into its time budget: the cosine schedule then ends where training ends. The fit is
        // checked again every tenth of the run (10 to 100 steps), so a machine that gets busier mid-run still
        // ends near the budget, and one that gets idler (a slow start) uses the time it has, up to the planned
        // steps. The speed is half that since the last check, half that since step 2 (the same at the first
        // check): recent enough to follow the machine, smooth enough that the schedule's end does not swing.
        const t = now();
        const recent = (t - checkedAt.time) / 1000 / (s - checkedAt.step);
        const perStep = (recent + (t - checkedAt.start) / 1000 / (s - 2)) / 2;
        checkedAt.time = t; checkedAt.step = s;
        const left = o.maxSeconds - (t - started) / 1000 - 10 * perStep; // the held-out pass and saving
        const fit = Math.min(o.steps, Math.max(s + 1, s + Math.floor(left / perStep)));
        if (fit !== steps && (fit < steps || fit > steps * 1.02)) {
          bar.stop();
          log(`${o.stage}: ${perStep.toFixed(2)} s per step; ${fit < steps ? `${steps} steps would take ${(perStep * (steps - s) / 60 + (t - started) / 60000).toFixed(1)} min, more than` : 'more steps fit in'} the ${(o.maxSeconds / 60).toFixed(1)} min budget: training ${fit} steps`);
          steps = fit;
          schedule.totalSteps = steps;
          schedule.warmupSteps = Math.min(o.warmup, steps - 1);
          bar = progress(o.stage, steps, log);
          bar.update(s, { loss: losses[losses.length - 1] });
        }
        checkedAt.next = s + Math.max(10, Math.min(100, Math.floor(steps / 10)));
      }
      const picked: Row[] = [];
      while (picked.length < o.batch) {
        if (cursor >= rows.length) { shuffle(rows, rng); cursor = 0; }
        picked.push(rows[cursor++]);
      }
      const microBatches = [];
      for (let i = 0; i < picked.length; i += micro) microBatches.push(toBatch(picked.slice(i, i + micro), o.ctx));
      const r = trainer.trainStep(microBatches);
      tokens += picked.length * o.ctx;
      if (s === 0) firstLoss = r.loss;
      losses.push(r.loss);
      metrics.log(s, { loss: r.loss, lr: r.lr, grad_norm: r.gradNorm, tokens });
      bar.update(s + 1, { loss: r.loss });
    }
  } finally {
    bar.stop();
    trainer.dispose();
  }
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 10)));
  const finalLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
  const heldoutAfter = held.length ? heldoutLoss(model, held, o.ctx, micro) : NaN;
  const seconds = (now() - started) / 1000;
  const result = { steps, plannedSteps: o.steps, firstLoss, finalLoss, heldoutBefore, heldoutAfter, tokens, seconds };
  metrics.log(-1, { first_loss: firstLoss, final_loss: finalLoss, heldout_before: heldoutBefore, heldout_after: heldoutAfter, tokens, seconds });
  log(`${o.stage}: loss ${firstLoss.toFixed(4)} → ${finalLoss.toFixed(4)}, held-out ${heldoutBefore.toFixed(4)} → ${heldoutAfter.toFixed(4)} (${seconds.toFixed(0)} s, ${(tokens / seconds).toFixed(0)} tokens/s)`);
  return result;
}
