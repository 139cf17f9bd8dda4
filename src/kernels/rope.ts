// Rotary position embedding, HF rotate_half convention: element i pairs with i + headDim/2.
// Angles as PyTorch computes them: inv_freq and pos·inv_freq in float32, cos/sin of that float32 angle.
import { at } from './common';

/** In place on x[rows, nHeads*headDim]; pos i32[rows]; sign +1 forward, −1 backward (rotate by −angle).
 *  scratch: headDim/2 floats for the inverse frequencies. */
export function rope(x: usize, pos: usize, rows: i32, nHeads: i32, headDim: i32, theta: f32, sign: f32, start: i32, end: i32,
  scratch: usize): void {
  const half = headDim >> 1;
  for (let i = 0; i < half; i++) store<f32>(at(scratch, i), <f32>(1.0 / Math.pow(<f64>theta, <f64>(2 * i) / <f64>headDim)));
  for (let r = start; r < end; r++) {
    const p = <f32>load<i32>(at(pos, r));
    const row = at(x, r * nHeads * headDim);
    for (let i = 0; i < half; i++) {
      const angle = <f64>(p * load<f32>(at(scratch, i)));
      const c = <f32>Math.cos(angle);
      const s = sign * <f32>Math.sin(angle);
      for (let h = 0; h < nHeads; h++) {
        const a = at(row, h * headDim + i), b = at(row, h * headDim + i + half);
        const x1 = load<f32>(a), x2 = load<f32>(b);
        store<f32>(a, x1 * c - x2 * s);
        store<f32>(b, x2 * c + x1 * s);
      }
    }
  }
}
