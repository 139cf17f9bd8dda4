import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate, validateSchedule, type Schedule } from './schedule.ts';

const base: Schedule = { kind: 'cosine', peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('warmup rises linearly to the peak', () => {
  close(learningRate(base, 0), 1e-4);
  close(learningRate(base, 9), 1e-3);
});

test('cosine: peak → midpoint → floor, and stays at the floor', () => {
  close(learningRate(base, 10), 1e-3);
  close(learningRate(base, 60), 1e-4 + 0.9e-3 * 0.5);
  close(learningRate(base, 110), 1e-4);
  close(learningRate(base, 500), 1e-4);
});

test('linear and constant', () => {
  close(learningRate({ ...base, kind: 'linear' }, 35), 1e-4 + 0.9e-3 * 0.75);
  close(learningRate({ ...base, kind: 'constant' }, 1000), 1e-3);
});

test('bad schedules are rejected', () => {
  assert.throws(() => validateSchedule({ ...base, peakLr: 0 }), /learning rate/);
  assert.throws(() => validateSchedule({ ...base, kind: 'step' as never }), /unknown schedule "step"/);
  assert.throws(() => validateSchedule({ ...base, minRatio: 2 }), /min lr ratio/);
});
