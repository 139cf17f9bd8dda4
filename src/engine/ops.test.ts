// Forward ops against independent float64 references (reference.ts). Inputs are float32 values, so the
// reference sees exactly what the kernel sees; tolerances bound the kernel's float32 rounding (u = 2⁻²⁴).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from './ops.ts';
import { alloc, f32 } from './memory.ts';
import { rng, randn, put, putI32, get, close, maxAbs, U } from './test-helpers.ts';
import { refMatmul, refRmsnorm, refRope, refAttention, refSilu, refCrossEntropy } from './reference.ts';

before(async () => { await ops.initEngine({ threads: 2 }); });

const r = rng(1234);

test('matmulNT, matmulNN, matmulTN match float64 on odd, tiny, M=1..8 and larger shapes, overwrite and acc', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [1, 7, 5], [2, 33, 17], [3, 64, 9], [5, 19, 40], [8, 100, 31], [9, 13, 11], [17, 70, 23], [37, 129, 45], [64, 96, 130],
    [121, 257, 1025], // one past each gemm block size: MC = 120 rows, KC = 256, NC = 1024 columns
  ];
  for (const layout of ['NT', 'NN', 'TN'] as const) {
    for (const [M, K, N] of shapes) {
      const a = randn(r, M * K), b = randn(r, K * N), c0 = randn(r, M * N);
      const { out: ref, mag } = refMatmul(a, b, M, K, N, layout);
      const pa = put(a), pb = put(b), po = put(c0);
      const f = layout === 'NT' ? ops.matmulNT : layout === 'NN' ? ops.matmulNN : ops.matmulTN;
      // Recursive float32 summation of K products errs by at most γ_K·Σ|a||b| with γ_K ≈ K·u (Higham 3.1);
      // accumulating into out adds one more rounding of |out|.
      f(po, pa, pb, M, K, N, false);
      close(`${layout} ${M}x${K}x${N}`, get(po, M * N), ref, Array.from(mag, (g) => (K + 1) * U * g + 1e-30));
      f32(po, M * N).set(c0);
      f(po, pa, pb, M, K, N, true);
      close(`${layout} acc ${M}x${K}x${N}`, get(po, M * N), Array.from(ref, (x, i) => x + c0[i]),
        Array.from(mag, (g, i) => (K + 2) * U * (g + Math.abs(c0[i])) + 1e-30));
    }
  }
});

test('rmsnormForward matches float64 and saves rstd', () => {
  for (const [rows, dim] of [[1, 1], [3, 7], [5, 64], [4, 131]]) {
    const x = randn(r, rows * dim, 2), w = randn(r, dim);
    const ref = refRmsnorm(x, w, rows, dim, 1e-5);
    const po = alloc(rows * dim), pr = alloc(rows);
    ops.rmsnormForward(po, pr, put(x), put(w), rows, dim, 1e-5);
    // Σx² carries ≤ dim·u relative error, sqrt and the products a few u more.
    close('rstd', get(pr, rows), ref.rstd, Array.from(ref.rstd, (v) => (dim + 8) * U * v));
    close('out', get(po, rows * dim), ref.out, Array.from(ref.out, (v) => (dim + 8) * U * Math.abs(v) + 1e-30));
  }
});

test('ropeForward matches HF rotate_half with theta, and ropeBackward undoes it', () => {
  const rows = 6, nHeads = 3, hd = 10, theta = 10000;
  const x = randn(r, rows * nHeads * hd);
  const pos = [0, 1, 2, 17, 300, 63]; // 300 > 256 makes the cos/sin table grow
  const px = put(x);
  ops.ropeForward(px, putI32(pos), rows, nHeads, hd, theta);
  const ref = refRope(x, pos, rows, nHeads, hd, theta);
  // The angle pos·θ^(−2i/d) is formed in float32 as PyTorch does: ≤ 2u·|angle| ≤ 2u·300 rad of angle error.
  close('rope', get(px, x.length), ref, 2 * (2 * U * 301 + 4 * U) * maxAbs(x));
  ops.ropeBackward(px, putI32(pos), rows, nHeads, hd, theta);
  close('rope⁻¹', get(px, x.length), x, 16 * U * maxAbs(x));
});

test('attentionForward (causal, GQA) matches float64 scores, softmax and output', () => {
  for (const [B, T, H, KVH, hd] of [[1, 1, 1, 1, 4], [2, 7, 4, 2, 6], [1, 12, 4, 1, 8], [2, 5, 3, 3, 16], [1, 9, 2, 1, 22]]) {
    const q = randn(r, B * T * H * hd), k = randn(r, B * T * KVH * hd), v = randn(r, B * T * KVH * hd);
    const ref = refAttention(q, k, v, B, T, H, KVH, hd);
    const po = alloc(B * T * H * hd), pa = alloc(B * H * T * T);
    f32(pa, B * H * T * T).fill(NaN); // the kernel must write every entry, zeros above the diagonal
    ops.attentionForward(po, pa, put(q), put(k), put(v), B, T, H, KVH, hd);
    // Scores are hd-term dots of values ≤ 1 (error ≤ hd·u·hd); softmax and the T-term weighted sum add ≈ (T + 10)·u.
    const tol = (hd * hd + T + 16) * U;
    close('att', get(pa, B * H * T * T), ref.att, tol);
    close('out', get(po, B * T * H * hd), ref.out, tol * maxAbs(v));
  }
});

test('attentionDecode over a KV cache equals the last row of full attention, per slot', () => {
  const S = 3, H = 4, KVH = 2, hd = 8, maxT = 9, slotsN = 4;
  const lens = [5, 1, 9], slots = [2, 0, 3];
  const kc = randn(r, slotsN * maxT * KVH * hd), vc = randn(r, slotsN * maxT * KVH * hd), q = randn(r, S * H * hd);
  const po = alloc(S * H * hd);
  ops.attentionDecode(po, put(q), put(kc), put(vc), putI32(slots), putI32(lens), S, H, KVH, hd, maxT);
  const got = get(po, S * H * hd);
  for (let s = 0; s < S; s++) {
    const T = lens[s];
    // Full attention over the cache rows with this query at the last position.
    const kk = kc.slice(slots[s] * maxT * KVH * hd, (slots[s] * maxT + T) * KVH * hd);
    const vv = vc.slice(slots[s] * maxT * KVH * hd, (slots[s] * maxT + T) * KVH * hd);
    const qq = new Float64Array(T * H * hd);
    qq.set(q.slice(s * H * hd, (s + 1) * H * hd), (T - 1) * H * hd);
    const ref = refAttention(qq, kk, vv, 1, T, H, KVH, hd).out.slice((T - 1) * H * hd);
    close(`decode seq ${s}`, got.slice(s * H * hd, (s + 1) * H * hd), ref, (hd * hd + T + 16) * U);
  }
});

test('swigluForward matches silu(g)·u', () => {
  const n = 1037;
  const g = randn(r, n, 6), u = randn(r, n);
  const ph = alloc(n);
  ops.swigluForward(ph, put(g), put(u), n);
  // exp is within 2 ulp; the divide and two products add a few u.
  close('swiglu', get(ph, n), Array.from(g, (gi, i) => refSilu(gi) * u[i]), Array.from(g, (gi, i) => 12 * U * Math.abs(gi * u[i]) + 1e-30));
});

test('crossEntropy: loss and softmax−onehot gradient (weighted, in place, ignored targets, huge logits)', () => {
  const rows = 6, V = 53;
  const logits = randn(r, rows * V, 8);
  logits[2 * V + 5] = 1e4; // a dominant logit must not overflow: max is subtracted first
  const targets = [3, 0, 5, -1, 52, 17], weights = [1, 0.5, 2, 1, 0, 1];
  const { loss, probs } = refCrossEntropy(logits, targets, rows, V);
  const pl = put(logits), pt = putI32(targets), ploss = alloc(rows), pd = alloc(rows * V);
  ops.crossEntropy(ploss, pd, pl, pt, put(weights), rows, V);
  // log-sum-exp is accumulated in float64 from float32 exps (2 ulp each): loss errs by a few u·(1 + |lse|).
  close('loss', get(ploss, rows), loss, Array.from(loss, (l) => 8 * U * (1 + Math.abs(l))));
  const wantGrad = new Float64Array(rows * V);
  for (let i = 0; i < rows; i++) for (let j = 0; j < V; j++) {
    if (targets[i] < 0) continue;
    wantGrad[i * V + j] = (probs[i * V + j] - (j === targets[i] ? 1 : 0)) * weights[i];
  }
  // p = exp(float32(z − lse)): the rounded exponent errs by u·|z − lse| ≤ 64u here, the exp by 2 ulp.
  close('dlogits', get(pd, rows * V), wantGrad, 80 * U);
  // In place: dlogits = logits.
  ops.crossEntropy(ploss, pl, pl, pt, 0, rows, V);
  const unweighted = Array.from(probs, (p, i) => {
    const row = Math.floor(i / V);
    return targets[row] < 0 ? 0 : p - (i % V === targets[row] ? 1 : 0);
  });
  close('in place', get(pl, rows * V), unweighted, 80 * U);
  // Without a gradient buffer only the loss is written.
  ops.crossEntropy(ploss, 0, put(logits), pt, 0, rows, V);
  close('loss only', get(ploss, rows), loss, Array.from(loss, (l) => 8 * U * (1 + Math.abs(l))));
});

test('logprobs with temperature and entropy', () => {
  const rows = 4, V = 37, invTemp = 1 / 0.7;
  const logits = randn(r, rows * V, 5);
  const targets = [1, 36, -1, 0];
  const scaled = Array.from(logits, (z) => Math.fround(z * invTemp)); // the kernel scales in float32 first
  const { loss, probs } = refCrossEntropy(scaled, targets, rows, V);
  const po = alloc(rows), pe = alloc(rows);
  ops.logprobs(po, pe, put(logits), putI32(targets), rows, V, invTemp);
  close('logprobs', get(po, rows), Array.from(loss, (l) => -l), 8 * U * 16);
  const ent = Array.from({ length: rows }, (_, i) => {
    let h = 0;
    for (let j = 0; j < V; j++) { const p = probs[i * V + j]; if (p > 0) h -= p * Math.log(p); }
    return h;
  });
  close('entropy', get(pe, rows), ent, 8 * U * 16);
});

test('embeddingForward gathers and embeddingBackward scatter-adds repeated ids', () => {
  const vocab = 11, dim = 13, n = 9;
  const table = randn(r, vocab * dim), ids = [3, 0, 3, 10, 7, 3, 0, 1, 10];
  const po = alloc(n * dim);
  ops.embeddingForward(po, put(table), putI32(ids), n, dim);
  const want = new Float64Array(n * dim);
  ids.forEach((id, i) => want.set(table.slice(id * dim, (id + 1) * dim), i * dim));
  assert.deepEqual(get(po, n * dim), want);
  const dout = randn(r, n * dim), d0 = randn(r, vocab * dim);
  const pd = put(d0);
  ops.embeddingBackward(pd, put(dout), putI32(ids), n, dim);
  const ref = Float64Array.from(d0), mag = Float64Array.from(d0, Math.abs);
  ids.forEach((id, i) => { for (let j = 0; j < dim; j++) { ref[id * dim + j] += dout[i * dim + j]; mag[id * dim + j] += Math.abs(dout[i * dim + j]); } });
  close('dtable', get(pd, vocab * dim), ref, Array.from(mag, (m) => 4 * U * m)); // ≤ 3 additions per row here
});

test('elementwise ops are exact float32 arithmetic', () => {
  const n = 1003;
  const a = randn(r, n), b = randn(r, n);
  const pa = put(a), pb = put(b), po = alloc(n);
  ops.add(po, pa, pb, n);
  assert.deepEqual(get(po, n), Float64Array.from(a, (x, i) => Math.fround(x + b[i])));
  ops.copy(po, pa, n);
  ops.addTo(po, pb, n);
  assert.deepEqual(get(po, n), Float64Array.from(a, (x, i) => Math.fround(x + b[i])));
  ops.scale(po, 0.3, n);
  assert.deepEqual(get(po, n), Float64Array.from(a, (x, i) => Math.fround(Math.fround(x + b[i]) * Math.fround(0.3))));
  ops.fill(po, 2.5, n);
  assert.deepEqual(get(po, n), new Float64Array(n).fill(2.5));
  ops.copy(po, pa, n);
  assert.deepEqual(get(po, n), a);
});

test('adamw matches the PyTorch AdamW update over several steps', () => {
  const n = 77, lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
  const p = randn(r, n), pp = put(p), pm = put(new Float64Array(n)), pv = put(new Float64Array(n));
  const m = new Float64Array(n), v = new Float64Array(n);
  for (let step = 1; step <= 3; step++) {
    const g = randn(r, n);
    ops.adamw(pp, put(g), pm, pv, n, lr, b1, b2, eps, wd, step);
    for (let i = 0; i < n; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (lr * m[i] / (1 - b1 ** step)) / (Math.sqrt(v[i] / (1 - b2 ** step)) + eps);
    }
  }
  // Each step moves p by ≤ lr; float32 rounding of the update is ~10u relative to lr, of p ~u·|p|.
  close('p', get(pp, n), p, 3 * (10 * U * lr) + 4 * U * maxAbs(p));
  close('m', get(pm, n), m, 10 * U * maxAbs(m));
  close('v', get(pv, n), v, 10 * U * maxAbs(v));
});

test('sumSquares is the float64 sum of float32 squares', () => {
  for (const n of [1, 5, 4096, 4097, 20000]) {
    const x = randn(r, n, 3);
    let want = 0;
    for (const xi of x) want += xi * xi;
    // Squares of float32 values are exact in float64; only the float64 additions round.
    assert.ok(Math.abs(ops.sumSquares(put(x), n) - want) <= 1e-12 * want, `n=${n}`);
  }
});

test('SIMD bodies and scalar tails compute the same bits (5 equal inputs: 4 in a vector, 1 in the tail)', () => {
  for (const val of [0.3, -2.7, 11.5]) {
    const same = (p: number) => { const v = f32(p, 5); assert.ok(v.every((x) => Object.is(x, v[0])), `${Array.from(v)}`); };
    const g = put(new Float64Array(5).fill(val)), u = put(new Float64Array(5).fill(0.7)), h = alloc(5), d = alloc(5);
    ops.swigluForward(h, g, u, 5); same(h);
    ops.swigluBackward(h, d, u, g, u, 5); same(h); same(d);
    const p = put(new Float64Array(5).fill(0.1)), m = put(new Float64Array(5).fill(0.01)), v = put(new Float64Array(5).fill(0.02));
    ops.adamw(p, g, m, v, 5, 1e-3, 0.9, 0.95, 1e-8, 0.1, 3); same(p); same(m); same(v);
    const logits = put(new Float64Array(10).fill(val)), loss = alloc(2), dl = alloc(10);
    ops.crossEntropy(loss, dl, logits, putI32([-1, -1]), 0, 1, 5); // target ignored: all-zero row
    ops.logprobs(loss, d, logits, putI32([0, 0]), 2, 5, 1);
    ops.crossEntropy(loss, dl, logits, putI32([0]), 0, 1, 5);
    const row = f32(dl, 5); // softmax of equal logits: 4 SIMD lanes and 1 tail element, all p = 0.2 (minus 1 at the target)
    assert.ok(row.slice(1).every((x) => Object.is(x, row[1])), `${Array.from(row)}`);
  }
});
