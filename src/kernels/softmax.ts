// Row-wise log-softmax kernels over logits[rows, V]: fused cross-entropy (with its gradient, in place if asked)
// and log-probabilities of given targets (with entropy). Max subtracted first; log-sum-exp in float64.
import { at } from './common';

/** Returns log Σ exp(z·invTemp) for the row, computed stably; writes the row max·invTemp to maxOut. */
// @ts-ignore: decorator
@inline function logSumExp(row: usize, V: i32, invTemp: f32): f64 {
  let mx = -Infinity as f32;
  for (let j = 0; j < V; j++) mx = max(mx, load<f32>(at(row, j)) * invTemp);
  let sum: f64 = 0;
  for (let j = 0; j < V; j++) sum += <f64>Mathf.exp(load<f32>(at(row, j)) * invTemp - mx);
  return <f64>mx + Math.log(sum);
}

/** loss[r] = −log softmax(logits[r])[t]; if dlogits ≠ 0, dlogits[r] = (softmax − onehot(t)) · weight[r]
 *  (weight 1 when weights = 0). dlogits may equal logits. A target < 0 is ignored: loss 0, gradient 0. */
export function cross_entropy(loss: usize, dlogits: usize, logits: usize, targets: usize, weights: usize, rows: i32, V: i32,
  start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const row = at(logits, r * V);
    const tgt = load<i32>(at(targets, r));
    if (tgt < 0) {
      store<f32>(at(loss, r), 0);
      if (dlogits != 0) memory.fill(at(dlogits, r * V), 0, <usize>V << 2);
      continue;
    }
    const lse = logSumExp(row, V, 1.0);
    store<f32>(at(loss, r), <f32>(lse - <f64>load<f32>(at(row, tgt))));
    if (dlogits == 0) continue;
    const w: f32 = weights != 0 ? load<f32>(at(weights, r)) : 1.0;
    const drow = at(dlogits, r * V);
    for (let j = 0; j < V; j++) store<f32>(at(drow, j), Mathf.exp(<f32>(<f64>load<f32>(at(row, j)) - lse)) * w);
    store<f32>(at(drow, tgt), load<f32>(at(drow, tgt)) - w);
  }
}

/** out[r] = log softmax(logits[r]·invTemp)[targets[r]] (0 for a target < 0); entropy[r] of that distribution if entropy ≠ 0. */
export function logprobs(out: usize, entropy: usize, logits: usize, targets: usize, rows: i32, V: i32, invTemp: f32,
  start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const row = at(logits, r * V);
    const tgt = load<i32>(at(targets, r));
    const lse = logSumExp(row, V, invTemp);
    store<f32>(at(out, r), tgt < 0 ? 0 : <f32>(<f64>(load<f32>(at(row, tgt)) * invTemp) - lse));
    if (entropy == 0) continue;
    // H = lse − Σ p z
    let pz: f64 = 0;
    for (let j = 0; j < V; j++) {
      const z = <f64>(load<f32>(at(row, j)) * invTemp);
      pz += Math.exp(z - lse) * z;
    }
    store<f32>(at(entropy, r), <f32>(lse - pz));
  }
}
