// Row-wise log-softmax kernels over logits[rows, V]: fused cross-entropy (with its gradient, in place if asked)
// and log-probabilities of given targets (with entropy). Max subtracted first; log-sum-exp in float64.
import { at, exp1, exp4 } from './common';

/** The row's max of z·invTemp. */
// @ts-ignore: decorator
@inline function rowMax(row: usize, V: i32, invTemp: f32): f32 {
  const t = f32x4.splat(invTemp);
  let mv = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= V; j += 4) mv = f32x4.max(mv, f32x4.mul(v128.load(at(row, j)), t));
  let mx = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; j < V; j++) mx = max(mx, load<f32>(at(row, j)) * invTemp);
  return mx;
}

/** log Σ exp(z·invTemp − mx): float32 exps, summed in float64 (two lanes, then the tail). */
// @ts-ignore: decorator
@inline function logSumShifted(row: usize, V: i32, invTemp: f32, mx: f32): f64 {
  const t = f32x4.splat(invTemp), m = f32x4.splat(mx);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= V; j += 4) {
    const e = exp4(f32x4.sub(f32x4.mul(v128.load(at(row, j)), t), m));
    acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1))));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < V; j++) sum += <f64>exp1(load<f32>(at(row, j)) * invTemp - mx);
  return Math.log(sum);
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
    const zt = load<f32>(at(row, tgt)); // read first: dlogits may overwrite the row
    const mx = rowMax(row, V, 1.0);
    if (dlogits == 0) {
      store<f32>(at(loss, r), <f32>(<f64>mx + logSumShifted(row, V, 1.0, mx) - <f64>zt));
      continue;
    }
    // One exp pass: e = exp(z − mx) goes to dlogits while its float64 sum accumulates; then p = e · (w / Σe).
    const drow = at(dlogits, r * V);
    const m = f32x4.splat(mx);
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= V; j += 4) {
      const e = exp4(f32x4.sub(v128.load(at(row, j)), m));
      v128.store(at(drow, j), e);
      acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1))));
    }
    let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < V; j++) {
      const e = exp1(load<f32>(at(row, j)) - mx);
      store<f32>(at(drow, j), e);
      sum += <f64>e;
    }
    store<f32>(at(loss, r), <f32>(<f64>mx + Math.log(sum) - <f64>zt));
    const w: f32 = weights != 0 ? load<f32>(at(weights, r)) : 1.0;
    const sc = <f32>(<f64>w / sum);
    const scv = f32x4.splat(sc);
    j = 0;
    for (; j + 4 <= V; j += 4) v128.store(at(drow, j), f32x4.mul(v128.load(at(drow, j)), scv));
    for (; j < V; j++) store<f32>(at(drow, j), load<f32>(at(drow, j)) * sc);
    store<f32>(at(drow, tgt), load<f32>(at(drow, tgt)) - w);
  }
}

/** out[r] = log softmax(logits[r]·invTemp)[targets[r]] (0 for a target < 0); entropy[r] of that distribution if entropy ≠ 0. */
export function logprobs(out: usize, entropy: usize, logits: usize, targets: usize, rows: i32, V: i32, invTemp: f32,
  start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const row = at(logits, r * V);
    const tgt = load<i32>(at(targets, r));
    const mx = rowMax(row, V, invTemp);
    const ls = logSumShifted(row, V, invTemp, mx);
    const lse = <f64>mx + ls;
    store<f32>(at(out, r), tgt < 0 ? 0 : <f32>(<f64>(load<f32>(at(row, tgt)) * invTemp) - lse));
    if (entropy == 0) continue;
    // H = ls − Σ p·(z − mx), with p = exp(z − mx − ls).
    const t = f32x4.splat(invTemp), m = f32x4.splat(mx), l = f32x4.splat(<f32>ls);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= V; j += 4) {
      const d = f32x4.sub(f32x4.mul(v128.load(at(row, j)), t), m);
      acc = f32x4.add(acc, f32x4.mul(exp4(f32x4.sub(d, l)), d));
    }
    let pz: f64 = <f64>((f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)));
    for (; j < V; j++) {
      const d = load<f32>(at(row, j)) * invTemp - mx;
      pz += <f64>(exp1(d - <f32>ls) * d);
    }
    store<f32>(at(entropy, r), <f32>(ls - pz));
  }
}
