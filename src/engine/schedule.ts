// Learning-rate schedules: linear warmup from 0, then cosine or linear decay to `minRatio`·peak
// (or constant). `step` counts optimizer updates from 0.
import { UserError } from '../util/errors.ts';

export type ScheduleKind = 'cosine' | 'linear' | 'constant';

export interface Schedule {
  kind: ScheduleKind;
  peakLr: number;
  warmupSteps: number;
  totalSteps: number; // decay ends here; later steps stay at the floor
  minRatio: number; // floor as a fraction of peakLr (0.1 is common)
}

export function validateSchedule(s: Schedule): void {
  if (!['cosine', 'linear', 'constant'].includes(s.kind)) throw new UserError(`unknown schedule "${s.kind}" (cosine, linear or constant)`);
  if (!(s.peakLr > 0) || !Number.isFinite(s.peakLr)) throw new UserError(`learning rate must be > 0, got ${s.peakLr}`);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0) throw new UserError(`warmup steps must be an integer >= 0, got ${s.warmupSteps}`);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1) throw new UserError(`total steps must be an integer >= 1, got ${s.totalSteps}`);
  if (!(s.minRatio >= 0 && s.minRatio <= 1)) throw new UserError(`min lr ratio must be in [0, 1], got ${s.minRatio}`);
}

export function learningRate(s: Schedule, step: number): number {
  // Warmup reaches the peak at step warmupSteps-1 (so step 0 already trains, at peak/warmup).
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peakLr;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const t = Math.min(1, (step - s.warmupSteps) / span);
  const floor = s.peakLr * s.minRatio;
  const shape = s.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * t)) : 1 - t;
  return floor + (s.peakLr - floor) * shape;
}
