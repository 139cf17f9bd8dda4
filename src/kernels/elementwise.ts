// Elementwise kernels over [start, end) of n elements: add, addTo, scale, fill, copy, SwiGLU, AdamW.
// SIMD bodies and scalar tails compute each element the same way, so any split gives the same bits.
import { at, exp1, exp4 } from './common';

export function add_f32(out: usize, a: usize, b: usize, n: i32, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) v128.store(at(out, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < end; i++) store<f32>(at(out, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

export function add_to_f32(out: usize, a: usize, n: i32, start: i32, end: i32): void {
  add_f32(out, out, a, n, start, end);
}

export function scale_f32(x: usize, s: f32, n: i32, start: i32, end: i32): void {
  const sv = f32x4.splat(s);
  let i = start;
  for (; i + 4 <= end; i += 4) v128.store(at(x, i), f32x4.mul(v128.load(at(x, i)), sv));
  for (; i < end; i++) store<f32>(at(x, i), load<f32>(at(x, i)) * s);
}

export function fill_f32(x: usize, v: f32, n: i32, start: i32, end: i32): void {
  const vv = f32x4.splat(v);
  let i = start;
  for (; i + 4 <= end; i += 4) v128.store(at(x, i), vv);
  for (; i < end; i++) store<f32>(at(x, i), v);
}

export function copy_f32(out: usize, a: usize, n: i32, start: i32, end: i32): void {
  memory.copy(at(out, start), at(a, start), <usize>(end - start) << 2);
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function sigmoid1(x: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + exp1(-x));
}

/** h = silu(g) * u */
export function swiglu_forward(h: usize, g: usize, u: usize, n: i32, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const gi = v128.load(at(g, i));
    v128.store(at(h, i), f32x4.mul(f32x4.mul(gi, sigmoid4(gi)), v128.load(at(u, i))));
  }
  for (; i < end; i++) {
    const gi = load<f32>(at(g, i));
    store<f32>(at(h, i), gi * sigmoid1(gi) * load<f32>(at(u, i)));
  }
}

/** dg = dh * u * silu'(g), du = dh * silu(g); silu'(g) = s (1 + g (1 - s)) with s = sigmoid(g). */
export function swiglu_backward(dg: usize, du: usize, dh: usize, g: usize, u: usize, n: i32, start: i32, end: i32): void {
  const one = f32x4.splat(1);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const gi = v128.load(at(g, i)), ui = v128.load(at(u, i)), d = v128.load(at(dh, i));
    const s = sigmoid4(gi);
    v128.store(at(du, i), f32x4.mul(f32x4.mul(d, gi), s));
    v128.store(at(dg, i), f32x4.mul(f32x4.mul(f32x4.mul(d, ui), s), f32x4.add(one, f32x4.mul(gi, f32x4.sub(one, s)))));
  }
  for (; i < end; i++) {
    const gi = load<f32>(at(g, i));
    const ui = load<f32>(at(u, i));
    const d = load<f32>(at(dh, i));
    const s = sigmoid1(gi);
    store<f32>(at(du, i), d * gi * s);
    store<f32>(at(dg, i), d * ui * s * (1.0 + gi * (1.0 - s)));
  }
}

/** One AdamW step (PyTorch semantics): p *= 1 - lr wd; m, v moments; p -= lr m̂ / (√v̂ + eps). */
export function adamw(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, step: i32,
  start: i32, end: i32): void {
  const bc1 = <f32>(1.0 - Math.pow(<f64>b1, <f64>step));
  const bc2 = <f32>(1.0 - Math.pow(<f64>b2, <f64>step));
  const decay = <f32>1.0 - lr * wd;
  const stepSize = lr / bc1;
  const bc2sqrt = Mathf.sqrt(bc2);
  const c1: f32 = 1.0 - b1, c2: f32 = 1.0 - b2;
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  const vdecay = f32x4.splat(decay), vstep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2sqrt), veps = f32x4.splat(eps);
  let i = start;
  // The same operations in the same order as the scalar tail below, lane by lane.
  for (; i + 4 <= end; i += 4) {
    const gi = v128.load(at(g, i));
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(at(m, i), mi);
    v128.store(at(v, i), vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vbc2), veps);
    v128.store(at(p, i), f32x4.sub(f32x4.mul(v128.load(at(p, i)), vdecay), f32x4.div(f32x4.mul(vstep, mi), denom)));
  }
  for (; i < end; i++) {
    const gi = load<f32>(at(g, i));
    const mi = b1 * load<f32>(at(m, i)) + c1 * gi;
    const vi = b2 * load<f32>(at(v, i)) + c2 * gi * gi;
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    const denom = Mathf.sqrt(vi) / bc2sqrt + eps;
    store<f32>(at(p, i), load<f32>(at(p, i)) * decay - stepSize * mi / denom);
  }
}

/** Partial sums of squares in fixed blocks of SUMSQ_BLOCK elements: partials (f64) [block]; [start, end) are block indices. */
export const SUMSQ_BLOCK: i32 = 4096;
export function sum_squares_blocks(partials: usize, x: usize, n: i32, start: i32, end: i32): void {
  for (let b = start; b < end; b++) {
    const lo = b * SUMSQ_BLOCK;
    const hi = min(n, lo + SUMSQ_BLOCK);
    let acc = f64x2.splat(0);
    let i = lo;
    for (; i + 4 <= hi; i += 4) {
      const v = v128.load(at(x, i));
      const lo2 = f64x2.promote_low_f32x4(v);
      const hi2 = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo2, lo2), f64x2.mul(hi2, hi2)));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; i < hi; i++) { const xi = <f64>load<f32>(at(x, i)); s += xi * xi; }
    store<f64>(partials + (<usize>b << 3), s);
  }
}
