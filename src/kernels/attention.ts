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

/** dst[s] = scale · (q · k_s) for s < n, k_s at kbase + s·kstride bytes. Four keys at a time (independent
 *  chains), each dot summed exactly like common.dot, so the result matches dot() bit for bit. */
function scores(dst: usize, q: usize, kbase: usize, kstride: usize, n: i32, hd: i32, scale: f32): void {
  const h4 = hd & ~3;
  let s = 0;
  for (; s + 4 <= n; s += 4) {
    const k0 = kbase + <usize>s * kstride, k1 = k0 + kstride, k2 = k1 + kstride, k3 = k2 + kstride;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let i = 0; i < h4; i += 4) {
      const qv = v128.load(at(q, i));
      a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(at(k0, i))));
      a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(at(k1, i))));
      a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(at(k2, i))));
      a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(at(k3, i))));
    }
    let d0 = hsum(a0), d1 = hsum(a1), d2 = hsum(a2), d3 = hsum(a3);
    for (let i = h4; i < hd; i++) {
      const qi = load<f32>(at(q, i));
      d0 += qi * load<f32>(at(k0, i)); d1 += qi * load<f32>(at(k1, i));
      d2 += qi * load<f32>(at(k2, i)); d3 += qi * load<f32>(at(k3, i));
    }
    store<f32>(at(dst, s), d0 * scale); store<f32>(at(dst, s + 1), d1 * scale);
    store<f32>(at(dst, s + 2), d2 * scale); store<f32>(at(dst, s + 3), d3 * scale);
  }
  for (; s < n; s++) store<f32>(at(dst, s), dot(q, kbase + <usize>s * kstride, hd) * scale);
}

/** out[0..hd) = Σ_s w[s] · v_s over s < n in order (v_s at vbase + s·vstride bytes), 16 outputs at a time
 *  held in registers; each element sums exactly as a zero fill followed by axpy per s would. */
function weightedSum(out: usize, w: usize, n: i32, vbase: usize, vstride: usize, hd: i32): void {
  let i = 0;
  for (; i + 16 <= hd; i += 16) {
    let o0 = f32x4.splat(0), o1 = f32x4.splat(0), o2 = f32x4.splat(0), o3 = f32x4.splat(0);
    let vp = at(vbase, i);
    for (let s = 0; s < n; s++) {
      const p = v128.load32_splat(at(w, s));
      o0 = f32x4.add(o0, f32x4.mul(p, v128.load(vp)));
      o1 = f32x4.add(o1, f32x4.mul(p, v128.load(vp, 16)));
      o2 = f32x4.add(o2, f32x4.mul(p, v128.load(vp, 32)));
      o3 = f32x4.add(o3, f32x4.mul(p, v128.load(vp, 48)));
      vp += vstride;
    }
    v128.store(at(out, i), o0); v128.store(at(out, i), o1, 16); v128.store(at(out, i), o2, 32); v128.store(at(out, i), o3, 48);
  }
  for (; i + 4 <= hd; i += 4) {
    let o = f32x4.splat(0);
    for (let s = 0; s < n; s++) o = f32x4.add(o, f32x4.mul(v128.load32_splat(at(w, s)), v128.load(at(vbase + <usize>s * vstride, i))));
    v128.store(at(out, i), o);
  }
  for (; i < hd; i++) {
    let o: f32 = 0;
    for (let s = 0; s < n; s++) o += load<f32>(at(w, s)) * load<f32>(at(vbase + <usize>s * vstride, i));
    store<f32>(at(out, i), o);
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
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
    const kvStride = <usize>(KVH * hd) << 2;
    scores(ar, qr, at(k, (b * T * KVH + kh) * hd), kvStride, t + 1, hd, scale);
    softmaxInPlace(ar, t + 1);
    for (let s = t + 1; s < T; s++) store<f32>(at(ar, s), 0);
    weightedSum(at(out, ((b * T + t) * H + h) * hd), ar, t + 1, at(v, (b * T * KVH + kh) * hd), kvStride, hd);
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
        const kvStride = <usize>(KVH * hd) << 2;
        const kb = at(k, (b * T * KVH + kh) * hd), vb = at(v, (b * T * KVH + kh) * hd);
        // dp_s = dout_t · v_s; dv_s += p_s dout_t; Σ p dp for the softmax backward.
        scores(dp, dor, vb, kvStride, t + 1, hd, 1.0);
        let pdp: f32 = 0;
        for (let s = 0; s <= t; s++) {
          const p = load<f32>(at(ar, s));
          pdp += p * load<f32>(at(dp, s));
          axpy(at(dv, ((b * T + s) * KVH + kh) * hd), p, dor, hd);
        }
        // ds_s = p_s (dp_s − Σ p dp) · scale, in place of dp; dq_t = Σ ds_s k_s; dk_s += ds_s q_t.
        for (let s = 0; s <= t; s++) store<f32>(at(dp, s), load<f32>(at(ar, s)) * (load<f32>(at(dp, s)) - pdp) * scale);
        weightedSum(dqr, dp, t + 1, kb, kvStride, hd);
        for (let s = 0; s <= t; s++) axpy(at(dk, ((b * T + s) * KVH + kh) * hd), load<f32>(at(dp, s)), qr, hd);
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
    const kvStride = <usize>(KVH * hd) << 2;
    scores(scratch, qr, at(kCache, (slot * maxT * KVH + kh) * hd), kvStride, len, hd, scale);
    softmaxInPlace(scratch, len);
    weightedSum(at(out, (s * H + h) * hd), scratch, len, at(vCache, (slot * maxT * KVH + kh) * hd), kvStride, hd);
  }
}
