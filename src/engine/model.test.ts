// Finite-difference checks of the whole model's backward pass (every layer, through every head).
//
// Tolerance argument: everything runs in float32, so a loss L ≈ 2–3 carries a rounding error of a
// few ulps, ≈ 5e-7, per evaluation. The numerical gradient is a Richardson extrapolation of central
// differences, D = (4·D(h/2) − D(h)) / 3 with h = 2e-2: it cancels the h² truncation term (which
// alone reached 9e-4 at h = 1e-2 on a norm weight with a large third derivative), leaving
// O(h⁴) ≲ 2e-5, while the rounding noise, ≈ 5e-7·√2 / h per difference for objectives of size
// 2–10, becomes ≈ (4·7e-5 + 3.5e-5)/3 ≈ 1e-4 at worst. Gradients here are 1e-3 … 1e-1,
// so an absolute slack of 2e-4 plus 2% relative catches any real mistake (a wrong transpose, a
// missing term or a wrong scale is off by O(1) relative) without tripping on float32 noise. The
// aggregate check ‖num − ana‖ / ‖num + ana‖ < 1e-2 guards the overall picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine, poolThreads, setActiveThreads } from './ops.ts';
import { f32 } from './memory.ts';
import { makeConfig, type LlamaConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { lmLoss, tokenLogprobs, tokenLogprobsBackward, score, scoreBackward, tokenScores } from './heads.ts';
import { Rng } from './sampling.ts';

before(() => initEngine());
after(() => shutdownEngine());

function tinyModel(c: LlamaConfig, seed: number, scalarHead = false): LlamaModel {
  const m = new LlamaModel(c, { scalarHead });
  const rng = new Rng(seed);
  // Larger weights than a real init so every path carries signal the check can see.
  for (const p of m.layout.list) {
    const v = m.view(p.name);
    for (let i = 0; i < v.length; i++) v[i] = p.shape.length === 1 ? 1 + 0.2 * rng.normal() : 0.35 * rng.normal();
  }
  m.enableGrads();
  return m;
}

function randomIds(n: number, V: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * V));
}

/** Compares model gradients with central differences of `loss` on a few entries of every tensor. */
function gradCheck(m: LlamaModel, loss: () => number, backward: () => void, seed: number): void {
  m.zeroGrads();
  backward();
  const rng = new Rng(seed);
  const h = 2e-2;
  let diff2 = 0, sum2 = 0;
  for (const p of m.layout.list) {
    const ana = m.view(p.name, true).slice();
    const picks = new Set<number>();
    while (picks.size < Math.min(5, p.size)) picks.add(Math.floor(rng.next() * p.size));
    for (const i of picks) {
      const central = (step: number) => {
        const x0 = m.view(p.name)[i];
        m.view(p.name)[i] = x0 + step;
        const up = loss();
        m.view(p.name)[i] = x0 - step;
        const down = loss();
        m.view(p.name)[i] = x0;
        return (up - down) / (2 * step);
      };
      const num = (4 * central(h / 2) - central(h)) / 3;
      const a = ana[i];
      assert.ok(Math.abs(num - a) <= 2e-4 + 0.02 * Math.abs(a), `${p.name}[${i}]: numerical ${num} vs analytic ${a}`);
      diff2 += (num - a) ** 2;
      sum2 += (num + a) ** 2;
    }
  }
  assert.ok(Math.sqrt(diff2 / sum2) < 1e-2, `relative gradient error ${Math.sqrt(diff2 / sum2)}`);
}

const shapes: Array<[string, LlamaConfig]> = [
  ['untied MHA', makeConfig({ vocab: 13, dim: 16, layers: 2, heads: 2, ffn: 24 })],
  ['tied', makeConfig({ vocab: 13, dim: 16, layers: 2, heads: 2, ffn: 24, tied: true })],
  ['GQA 4 over 2', makeConfig({ vocab: 13, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 40 })],
];

for (const [name, c] of shapes) {
  test(`LM loss gradients match finite differences (${name})`, () => {
    const m = tinyModel(c, 1);
    const rng = new Rng(2);
    const B = 2, T = 5;
    const ids = randomIds(B * T, c.vocabSize, rng);
    const targets = randomIds(B * T, c.vocabSize, rng);
    targets[3] = -1; // ignored positions
    targets[6] = -100; // (HF's convention)
    const batch = { B, T, ids, targets };
    gradCheck(m, () => lmLoss(m, batch).loss, () => lmLoss(m, batch, { grad: true }), 3);
    m.dispose();
  });
}

test('masked (weighted) LM loss: value and gradients', () => {
  const c = shapes[2][1];
  const m = tinyModel(c, 4);
  const rng = new Rng(5);
  const B = 2, T = 4;
  const ids = randomIds(B * T, c.vocabSize, rng), targets = randomIds(B * T, c.vocabSize, rng);
  const weights = Float32Array.from([0, 0, 1, 1, 0.5, 1, 0, 2]);
  const batch = { B, T, ids, targets, weights };
  // The weighted mean equals Σ w·CE / Σ w with CE from the unweighted per-token losses.
  const perToken = Array.from({ length: B * T }, (_, i) => {
    const t = Int32Array.from(targets).fill(-1);
    t[i] = targets[i];
    return lmLoss(m, { B, T, ids, targets: t }).loss;
  });
  const expect = perToken.reduce((s, l, i) => s + l * weights[i], 0) / weights.reduce((s, w) => s + w, 0);
  assert.ok(Math.abs(lmLoss(m, batch).loss - expect) < 1e-5);
  gradCheck(m, () => lmLoss(m, batch).loss, () => lmLoss(m, batch, { grad: true }), 6);
  m.dispose();
});

test('token log-prob gradients at a temperature match finite differences', () => {
  const c = shapes[2][1];
  const m = tinyModel(c, 7);
  const rng = new Rng(8);
  const B = 2, T = 4;
  const ids = randomIds(B * T, c.vocabSize, rng), targets = randomIds(B * T, c.vocabSize, rng);
  targets[7] = -1;
  const coef = Float32Array.from({ length: B * T }, () => rng.normal());
  const objective = () => tokenLogprobs(m, { B, T, ids, targets }, 0.7).logprobs.reduce((s, lp, i) => s + coef[i] * lp, 0);
  gradCheck(m, objective, () => {
    objective();
    tokenLogprobsBackward(m, coef);
  }, 9);
  m.dispose();
});

test('scalar head gradients match finite differences (sequences of different lengths)', () => {
  for (const [, c] of [shapes[1], shapes[2]]) {
    const m = tinyModel(c, 10, true);
    const rng = new Rng(11);
    const B = 3, T = 4;
    const ids = randomIds(B * T, c.vocabSize, rng);
    const last = [3, 1, 2];
    const coef = [0.7, -1.3, 0.4];
    m.view('score.bias')[0] = 0.3;
    const objective = () => score(m, { B, T, ids }, last).reduce((s, v, b) => s + coef[b] * v, 0);
    gradCheck(m, objective, () => {
      objective();
      scoreBackward(m, coef);
    }, 12);
    // Per-token values (every position) through the same head.
    const coefAll = Array.from({ length: B * T }, () => rng.normal());
    const valuesObjective = () => tokenScores(m, { B, T, ids }).reduce((s, v, r) => s + coefAll[r] * v, 0);
    gradCheck(m, valuesObjective, () => {
      valuesObjective();
      scoreBackward(m, coefAll);
    }, 13);
    assert.equal(tokenScores(m, { B, T, ids })[1 * T + last[1]], score(m, { B, T, ids }, last)[1]);
    // Padding after a sequence's last token does not change its score (causal attention).
    const before = score(m, { B, T, ids }, last)[1];
    ids[1 * T + 3] = (ids[1 * T + 3] + 1) % c.vocabSize;
    assert.equal(score(m, { B, T, ids }, last)[1], before);
    m.dispose();
  }
});

test('bad input gives clear errors', () => {
  const c = shapes[0][1];
  const m = tinyModel(c, 1);
  assert.throws(() => m.forward([1, 2, 13], 1, 3), /id 13 at position 2 is outside the vocabulary \(size 13\)/);
  assert.throws(() => m.forward([1, 2, 3], 2, 2), /expected B·T = 2·2 = 4 ids, got 3/);
  assert.throws(() => lmLoss(m, { B: 1, T: 2, ids: [1, 2], targets: [1] }), /targets: expected 2 entries, got 1/);
  assert.throws(() => lmLoss(m, { B: 1, T: 2, ids: [1, 2], targets: [1, 99] }), /targets: id 99 at position 1/);
  assert.throws(() => lmLoss(m, { B: 1, T: 2, ids: [1, 2], targets: [1, 2], weights: [1, NaN] }), /weights: entry 1 is NaN/);
  const s = tinyModel(c, 1, true);
  assert.throws(() => score(s, { B: 1, T: 2, ids: [1, 2] }, [2]), /lastIndex: entry 0 is 2, must be in 0..1/);
  s.enableGrads();
  score(s, { B: 1, T: 2, ids: [1, 2] }, [1]);
  s.forward([3, 4], 1, 2);
  assert.throws(() => scoreBackward(s, [1]), /another forward pass ran since/);
  tokenLogprobs(m, { B: 1, T: 2, ids: [1, 2], targets: [2, 3] });
  m.forward([3, 4], 1, 2);
  assert.throws(() => tokenLogprobsBackward(m, [1, 1]), /another forward pass ran since/);
  const tensors = m.toTensors();
  const q = tensors.get('model.layers.1.self_attn.q_proj.weight')!;
  tensors.set('model.layers.1.self_attn.q_proj.weight', { shape: [q.shape[0], q.shape[1] - 1], data: q.data });
  assert.throws(() => LlamaModel.fromTensors(c, tensors, {}, 'ck'), /ck: tensor "model.layers.1.self_attn.q_proj.weight" has shape \[16,15\], expected \[16,16\]/);
  tensors.delete('model.norm.weight');
  tensors.set('model.layers.1.self_attn.q_proj.weight', q);
  assert.throws(() => LlamaModel.fromTensors(c, tensors, {}, 'ck'), /ck: missing tensor "model.norm.weight"/);
  m.dispose();
  s.dispose();
});

test('loss and every gradient are bit-identical on 1 thread and on all threads', () => {
  const c = makeConfig({ vocab: 50, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96 });
  const m = tinyModel(c, 13);
  const rng = new Rng(14);
  const B = 4, T = 16;
  const batch = { B, T, ids: randomIds(B * T, c.vocabSize, rng), targets: randomIds(B * T, c.vocabSize, rng) };
  const run = (threads: number) => {
    setActiveThreads(threads);
    m.zeroGrads();
    const { loss } = lmLoss(m, batch, { grad: true });
    return { loss, grads: f32(m.grads, m.layout.total).slice() };
  };
  try {
    const one = run(1), all = run(poolThreads());
    assert.equal(one.loss, all.loss);
    assert.deepEqual(one.grads, all.grads);
  } finally {
    setActiveThreads(poolThreads());
    m.dispose();
  }
});
