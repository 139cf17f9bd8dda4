// Token embedding: gather rows of table[vocab, dim] by ids, and its deterministic scatter-add backward.
import { at, axpy } from './common';

/** out[i] = table[ids[i]]; [start, end) are token indices. */
export function embedding_forward(out: usize, table: usize, ids: usize, n: i32, dim: i32, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const id = load<i32>(at(ids, i));
    memory.copy(at(out, i * dim), at(table, id * dim), <usize>dim << 2);
  }
}

/** dtable[ids[i], j] += dout[i, j] for tokens in order; [start, end) are columns j, so repeated ids never race. */
export function embedding_backward(dtable: usize, dout: usize, ids: usize, n: i32, dim: i32, start: i32, end: i32): void {
  for (let i = 0; i < n; i++) {
    const id = load<i32>(at(ids, i));
    axpy(at(dtable, id * dim + start), 1.0, at(dout, i * dim + start), end - start);
  }
}
