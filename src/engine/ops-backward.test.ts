// Backward ops against central differences of the float64 reference forward (reference.ts). For a random
// projection L = Σ forward(x)·R, the kernel's backward fed R must equal ∂L/∂x. The float64 differences are
// accurate to ~1e-9 (h = 1e-5, O(h²) truncation, 1e-16/h roundoff); the float32 backward carries a few
// hundred roundings of unit size at most, so 3e-5 of the gradient's scale bounds the disagreement.
import { test, before } from 'node:test';
import * as ops from './ops.ts';
import { alloc } from './memory.ts';
import { rng, randn, put, putI32, get, close, maxAbs } from './test-helpers.ts';
import { refMatmul, refRmsnorm, refRope, refAttention, refSilu, refCrossEntropy, numericGrad, dotAll } from './reference.ts';

before(async () => { await ops.initEngine({ threads: 2 }); });
const r = rng(99);
const TOL = 3e-5;

function check(what: string, got: Float64Array, want: Float64Array): void {
  close(what, got, want, TOL * Math.max(1, maxAbs(want)));
}

test('matmulNN and matmulTN are the gradients of matmulNT', () => {
  const M = 5, K = 9, N = 7;
  const a = randn(r, M * K), b = randn(r, N * K), R = randn(r, M * N);
  const da = alloc(M * K), db = alloc(N * K);
  ops.matmulNN(da, put(R), put(b), M, N, K); // dA[M,K] = R[M,N] · B[N,K]
  ops.matmulTN(db, put(R), put(a), N, M, K); // dB[N,K] = Rᵀ · A, R read as [K'=M, M'=N]
  check('dA', get(da, M * K), numericGrad((x) => dotAll(refMatmul(x, b, M, K, N, 'NT').out, R), a));
  check('dB', get(db, N * K), numericGrad((x) => dotAll(refMatmul(a, x, M, K, N, 'NT').out, R), b));
});

test('rmsnormBackward: dx and dw accumulate the gradient of the forward', () => {
  const rows = 4, dim = 11, eps = 1e-5;
  const x = randn(r, rows * dim, 2), w = randn(r, dim), R = randn(r, rows * dim);
  const px = put(x), pw = put(w), pr = alloc(rows), po = alloc(rows * dim);
  ops.rmsnormForward(po, pr, px, pw, rows, dim, eps);
  const dx0 = randn(r, rows * dim), dw0 = randn(r, dim);
  const pdx = put(dx0), pdw = put(dw0);
  ops.rmsnormBackward(pdx, pdw, put(R), px, pw, pr, rows, dim);
  const gx = numericGrad((v) => dotAll(refRmsnorm(v, w, rows, dim, eps).out, R), x);
  const gw = numericGrad((v) => dotAll(refRmsnorm(x, v, rows, dim, eps).out, R), w);
  check('dx', Float64Array.from(get(pdx, rows * dim), (g, i) => g - dx0[i]), gx);
  check('dw', Float64Array.from(get(pdw, dim), (g, i) => g - dw0[i]), gw);
});

test('ropeBackward is the gradient of ropeForward', () => {
  const rows = 3, nHeads = 2, hd = 6, theta = 500;
  const pos = [0, 5, 9];
  const x = randn(r, rows * nHeads * hd), R = randn(r, x.length);
  const pR = put(R);
  ops.ropeBackward(pR, putI32(pos), rows, nHeads, hd, theta);
  check('dx', get(pR, x.length), numericGrad((v) => dotAll(refRope(v, pos, rows, nHeads, hd, theta), R), x));
});

test('attentionBackward gives dq, dk, dv of the causal GQA forward', () => {
  for (const [B, T, H, KVH, hd] of [[2, 5, 4, 2, 6], [1, 4, 2, 1, 8], [1, 3, 2, 2, 4], [1, 6, 2, 1, 22]]) {
    const q = randn(r, B * T * H * hd), k = randn(r, B * T * KVH * hd), v = randn(r, B * T * KVH * hd);
    const R = randn(r, q.length);
    const pq = put(q), pk = put(k), pv = put(v), pa = alloc(B * H * T * T), po = alloc(q.length);
    ops.attentionForward(po, pa, pq, pk, pv, B, T, H, KVH, hd);
    const dq = put(randn(r, q.length)), dk = put(randn(r, k.length)), dv = put(randn(r, v.length)); // overwritten
    ops.attentionBackward(dq, dk, dv, put(R), pa, pq, pk, pv, B, T, H, KVH, hd);
    const L = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => dotAll(refAttention(qq, kk, vv, B, T, H, KVH, hd).out, R);
    check('dq', get(dq, q.length), numericGrad((x) => L(x, k, v), q));
    check('dk', get(dk, k.length), numericGrad((x) => L(q, x, v), k));
    check('dv', get(dv, v.length), numericGrad((x) => L(q, k, x), v));
  }
});

test('swigluBackward gives dg and du of silu(g)·u', () => {
  const n = 37;
  const g = randn(r, n, 5), u = randn(r, n), R = randn(r, n);
  const pdg = alloc(n), pdu = alloc(n);
  ops.swigluBackward(pdg, pdu, put(R), put(g), put(u), n);
  const fwd = (gg: Float64Array, uu: Float64Array) => dotAll(Array.from(gg, (x, i) => refSilu(x) * uu[i]), R);
  check('dg', get(pdg, n), numericGrad((x) => fwd(x, u), g));
  check('du', get(pdu, n), numericGrad((x) => fwd(g, x), u));
});

test('crossEntropy dlogits is the gradient of Σ weight·loss', () => {
  const rows = 4, V = 9;
  const logits = randn(r, rows * V, 3), targets = [2, -1, 8, 0], weights = [1, 1, 0.25, 3];
  const pd = alloc(rows * V), ploss = alloc(rows);
  ops.crossEntropy(ploss, pd, put(logits), putI32(targets), put(weights), rows, V);
  const g = numericGrad((x) => dotAll(refCrossEntropy(x, targets, rows, V).loss, weights), logits);
  check('dlogits', get(pd, rows * V), g);
});

test('embeddingBackward is the gradient of embeddingForward', () => {
  const vocab = 6, dim = 5, ids = [1, 4, 1, 0, 1];
  const table = randn(r, vocab * dim), R = randn(r, ids.length * dim);
  const pd = put(new Float64Array(vocab * dim));
  ops.embeddingBackward(pd, put(R), putI32(ids), ids.length, dim);
  const gather = (t: Float64Array) => dotAll(ids.flatMap((id) => Array.from(t.slice(id * dim, (id + 1) * dim))), R);
  check('dtable', get(pd, vocab * dim), numericGrad(gather, table));
});
