// Matrix products over column ranges [start, end) of out[M,N]. Each output element is a sum over k in
// increasing order, so splitting the columns across threads never changes a bit.
import { at, dot, axpy } from './common';

/** out[M,N] (+)= a[M,K] · b[N,K]ᵀ */
export function matmul_nt(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32): void {
  for (let m = 0; m < M; m++) {
    const ar = at(a, m * K);
    for (let n = start; n < end; n++) {
      const o = at(out, m * N + n);
      const d = dot(ar, at(b, n * K), K);
      store<f32>(o, acc ? load<f32>(o) + d : d);
    }
  }
}

/** out[M,N] (+)= a[M,K] · b[K,N] */
export function matmul_nn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32): void {
  for (let m = 0; m < M; m++) {
    const orow = at(out, m * N + start);
    if (!acc) memory.fill(orow, 0, <usize>(end - start) << 2);
    for (let k = 0; k < K; k++) axpy(orow, load<f32>(at(a, m * K + k)), at(b, k * N + start), end - start);
  }
}

/** out[M,N] (+)= a[K,M]ᵀ · b[K,N] */
export function matmul_tn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32): void {
  for (let m = 0; m < M; m++) {
    const orow = at(out, m * N + start);
    if (!acc) memory.fill(orow, 0, <usize>(end - start) << 2);
    for (let k = 0; k < K; k++) axpy(orow, load<f32>(at(a, k * M + m)), at(b, k * N + start), end - start);
  }
}
