// The matrix-product exports, over column ranges [start, end) of out[M,N] (multiples of 8 but the last).
// M > 8 goes through the blocked gemm; matmul_nt with M ≤ 8 (decoding) through the matrix-vector path.
import { gemm, NT, NN, TN } from './gemm';
import { matvec_nt } from './matvec';

/** out[M,N] (+)= a[M,K] · b[N,K]ᵀ */
export function matmul_nt(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32, scratch: usize): void {
  if (M <= 8) matvec_nt(out, a, b, M, K, N, acc != 0, start, end);
  else gemm(NT, out, a, b, M, K, N, acc != 0, start, end, scratch);
}

/** out[M,N] (+)= a[M,K] · b[K,N] */
export function matmul_nn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32, scratch: usize): void {
  gemm(NN, out, a, b, M, K, N, acc != 0, start, end, scratch);
}

/** out[M,N] (+)= a[K,M]ᵀ · b[K,N] */
export function matmul_tn(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, start: i32, end: i32, scratch: usize): void {
  gemm(TN, out, a, b, M, K, N, acc != 0, start, end, scratch);
}
