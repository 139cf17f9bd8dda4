// Blocked matrix product for M > 8: a block of out[M,N] (+)= A·B in the three layouts the model needs.
// B is packed per thread into [NC/NR panels][KC][NR] and A into [KC][MR] tiles (zero padded at the edges),
// so one MR×8 register-blocked micro-kernel serves every layout with unit-stride loads (MR = 5 in the plain build,
// 6 with fused multiply-adds in the relaxed one; see the engine README for the measurements). Each output element
// is summed over k in increasing order inside a KC block and the block sums are added to out in block
// order, so the block of rows or columns a thread gets never changes a bit of the result.
import { at, madd } from './common';

// 6×8 needs 12 accumulators + 2 B vectors + 1 broadcast = 15 xmm registers, all V8 leaves free on x64; it pays
// only with FMA (plain mul+add needs a temporary per product, spills and ran ~35% slower).
export const MR = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
export const NR = 8;
// Blocking: a KC×NC block of B (1 MiB) stays in L2 while MC×KC blocks of A (128 KiB) stream past; the
// micro-kernel keeps one KC×NR sliver of B (8 KiB) in L1 across all the A tiles of a block.
const KC = 256;
const NC = 1024;
const MC = 120; // a multiple of MR (5 and 6)
/** Scratch needed per thread: packed B block, packed A block, one edge tile. */
export const GEMM_SCRATCH_BYTES = (KC * NC + KC * MC + MR * NR) * 4;

export const NT = 0; // out = A[M,K] · B[N,K]ᵀ
export const NN = 1; // out = A[M,K] · B[K,N]
export const TN = 2; // out = A[K,M]ᵀ · B[K,N]

/** Stores the transpose of the 4×4 block whose rows are r0..r3 as four vectors at dst, dst+stride, … */
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** Packs columns [n0, n0+nc) × k in [k0, k0+kc) of B into panels of NR columns: dst[p][k][j]. */
function packB(layout: i32, b: usize, K: i32, N: i32, k0: i32, kc: i32, n0: i32, nc: i32, dst: usize): void {
  for (let p = 0; p < nc; p += NR) {
    const panel = at(dst, p * kc);
    const nr = min(NR, nc - p);
    if (layout == NT && nr == NR) {
      // B rows are contiguous in k: transpose 4×4 blocks of rows j..j+3 into the panel.
      const r = at(b, (n0 + p) * K + k0), ld = <usize>K << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const q = at(r, k), d = at(panel, k * NR);
        transpose4(v128.load(q), v128.load(q + ld), v128.load(q + 2 * ld), v128.load(q + 3 * ld), d, NR << 2);
        const q4 = q + 4 * ld;
        transpose4(v128.load(q4), v128.load(q4 + ld), v128.load(q4 + 2 * ld), v128.load(q4 + 3 * ld), d + 16, NR << 2);
      }
      for (; k < kc; k++) for (let j = 0; j < NR; j++) store<f32>(at(panel, k * NR + j), load<f32>(at(r, j * K + k)));
    } else if (layout == NT) {
      for (let j = 0; j < NR; j++) {
        if (j < nr) {
          const src = at(b, (n0 + p + j) * K + k0);
          for (let k = 0; k < kc; k++) store<f32>(at(panel, k * NR + j), load<f32>(at(src, k)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(at(panel, k * NR + j), 0);
        }
      }
    } else if (nr == NR) {
      for (let k = 0; k < kc; k++) {
        const src = at(b, (k0 + k) * N + n0 + p);
        v128.store(at(panel, k * NR), v128.load(src));
        v128.store(at(panel, k * NR + 4), v128.load(src, 16));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = at(b, (k0 + k) * N + n0 + p);
        for (let j = 0; j < NR; j++) store<f32>(at(panel, k * NR + j), j < nr ? load<f32>(at(src, j)) : 0);
      }
    }
  }
}

/** Packs rows [m0, m0+mr) of A (k in [k0, k0+kc)) as dst[k][i], zero padded to MR rows. */
function packA(layout: i32, a: usize, M: i32, K: i32, k0: i32, kc: i32, m0: i32, mr: i32, dst: usize): void {
  if (layout == TN) {
    if (mr == MR) {
      for (let k = 0; k < kc; k++) {
        const src = at(a, (k0 + k) * M + m0), d = at(dst, k * MR);
        let i = 0;
        for (; i + 4 <= MR; i += 4) v128.store(at(d, i), v128.load(at(src, i)));
        for (; i < MR; i++) store<f32>(at(d, i), load<f32>(at(src, i)));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let i = 0; i < MR; i++) store<f32>(at(dst, k * MR + i), i < mr ? load<f32>(at(a, (k0 + k) * M + m0 + i)) : 0);
      }
    }
    return;
  }
  if (mr == MR) {
    // Rows in fours by 4×4 transposes (16-byte stores at the MR·4-byte row stride of the tile).
    const r = at(a, m0 * K + k0), ld = <usize>K << 2;
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const d = at(dst, k * MR);
      let i = 0;
      for (; i + 4 <= MR; i += 4) {
        const q = at(r, k) + <usize>i * ld;
        transpose4(v128.load(q), v128.load(q + ld), v128.load(q + 2 * ld), v128.load(q + 3 * ld), at(d, i), MR << 2);
      }
      if (i < MR) {
        // The last rows: transpose rows MR-4..MR-1 again, overlapping rows already stored (same values).
        const q = at(r, k) + <usize>(MR - 4) * ld;
        transpose4(v128.load(q), v128.load(q + ld), v128.load(q + 2 * ld), v128.load(q + 3 * ld), at(d, MR - 4), MR << 2);
      }
    }
    for (; k < kc; k++) for (let i = 0; i < MR; i++) store<f32>(at(dst, k * MR + i), load<f32>(at(r, i * K + k)));
    return;
  }
  for (let i = 0; i < MR; i++) {
    if (i < mr) {
      const src = at(a, (m0 + i) * K + k0);
      for (let k = 0; k < kc; k++) store<f32>(at(dst, k * MR + i), load<f32>(at(src, k)));
    } else {
      for (let k = 0; k < kc; k++) store<f32>(at(dst, k * MR + i), 0);
    }
  }
}

// @ts-ignore: decorator
@inline function update(c: usize, v: v128, first: bool): void {
  v128.store(c, first ? v : f32x4.add(v128.load(c), v));
}

/** c[0..mr, 0..nr) (+)= packed A tile · packed B panel over kc; ldc in elements. Row 5 exists when MR = 6
 *  (a compile-time constant, so the plain build has no trace of it). */
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, mr: i32, nr: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    if (MR == 6) {
      a = v128.load32_splat(pa, 20);
      c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    }
    pa += MR << 2;
    pb += NR << 2;
  }
  if (mr == MR && nr == NR) {
    const ld = <usize>ldc << 2;
    update(c, c00, first); update(c + 16, c01, first); c += ld;
    update(c, c10, first); update(c + 16, c11, first); c += ld;
    update(c, c20, first); update(c + 16, c21, first); c += ld;
    update(c, c30, first); update(c + 16, c31, first); c += ld;
    update(c, c40, first); update(c + 16, c41, first);
    if (MR == 6) { c += ld; update(c, c50, first); update(c + 16, c51, first); }
    return;
  }
  // Edge tile: the same sums, written element by element.
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80); v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  if (MR == 6) { v128.store(tile, c50, 160); v128.store(tile, c51, 176); }
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const p = at(c, i * ldc + j);
      const v = load<f32>(at(tile, i * NR + j));
      store<f32>(p, first ? v : load<f32>(p) + v);
    }
  }
}

/** out[m0..m1, n0..n1) (+)= op(A) · op(B) for that block of rows and columns of out[M,N]. */
export function gemm(layout: i32, out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: bool,
  m0: i32, m1: i32, n0: i32, n1: i32, scratch: usize): void {
  const pB = scratch, pA = at(scratch, KC * NC), tile = at(pA, KC * MC);
  if (K == 0) {
    if (!acc) for (let m = m0; m < m1; m++) memory.fill(at(out, m * N + n0), 0, <usize>(n1 - n0) << 2);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const first = k0 == 0 && !acc;
    for (let nb = n0; nb < n1; nb += NC) {
      const nc = min(NC, n1 - nb);
      packB(layout, b, K, N, k0, kc, nb, nc, pB);
      for (let mb = m0; mb < m1; mb += MC) {
        const mc = min(MC, m1 - mb);
        for (let i = 0; i < mc; i += MR) packA(layout, a, M, K, k0, kc, mb + i, min(MR, mc - i), at(pA, i * kc));
        for (let j = 0; j < nc; j += NR) {
          const nr = min(NR, nc - j), pb = at(pB, j * kc);
          for (let i = 0; i < mc; i += MR) {
            micro(at(pA, i * kc), pb, kc, at(out, (mb + i) * N + nb + j), N, min(MR, mc - i), nr, first, tile);
          }
        }
      }
    }
  }
}
