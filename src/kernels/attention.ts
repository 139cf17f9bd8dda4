// Causal multi-head attention with grouped-query heads, fused: scores, mask, softmax and the weighted sum
// of values in one pass per query row. Layouts: q, out [B,T,H,hd]; k, v [B,T,KVH,hd]; att [B,H,T,T].
// Query head h reads kv head ⌊h / (H/KVH)⌋.
import { at, dot, axpy, exp1, exp4 } from './common';

/** Softmax of row[0..n) in place (max subtracted). Shared by forward and decode so they agree bit for bit. */
// @ts-ignore: decorator
@inline function softmaxInPlace(row: usize, n: i32): void {
  let mx = -Infinity as f32;
  for (let s = 0; s < n; s++) mx = max(mx, load<f32>(at(row, s)));
  const m = f32x4.splat(mx);
  let acc = f32x4.splat(0);
  let s = 0;
  for (; s + 4 <= n; s += 4) {
    const e = exp4(f32x4.sub(v128.load(at(row, s)), m));
    v128.store(at(row, s), e);
    acc = f32x4.add(acc, e);
  }
  let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; s < n; s++) {
    const e = exp1(load<f32>(at(row, s)) - mx);
    store<f32>(at(row, s), e);
    sum += e;
  }
  const inv = f32x4.splat(<f32>1.0 / sum);
  s = 0;
  for (; s + 4 <= n; s += 4) v128.store(at(row, s), f32x4.mul(v128.load(at(row, s)), inv));
  const invs = f32x4.extract_lane(inv, 0);
  for (; s < n; s++) store<f32>(at(row, s), load<f32>(at(row, s)) * invs);
}

/** [start, end) index rows (b, h, t) in that order. att rows are written in full (zeros above the diagonal). */
export function attention_forward(out: usize, att: usize, q: usize, k: usize, v: usize, B: i32, T: i32, H: i32, KVH: i32, hd: i32,
  start: i32, end: i32): void {
  const group = H / KVH;
  const scale = <f32>1.0 / Mathf.sqrt(<f32>hd);
  for (let row = start; row < end; row++) {
    const t = row % T;
    const bh = row / T;
    const h = bh % H, b = bh / H;
    const kh = h / group;
    const qr = at(q, ((b * T + t) * H + h) * hd);
    const ar = at(att, row * T);
    for (let s = 0; s <= t; s++) {
      store<f32>(at(ar, s), dot(qr, at(k, ((b * T + s) * KVH + kh) * hd), hd) * scale);
    }
    softmaxInPlace(ar, t + 1);
    for (let s = t + 1; s < T; s++) store<f32>(at(ar, s), 0);
    const orow = at(out, ((b * T + t) * H + h) * hd);
    memory.fill(orow, 0, <usize>hd << 2);
    for (let s = 0; s <= t; s++) axpy(orow, load<f32>(at(ar, s)), at(v, ((b * T + s) * KVH + kh) * hd), hd);
  }
}

/** Overwrites dq, dk, dv. [start, end) index (b, kv head) groups: a group owns its dk, dv rows and the dq rows of
 *  its query heads, so no two threads write the same element and the sums run in a fixed order.
 *  scratch: T floats per thread for dp. */
export function attention_backward(dq: usize, dk: usize, dv: usize, dout: usize, att: usize, q: usize, k: usize, v: usize,
  B: i32, T: i32, H: i32, KVH: i32, hd: i32, start: i32, end: i32, scratch: usize): void {
  const group = H / KVH;
  const scale = <f32>1.0 / Mathf.sqrt(<f32>hd);
  const dp = scratch;
  for (let g = start; g < end; g++) {
    const b = g / KVH, kh = g % KVH;
    for (let t = 0; t < T; t++) {
      memory.fill(at(dk, ((b * T + t) * KVH + kh) * hd), 0, <usize>hd << 2);
      memory.fill(at(dv, ((b * T + t) * KVH + kh) * hd), 0, <usize>hd << 2);
    }
    for (let h = kh * group; h < (kh + 1) * group; h++) {
      for (let t = 0; t < T; t++) {
        const ar = at(att, ((b * H + h) * T + t) * T);
        const dor = at(dout, ((b * T + t) * H + h) * hd);
        const qr = at(q, ((b * T + t) * H + h) * hd);
        const dqr = at(dq, ((b * T + t) * H + h) * hd);
        // dp_s = dout_t · v_s; dv_s += p_s dout_t; Σ p dp for the softmax backward.
        let pdp: f32 = 0;
        for (let s = 0; s <= t; s++) {
          const kv = ((b * T + s) * KVH + kh) * hd;
          const p = load<f32>(at(ar, s));
          const d = dot(dor, at(v, kv), hd);
          store<f32>(at(dp, s), d);
          pdp += p * d;
          axpy(at(dv, kv), p, dor, hd);
        }
        memory.fill(dqr, 0, <usize>hd << 2);
        for (let s = 0; s <= t; s++) {
          const kv = ((b * T + s) * KVH + kh) * hd;
          const ds = load<f32>(at(ar, s)) * (load<f32>(at(dp, s)) - pdp) * scale;
          axpy(dqr, ds, at(k, kv), hd);
          axpy(at(dk, kv), ds, qr, hd);
        }
      }
    }
  }
}

/** One new query per sequence against a KV cache. q, out [S,H,hd]; caches [slots, maxT, KVH, hd];
 *  slots, lens i32[S]. [start, end) index (s, h) pairs. scratch: maxT floats per thread for the scores. */
export function attention_decode(out: usize, q: usize, kCache: usize, vCache: usize, slots: usize, lens: usize,
  S: i32, H: i32, KVH: i32, hd: i32, maxT: i32, start: i32, end: i32, scratch: usize): void {
  const group = H / KVH;
  const scale = <f32>1.0 / Mathf.sqrt(<f32>hd);
  for (let sh = start; sh < end; sh++) {
    const s = sh / H, h = sh % H, kh = h / group;
    const slot = load<i32>(at(slots, s));
    const len = load<i32>(at(lens, s));
    const qr = at(q, (s * H + h) * hd);
    for (let t = 0; t < len; t++) {
      store<f32>(at(scratch, t), dot(qr, at(kCache, ((slot * maxT + t) * KVH + kh) * hd), hd) * scale);
    }
    softmaxInPlace(scratch, len);
    const orow = at(out, (s * H + h) * hd);
    memory.fill(orow, 0, <usize>hd << 2);
    for (let t = 0; t < len; t++) axpy(orow, load<f32>(at(scratch, t)), at(vCache, ((slot * maxT + t) * KVH + kh) * hd), hd);
  }
}
