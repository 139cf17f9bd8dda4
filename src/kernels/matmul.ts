// The matrix-product exports. [start, end) is a range of columns of out[M,N] (multiples of 8 but the last),
// or of rows when byRows ≠ 0 (the pool splits the longer side, so the threads do not all pack the same big
// operand). M > 8 goes through the blocked gemm; matmul_nt with M ≤ 8 (decoding) through the matrix-vector
// path, always split by columns.
import { gemm, NT, NN, TN } from './gemm';
import { matvec_nt } from './matvec';

// @ts-ignore: decorator
@inline function blocked(layout: i32, out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, byRows: i32,
  start: i32, end: i32, scratch: usize): void {
  if (byRows) gemm(layout, out, a, b, M, K, N, acc != 0, start, end, 0, N, scratch);
  else gemm(layout, out, a, b, M, K, N, acc != 0, 0, M, start, end, scratch);
}

/** out[M,N] (+)= a[M,K] · b[N,K]ᵀ */
export function matmul_nt(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, byRows: i32, start: i32, end: i32, scratch: usize): void {
  if (M <= 8) matvec_nt(out, a, b, M, K, N, acc != 0, start, end);
  else blocked(NT, out, a, b, M, K, N, acc, byRows, start, end, scratch);
}

/** out[M,N] (+)= a[M,K] · b[K,N] */
export function matmul_nn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, byRows: i32, start: i32, end: i32, scratch: usize): void {
  blocked(NN, out, a, b, M, K, N, acc, byRows, start, end, scratch);
}

/** out[M,N] (+)= a[K,M]ᵀ · b[K,N] */
export function matmul_tn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, byRows: i32, start: i32, end: i32, scratch: usize): void {
  blocked(TN, out, a, b, M, K, N, acc, byRows, start, end, scratch);
}
