// Rotary position embedding, HF rotate_half convention: element i pairs with i + headDim/2.
// Angles as PyTorch computes them: inv_freq and pos·inv_freq in float32, cos/sin of that float32 angle.
// cos/sin come from a table [positions, headDim] (cos in the first half of a row, sin in the second) that
// the op layer fills once per (theta, headDim) with rope_table and extends as longer positions appear.
import { at } from './common';

/** Fills table rows p in [start, end): tab[p, i] = cos(p·invFreq_i), tab[p, half + i] = sin(p·invFreq_i). */
export function rope_table(tab: usize, theta: f32, headDim: i32, start: i32, end: i32): void {
  const half = headDim >> 1;
  for (let i = 0; i < half; i++) {
    const invFreq = <f32>(1.0 / Math.pow(<f64>theta, <f64>(2 * i) / <f64>headDim));
    for (let p = start; p < end; p++) {
      const angle = <f64>(<f32>p * invFreq);
      store<f32>(at(tab, p * headDim + i), <f32>Math.cos(angle));
      store<f32>(at(tab, p * headDim + half + i), <f32>Math.sin(angle));
    }
  }
}

/** In place on x[rows, nHeads*headDim]; pos i32[rows]; sign +1 forward, −1 backward (rotate by −angle). */
export function rope(x: usize, pos: usize, rows: i32, nHeads: i32, headDim: i32, tab: usize, sign: f32, start: i32, end: i32): void {
  const half = headDim >> 1, h4 = half & ~3;
  const sv = f32x4.splat(sign);
  for (let r = start; r < end; r++) {
    const cs = at(tab, load<i32>(at(pos, r)) * headDim);
    for (let h = 0; h < nHeads; h++) {
      const a = at(x, (r * nHeads + h) * headDim), b = at(a, half);
      let i = 0;
      for (; i < h4; i += 4) {
        const c = v128.load(at(cs, i)), s = f32x4.mul(v128.load(at(cs, half + i)), sv);
        const x1 = v128.load(at(a, i)), x2 = v128.load(at(b, i));
        v128.store(at(a, i), f32x4.sub(f32x4.mul(x1, c), f32x4.mul(x2, s)));
        v128.store(at(b, i), f32x4.add(f32x4.mul(x2, c), f32x4.mul(x1, s)));
      }
      for (; i < half; i++) {
        const c = load<f32>(at(cs, i)), s = load<f32>(at(cs, half + i)) * sign;
        const x1 = load<f32>(at(a, i)), x2 = load<f32>(at(b, i));
        store<f32>(at(a, i), x1 * c - x2 * s);
        store<f32>(at(b, i), x2 * c + x1 * s);
      }
    }
  }
}
