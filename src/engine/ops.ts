// The typed ops the model calls (see README.md, "Ops"). Each checks its pointers and sizes cheaply, then
// dispatches one kernel over the pool. Pointers are byte offsets into the shared memory; data float32 unless
// noted i32. Shapes are [rows, cols], row-major.
import { alloc, f32, free, i32, memoryBytes, RESERVED_BYTES } from './memory.ts';
import { run, SCRATCH_BYTES } from './pool.ts';

export { initEngine, shutdownEngine, poolThreads, setActiveThreads, parallelCallCount } from './pool.ts';

function fail(op: string, msg: string): never {
  throw new RangeError(`${op}: ${msg}`);
}

function size(op: string, name: string, v: number, min = 0): void {
  if (!Number.isInteger(v) || v < min || v > 0x7fffffff) fail(op, `${name} must be an integer ≥ ${min}, got ${v}`);
}

/** ptr must address n 4-byte elements inside the engine memory, past the reserved area. */
function span(op: string, name: string, ptr: number, n: number): void {
  if (!Number.isInteger(ptr) || ptr % 4 !== 0 || ptr < RESERVED_BYTES) {
    fail(op, `${name} must be a 4-byte aligned pointer from alloc(), got ${ptr}`);
  }
  if (ptr + n * 4 > memoryBytes()) {
    fail(op, `${name} (${n} elements at ${ptr}) runs past the end of engine memory (${memoryBytes()} bytes)`);
  }
}

/** An optional pointer: 0 means absent. */
function optSpan(op: string, name: string, ptr: number, n: number): void {
  if (ptr !== 0) span(op, name, ptr, n);
}

function finite(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) fail(op, `${name} must be a finite number, got ${v}`);
}

// ---- matrix products -------------------------------------------------------------------------------------

function matmul(op: string, kernel: string, out: number, a: number, b: number, M: number, K: number, N: number, acc: boolean): void {
  size(op, 'M', M); size(op, 'K', K); size(op, 'N', N);
  span(op, 'out', out, M * N); span(op, 'a', a, M * K); span(op, 'b', b, K * N);
  // Split the longer side of out: each thread packs only its own part of that operand (the other is
  // packed by every thread). M ≤ 8 in NT is the matrix-vector path, which always splits columns.
  const byRows = M > N && !(kernel === 'matmul_nt' && M <= 8);
  run(kernel, [out, a, b, M, K, N, acc ? 1 : 0, byRows ? 1 : 0], byRows ? M : N, byRows ? 40 : 8, 2 * M * K * N, 2);
}

/** out[M,N] (+)= a[M,K] · b[N,K]ᵀ — a linear layer (weights [out,in]). */
export function matmulNT(out: number, a: number, b: number, M: number, K: number, N: number, acc = false): void {
  matmul('matmulNT', 'matmul_nt', out, a, b, M, K, N, acc);
}

/** out[M,N] (+)= a[M,K] · b[K,N] — input gradient dx = dy · W. */
export function matmulNN(out: number, a: number, b: number, M: number, K: number, N: number, acc = false): void {
  matmul('matmulNN', 'matmul_nn', out, a, b, M, K, N, acc);
}

/** out[M,N] (+)= a[K,M]ᵀ · b[K,N] — weight gradient dW += dyᵀ · x. */
export function matmulTN(out: number, a: number, b: number, M: number, K: number, N: number, acc = false): void {
  matmul('matmulTN', 'matmul_tn', out, a, b, M, K, N, acc);
}

// ---- normalisation, rotary, attention --------------------------------------------------------------------

/** out[rows,dim] = x / rms(x) * w; rstd[rows] saved for the backward. */
export function rmsnormForward(out: number, rstd: number, x: number, w: number, rows: number, dim: number, eps: number): void {
  const op = 'rmsnormForward';
  size(op, 'rows', rows); size(op, 'dim', dim, 1); finite(op, 'eps', eps);
  span(op, 'out', out, rows * dim); span(op, 'rstd', rstd, rows); span(op, 'x', x, rows * dim); span(op, 'w', w, dim);
  run('rmsnorm_forward', [out, rstd, x, w, rows, dim, eps], rows, 1, 4 * rows * dim);
}

/** dx += (residual stream), dw += ; both deterministic whatever the thread count. */
export function rmsnormBackward(dx: number, dw: number, dout: number, x: number, w: number, rstd: number, rows: number, dim: number): void {
  const op = 'rmsnormBackward';
  size(op, 'rows', rows); size(op, 'dim', dim, 1);
  span(op, 'dx', dx, rows * dim); span(op, 'dw', dw, dim); span(op, 'dout', dout, rows * dim);
  span(op, 'x', x, rows * dim); span(op, 'w', w, dim); span(op, 'rstd', rstd, rows);
  run('rmsnorm_backward_dx', [dx, dout, x, w, rstd, rows, dim], rows, 1, 8 * rows * dim);
  run('rmsnorm_backward_dw', [dw, dout, x, rstd, rows, dim], dim, 16, 3 * rows * dim);
}

function ropeCheck(op: string, x: number, pos: number, rows: number, nHeads: number, headDim: number, theta: number): number {
  size(op, 'rows', rows); size(op, 'nHeads', nHeads, 1); size(op, 'headDim', headDim, 2);
  if (headDim % 2) fail(op, `headDim must be even, got ${headDim}`);
  if (!(theta > 0) || !Number.isFinite(theta)) fail(op, `theta must be a positive number, got ${theta}`);
  span(op, 'x', x, rows * nHeads * headDim); span(op, 'pos', pos, rows);
  const p = i32(pos, rows);
  let top = 0;
  for (let r = 0; r < rows; r++) {
    if (!(p[r] >= 0 && p[r] < 1 << 24)) fail(op, `pos[${r}] = ${p[r]} must be 0..2^24`);
    if (p[r] > top) top = p[r];
  }
  return ropeTable(theta, headDim, top + 1);
}

/** cos/sin tables per (theta, headDim), [positions, headDim], grown to a power of two as positions appear. */
const ropeTables = new Map<string, { ptr: number; positions: number }>();
function ropeTable(theta: number, headDim: number, positions: number): number {
  const key = `${Math.fround(theta)}/${headDim}`;
  const have = ropeTables.get(key);
  if (have && have.positions >= positions) return have.ptr;
  const n = Math.max(256, 2 ** Math.ceil(Math.log2(positions)));
  if (have) free(have.ptr);
  const ptr = alloc(n * headDim);
  run('rope_table', [ptr, theta, headDim], n, 16, 40 * n * headDim);
  ropeTables.set(key, { ptr, positions: n });
  return ptr;
}

/** In place on x[rows, nHeads*headDim]; pos i32[rows]; HF rotate_half pairing (i, i + headDim/2). */
export function ropeForward(x: number, pos: number, rows: number, nHeads: number, headDim: number, theta: number): void {
  const tab = ropeCheck('ropeForward', x, pos, rows, nHeads, headDim, theta);
  run('rope', [x, pos, rows, nHeads, headDim, tab, 1], rows, 1, 6 * rows * nHeads * headDim);
}

/** In place: the rotation by the negative angle (the transpose of the forward). */
export function ropeBackward(dx: number, pos: number, rows: number, nHeads: number, headDim: number, theta: number): void {
  const tab = ropeCheck('ropeBackward', dx, pos, rows, nHeads, headDim, theta);
  run('rope', [dx, pos, rows, nHeads, headDim, tab, -1], rows, 1, 6 * rows * nHeads * headDim);
}

function attnShape(op: string, B: number, T: number, H: number, KVH: number, hd: number): void {
  size(op, 'B', B); size(op, 'T', T); size(op, 'H', H, 1); size(op, 'KVH', KVH, 1); size(op, 'hd', hd, 1);
  if (H % KVH) fail(op, `H (${H}) must be a multiple of KVH (${KVH})`);
}

/** Causal; q [B,T,H,hd], k,v [B,T,KVH,hd], att [B,H,T,T] (softmax probabilities, saved), out [B,T,H,hd]. */
export function attentionForward(out: number, att: number, q: number, k: number, v: number,
  B: number, T: number, H: number, KVH: number, hd: number): void {
  const op = 'attentionForward';
  attnShape(op, B, T, H, KVH, hd);
  span(op, 'out', out, B * T * H * hd); span(op, 'att', att, B * H * T * T); span(op, 'q', q, B * T * H * hd);
  span(op, 'k', k, B * T * KVH * hd); span(op, 'v', v, B * T * KVH * hd);
  run('attention_forward', [out, att, q, k, v, B, T, H, KVH, hd], B * H * T, 1, 2 * B * H * T * T * hd);
}

/** Overwrites dq [B,T,H,hd], dk, dv [B,T,KVH,hd]. */
export function attentionBackward(dq: number, dk: number, dv: number, dout: number, att: number, q: number, k: number, v: number,
  B: number, T: number, H: number, KVH: number, hd: number): void {
  const op = 'attentionBackward';
  attnShape(op, B, T, H, KVH, hd);
  if (T * 4 > SCRATCH_BYTES) fail(op, `T = ${T} is longer than the kernel scratch allows (${SCRATCH_BYTES / 4})`);
  const nq = B * T * H * hd, nkv = B * T * KVH * hd;
  span(op, 'dq', dq, nq); span(op, 'dk', dk, nkv); span(op, 'dv', dv, nkv); span(op, 'dout', dout, nq);
  span(op, 'att', att, B * H * T * T); span(op, 'q', q, nq); span(op, 'k', k, nkv); span(op, 'v', v, nkv);
  run('attention_backward', [dq, dk, dv, dout, att, q, k, v, B, T, H, KVH, hd], B * KVH, 1, 4 * B * H * T * T * hd);
}

/** One new query per sequence: q, out [S,H,hd]; caches [slots,maxT,KVH,hd]; slots, lens i32[S]. */
export function attentionDecode(out: number, q: number, kCache: number, vCache: number, slots: number, lens: number,
  S: number, H: number, KVH: number, hd: number, maxT: number): void {
  const op = 'attentionDecode';
  attnShape(op, S, 1, H, KVH, hd); size(op, 'maxT', maxT, 1);
  if (maxT * 4 > SCRATCH_BYTES) fail(op, `maxT = ${maxT} is longer than the kernel scratch allows (${SCRATCH_BYTES / 4})`);
  span(op, 'out', out, S * H * hd); span(op, 'q', q, S * H * hd); span(op, 'slots', slots, S); span(op, 'lens', lens, S);
  const sl = i32(slots, S), ln = i32(lens, S);
  let nSlots = 0, work = 0;
  for (let s = 0; s < S; s++) {
    if (!(sl[s] >= 0)) fail(op, `slots[${s}] = ${sl[s]} is negative`);
    if (!(ln[s] >= 1 && ln[s] <= maxT)) fail(op, `lens[${s}] = ${ln[s]} must be 1..maxT (${maxT})`);
    nSlots = Math.max(nSlots, sl[s] + 1);
    work += 4 * H * ln[s] * hd;
  }
  span(op, 'kCache', kCache, nSlots * maxT * KVH * hd); span(op, 'vCache', vCache, nSlots * maxT * KVH * hd);
  run('attention_decode', [out, q, kCache, vCache, slots, lens, S, H, KVH, hd, maxT], S * H, 1, work);
}

// ---- activations, losses ---------------------------------------------------------------------------------

/** h = silu(g) · u over n elements. */
export function swigluForward(h: number, g: number, u: number, n: number): void {
  const op = 'swigluForward';
  size(op, 'n', n); span(op, 'h', h, n); span(op, 'g', g, n); span(op, 'u', u, n);
  run('swiglu_forward', [h, g, u, n], n, 16, 20 * n);
}

/** Overwrites dg, du. */
export function swigluBackward(dg: number, du: number, dh: number, g: number, u: number, n: number): void {
  const op = 'swigluBackward';
  size(op, 'n', n); span(op, 'dg', dg, n); span(op, 'du', du, n); span(op, 'dh', dh, n); span(op, 'g', g, n); span(op, 'u', u, n);
  run('swiglu_backward', [dg, du, dh, g, u, n], n, 16, 30 * n);
}

function targetsCheck(op: string, targets: number, rows: number, V: number): void {
  const t = i32(targets, rows);
  for (let r = 0; r < rows; r++) if (t[r] >= V) fail(op, `targets[${r}] = ${t[r]} is outside the vocabulary (V = ${V})`);
}

/** loss[r] = −log p(targets[r]); if dlogits ≠ 0 it gets (softmax − onehot)·weights[r] (weights 0 = all 1);
 *  dlogits may equal logits (in place). A target < 0 is ignored (loss 0, gradient 0). */
export function crossEntropy(loss: number, dlogits: number, logits: number, targets: number, weights: number, rows: number, V: number): void {
  const op = 'crossEntropy';
  size(op, 'rows', rows); size(op, 'V', V, 1);
  span(op, 'loss', loss, rows); optSpan(op, 'dlogits', dlogits, rows * V); span(op, 'logits', logits, rows * V);
  span(op, 'targets', targets, rows); optSpan(op, 'weights', weights, rows);
  targetsCheck(op, targets, rows, V);
  run('cross_entropy', [loss, dlogits, logits, targets, weights, rows, V], rows, 1, 30 * rows * V);
}

/** out[r] = log softmax(logits·invTemp)[targets[r]] (0 for a target < 0); entropy[r] if entropy ≠ 0. */
export function logprobs(out: number, entropy: number, logits: number, targets: number, rows: number, V: number, invTemp = 1): void {
  const op = 'logprobs';
  size(op, 'rows', rows); size(op, 'V', V, 1); finite(op, 'invTemp', invTemp);
  span(op, 'out', out, rows); optSpan(op, 'entropy', entropy, rows); span(op, 'logits', logits, rows * V);
  span(op, 'targets', targets, rows);
  targetsCheck(op, targets, rows, V);
  run('logprobs', [out, entropy, logits, targets, rows, V, invTemp], rows, 1, 40 * rows * V);
}

// ---- embeddings ------------------------------------------------------------------------------------------

function idsCheck(op: string, table: number, ids: number, n: number, dim: number): void {
  span(op, 'ids', ids, n);
  const id = i32(ids, n);
  let top = -1;
  for (let i = 0; i < n; i++) {
    if (id[i] < 0) fail(op, `ids[${i}] = ${id[i]} is negative`);
    if (id[i] > top) top = id[i];
  }
  span(op, 'table', table, (top + 1) * dim);
}

/** out[n,dim] = table[ids[i]] (gather). */
export function embeddingForward(out: number, table: number, ids: number, n: number, dim: number): void {
  const op = 'embeddingForward';
  size(op, 'n', n); size(op, 'dim', dim, 1); span(op, 'out', out, n * dim);
  idsCheck(op, table, ids, n, dim);
  run('embedding_forward', [out, table, ids, n, dim], n, 1, n * dim);
}

/** dtable[ids[i]] += dout[i] (deterministic scatter-add: tokens in order). */
export function embeddingBackward(dtable: number, dout: number, ids: number, n: number, dim: number): void {
  const op = 'embeddingBackward';
  size(op, 'n', n); size(op, 'dim', dim, 1); span(op, 'dout', dout, n * dim);
  idsCheck(op, dtable, ids, n, dim);
  run('embedding_backward', [dtable, dout, ids, n, dim], dim, 4, n * dim);
}

// ---- elementwise -----------------------------------------------------------------------------------------

export function add(out: number, a: number, b: number, n: number): void {
  size('add', 'n', n); span('add', 'out', out, n); span('add', 'a', a, n); span('add', 'b', b, n);
  run('add_f32', [out, a, b, n], n, 16, n);
}

export function addTo(out: number, a: number, n: number): void {
  size('addTo', 'n', n); span('addTo', 'out', out, n); span('addTo', 'a', a, n);
  run('add_to_f32', [out, a, n], n, 16, n);
}

export function scale(x: number, s: number, n: number): void {
  size('scale', 'n', n); span('scale', 'x', x, n); finite('scale', 's', s);
  run('scale_f32', [x, s, n], n, 16, n);
}

export function fill(x: number, v: number, n: number): void {
  size('fill', 'n', n); span('fill', 'x', x, n);
  run('fill_f32', [x, v, n], n, 16, n);
}

export function copy(out: number, a: number, n: number): void {
  size('copy', 'n', n); span('copy', 'out', out, n); span('copy', 'a', a, n);
  run('copy_f32', [out, a, n], n, 16, n);
}

/** One AdamW update (PyTorch semantics: decoupled weight decay, bias-corrected moments); step counts from 1. */
export function adamw(p: number, g: number, m: number, v: number, n: number,
  lr: number, b1: number, b2: number, eps: number, wd: number, step: number): void {
  const op = 'adamw';
  size(op, 'n', n); size(op, 'step', step, 1);
  for (const [name, val] of [['lr', lr], ['b1', b1], ['b2', b2], ['eps', eps], ['wd', wd]] as const) finite(op, name, val);
  span(op, 'p', p, n); span(op, 'g', g, n); span(op, 'm', m, n); span(op, 'v', v, n);
  run('adamw', [p, g, m, v, n, lr, b1, b2, eps, wd, step], n, 16, 15 * n);
}

const SUMSQ_BLOCK = 4096; // = SUMSQ_BLOCK in src/kernels/elementwise.ts
let partialsPtr = 0, partialsCap = 0;

/** Σ x² over n elements: float64 partial sums over fixed 4096-element blocks, added in block order. */
export function sumSquares(x: number, n: number): number {
  size('sumSquares', 'n', n); span('sumSquares', 'x', x, n);
  const blocks = Math.ceil(n / SUMSQ_BLOCK);
  if (blocks > partialsCap) partialsPtr = growPartials(blocks);
  run('sum_squares_blocks', [partialsPtr, x, n], blocks, 1, 2 * n);
  const parts = new Float64Array(f32(partialsPtr, 1).buffer, partialsPtr, blocks);
  let s = 0;
  for (let b = 0; b < blocks; b++) s += parts[b];
  return s;
}

function growPartials(blocks: number): number {
  if (partialsPtr) free(partialsPtr);
  partialsCap = Math.max(blocks, 256);
  return alloc(partialsCap * 2);
}
