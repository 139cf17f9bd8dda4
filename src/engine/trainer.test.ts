import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from './ops.ts';
import { makeConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { Trainer, TrainingDivergedError } from './trainer.ts';
import { lmLoss, type LmBatch } from './heads.ts';
import { generate } from './generate.ts';
import { Rng } from './sampling.ts';
import { f32 } from './memory.ts';
import { WorkerKernelError } from './pool.ts';

before(async () => { await initEngine(); });
after(async () => { await shutdownEngine(); });

const schedule = { kind: 'cosine' as const, peakLr: 3e-3, warmupSteps: 20, totalSteps: 250, minRatio: 0.1 };

// Reverse a sequence of 5 digits: [d1..d5, SEP, d5..d1]; the loss covers only the answer.
const SEP = 10, N = 5;
function reverseBatch(B: number, rng: Rng): LmBatch {
  const T = 2 * N + 1 - 1; // inputs are the sequence minus its last token
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    const d = Array.from({ length: N }, () => Math.floor(rng.next() * 10));
    const seq = [...d, SEP, ...d.slice().reverse()];
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = seq[t];
      if (t >= N) targets[b * T + t] = seq[t + 1];
    }
  }
  return { B, T, ids, targets };
}

test('learns to reverse a sequence in a few seconds', () => {
  const c = makeConfig({ vocab: 11, dim: 64, layers: 2, heads: 4, ffn: 128, ctx: 16 });
  const model = LlamaModel.random(c, 1);
  const trainer = new Trainer(model, { schedule, adamw: { weightDecay: 0.01 } });
  const rng = new Rng(2);
  let first = 0, last = 0;
  for (let s = 0; s < 250; s++) {
    const r = trainer.trainStep([reverseBatch(32, rng)]);
    if (s === 0) first = r.loss;
    last = r.loss;
  }
  assert.ok(first > 2, `starts near ln 10 (${first})`);
  assert.ok(last < 0.2, `final loss ${last}`); // chance is ln 10 ≈ 2.3
  // Held-out sequences come out reversed under greedy decoding.
  let right = 0;
  for (let i = 0; i < 20; i++) {
    const d = Array.from({ length: N }, () => Math.floor(rng.next() * 10));
    const out = generate(model, [[...d, SEP]], { maxTokens: N, temperature: 0 })[0].ids;
    if (out.join() === d.slice().reverse().join()) right++;
  }
  assert.ok(right >= 16, `${right}/20 reversed correctly`);
  console.log(`reverse task: loss ${first.toFixed(3)} → ${last.toFixed(3)}, ${right}/20 held-out reversed`);
  trainer.dispose();
  model.dispose();
});

test('gradient accumulation over micro-batches equals one big batch', () => {
  const c = makeConfig({ vocab: 11, dim: 32, layers: 1, heads: 2, ffn: 48 });
  const rng = new Rng(3);
  const a = reverseBatch(4, rng), b = reverseBatch(4, rng);
  b.targets = Int32Array.from(b.targets as Int32Array, (t, i) => (i % 3 === 0 ? -1 : t)); // unequal token counts
  const whole: LmBatch = {
    B: 8, T: a.T, ids: Int32Array.from([...Array.from(a.ids), ...Array.from(b.ids)]),
    targets: Int32Array.from([...Array.from(a.targets), ...Array.from(b.targets)]),
  };
  const m1 = LlamaModel.random(c, 4), m2 = LlamaModel.random(c, 4);
  const t1 = new Trainer(m1, { schedule }), t2 = new Trainer(m2, { schedule });
  const r1 = t1.trainStep([a, b]), r2 = t2.trainStep([whole]);
  assert.ok(Math.abs(r1.loss - r2.loss) < 1e-5);
  assert.ok(Math.abs(r1.gradNorm - r2.gradNorm) < 1e-4 * r2.gradNorm);
  const p1 = f32(m1.params, m1.layout.total), p2 = f32(m2.params, m2.layout.total);
  let d = 0;
  for (let i = 0; i < p1.length; i++) d = Math.max(d, Math.abs(p1[i] - p2[i]));
  assert.ok(d < 1e-5, `parameters differ by ${d}`);
  for (const x of [t1, t2, m1, m2]) x.dispose();
});

test('AdamW decays matrices but not norm weights; clipping scales the gradient to the limit', () => {
  const c = makeConfig({ vocab: 11, dim: 16, layers: 1, heads: 2, ffn: 24 });
  const m = LlamaModel.random(c, 5);
  const t = new Trainer(m, { schedule: { ...schedule, warmupSteps: 0, kind: 'constant', peakLr: 0.1 }, adamw: { weightDecay: 0.5 }, gradClip: 1 });
  const q0 = m.view('model.layers.0.self_attn.q_proj.weight').slice();
  const n0 = m.view('model.norm.weight').slice();
  t.customStep(() => 0); // zero gradient: only the decay acts
  const q1 = m.view('model.layers.0.self_attn.q_proj.weight');
  for (let i = 0; i < q0.length; i++) assert.ok(Math.abs(q1[i] - q0[i] * (1 - 0.1 * 0.5)) < 1e-7);
  assert.deepEqual(m.view('model.norm.weight'), n0);
  const r = t.customStep(() => {
    m.view('model.norm.weight', true).fill(3); // ‖g‖ = 3·√16 = 12
    return 1;
  });
  assert.ok(Math.abs(r.gradNorm - 12) < 1e-5);
  const g = m.view('model.norm.weight', true);
  assert.ok(Math.abs(Math.hypot(...g) - 1) < 1e-4, 'clipped to norm 1');
  t.dispose();
  m.dispose();
});

test('a NaN loss stops training with the step named and the parameters untouched', () => {
  const c = makeConfig({ vocab: 11, dim: 16, layers: 1, heads: 2, ffn: 24 });
  const m = LlamaModel.random(c, 6);
  const t = new Trainer(m, { schedule });
  const rng = new Rng(7);
  t.trainStep([reverseBatch(2, rng)]);
  t.trainStep([reverseBatch(2, rng)]);
  m.view('model.norm.weight')[0] = NaN;
  const before = f32(m.params, m.layout.total).slice();
  assert.throws(() => t.trainStep([reverseBatch(2, rng)]), (e: unknown) => {
    assert.ok(e instanceof TrainingDivergedError);
    assert.match((e as Error).message, /training diverged at step 2: loss is NaN/);
    return true;
  });
  assert.deepEqual(f32(m.params, m.layout.total), before);
  // A loss that is finite but has non-finite gradients is caught too.
  m.view('model.norm.weight')[0] = 1;
  assert.throws(() => t.customStep(() => { m.view('model.norm.weight', true)[1] = Infinity; return 1; }), /step 2: gradient norm is Infinity/);
  assert.throws(() => t.trainStep([{ ...reverseBatch(1, rng), targets: new Int32Array(10).fill(-1) }]), /no token in the batch has a loss weight/);
  assert.ok(lmLoss(m, reverseBatch(1, rng)).loss > 0);
  t.dispose();
  m.dispose();
});

test('a kernel failing in a worker thread during the passes is retried; the update then equals a clean one', () => {
  const c = makeConfig({ vocab: 11, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 16 });
  const batch = reverseBatch(4, new Rng(5));
  const run = (failures: number) => {
    const model = LlamaModel.random(c, 3);
    const trainer = new Trainer(model, { schedule });
    let calls = 0;
    const r = trainer.customStep(() => {
      if (calls++ < failures) {
        lmLoss(model, batch, { grad: true }); // gradients half written when the failure comes
        throw new WorkerKernelError('matmul_nn');
      }
      return lmLoss(model, batch, { grad: true }).loss;
    });
    const weights = Array.from(f32(model.params, model.layout.total));
    trainer.dispose();
    model.dispose();
    return { r, weights, calls };
  };
  const clean = run(0), retried = run(2);
  assert.equal(retried.calls, 3);
  assert.equal(retried.r.loss, clean.r.loss);
  assert.deepEqual(retried.weights, clean.weights);
  assert.throws(() => run(3), WorkerKernelError, 'three failures in a row give up');
});
