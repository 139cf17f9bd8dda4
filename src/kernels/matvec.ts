// out[M, start..end) (+)= a[M,K] · b[N,K]ᵀ for M ≤ 8: the decoding path, bound by reading the weights b.
// Every element is summed exactly like common.dot (four lanes over k, lanes (0+1)+(2+3), then the tail),
// whatever the tile it falls in, so each row's result does not depend on the others in the batch.
import { at } from './common';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline function tail(s: f32, a: usize, b: usize, k4: i32, K: i32): f32 {
  for (let k = k4; k < K; k++) s += load<f32>(at(a, k)) * load<f32>(at(b, k));
  return s;
}

// @ts-ignore: decorator
@inline function put(o: usize, v: f32, acc: bool): void {
  store<f32>(o, acc ? load<f32>(o) + v : v);
}

/** One row of a against four rows of b. */
function row1x4(out: usize, a: usize, b: usize, K: i32, N: i32, acc: bool, start: i32, end: i32): i32 {
  const k4 = K & ~3;
  let n = start;
  for (; n + 4 <= end; n += 4) {
    const b0 = at(b, n * K), b1 = at(b0, K), b2 = at(b1, K), b3 = at(b2, K);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let k = 0; k < k4; k += 4) {
      const av = v128.load(at(a, k));
      s0 = f32x4.add(s0, f32x4.mul(av, v128.load(at(b0, k))));
      s1 = f32x4.add(s1, f32x4.mul(av, v128.load(at(b1, k))));
      s2 = f32x4.add(s2, f32x4.mul(av, v128.load(at(b2, k))));
      s3 = f32x4.add(s3, f32x4.mul(av, v128.load(at(b3, k))));
    }
    put(at(out, n), tail(hsum(s0), a, b0, k4, K), acc);
    put(at(out, n + 1), tail(hsum(s1), a, b1, k4, K), acc);
    put(at(out, n + 2), tail(hsum(s2), a, b2, k4, K), acc);
    put(at(out, n + 3), tail(hsum(s3), a, b3, k4, K), acc);
  }
  return n;
}

/** Up to four rows of a (rows past M repeat the last one and are not written) against two rows of b. */
function rows4x2(out: usize, a: usize, b: usize, M: i32, m0: i32, K: i32, N: i32, acc: bool, start: i32, end: i32): i32 {
  const k4 = K & ~3;
  const a0 = at(a, m0 * K), a1 = at(a, min(m0 + 1, M - 1) * K), a2 = at(a, min(m0 + 2, M - 1) * K), a3 = at(a, min(m0 + 3, M - 1) * K);
  let n = start;
  for (; n + 2 <= end; n += 2) {
    const b0 = at(b, n * K), b1 = at(b0, K);
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
    let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
    for (let k = 0; k < k4; k += 4) {
      const v0 = v128.load(at(b0, k)), v1 = v128.load(at(b1, k));
      let av = v128.load(at(a0, k));
      s00 = f32x4.add(s00, f32x4.mul(av, v0)); s01 = f32x4.add(s01, f32x4.mul(av, v1));
      av = v128.load(at(a1, k));
      s10 = f32x4.add(s10, f32x4.mul(av, v0)); s11 = f32x4.add(s11, f32x4.mul(av, v1));
      av = v128.load(at(a2, k));
      s20 = f32x4.add(s20, f32x4.mul(av, v0)); s21 = f32x4.add(s21, f32x4.mul(av, v1));
      av = v128.load(at(a3, k));
      s30 = f32x4.add(s30, f32x4.mul(av, v0)); s31 = f32x4.add(s31, f32x4.mul(av, v1));
    }
    const o = at(out, m0 * N + n);
    put(o, tail(hsum(s00), a0, b0, k4, K), acc); put(at(o, 1), tail(hsum(s01), a0, b1, k4, K), acc);
    if (m0 + 1 < M) { put(at(o, N), tail(hsum(s10), a1, b0, k4, K), acc); put(at(o, N + 1), tail(hsum(s11), a1, b1, k4, K), acc); }
    if (m0 + 2 < M) { put(at(o, 2 * N), tail(hsum(s20), a2, b0, k4, K), acc); put(at(o, 2 * N + 1), tail(hsum(s21), a2, b1, k4, K), acc); }
    if (m0 + 3 < M) { put(at(o, 3 * N), tail(hsum(s30), a3, b0, k4, K), acc); put(at(o, 3 * N + 1), tail(hsum(s31), a3, b1, k4, K), acc); }
  }
  return n;
}

/** One element the plain way (the leftovers of the tiles above). */
function single(out: usize, a: usize, b: usize, m: i32, n: i32, K: i32, N: i32, acc: bool): void {
  const k4 = K & ~3;
  const ar = at(a, m * K), br = at(b, n * K);
  let s = f32x4.splat(0);
  for (let k = 0; k < k4; k += 4) s = f32x4.add(s, f32x4.mul(v128.load(at(ar, k)), v128.load(at(br, k))));
  put(at(out, m * N + n), tail(hsum(s), ar, br, k4, K), acc);
}

export function matvec_nt(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: bool, start: i32, end: i32): void {
  if (M == 1) {
    for (let n = row1x4(out, a, b, K, N, acc, start, end); n < end; n++) single(out, a, b, 0, n, K, N, acc);
    return;
  }
  for (let m0 = 0; m0 < M; m0 += 4) {
    const n = rows4x2(out, a, b, M, m0, K, N, acc, start, end);
    for (let m = m0; m < min(M, m0 + 4); m++) for (let j = n; j < end; j++) single(out, a, b, m, j, K, N, acc);
  }
}
