// Shared helpers for the kernels. Pointers are byte offsets into the one shared memory.

/** Address of element i of a 32-bit array at p. */
// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Dot product of n floats with four lanes accumulated in order, then lanes summed 0+1+2+3, then the tail.
 *  Every kernel that needs a dot product uses this one so their results agree bit for bit. */
// @ts-ignore: decorator
@inline export function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    acc = f32x4.add(acc, f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i))));
  }
  let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) s += load<f32>(at(a, i)) * load<f32>(at(b, i));
  return s;
}

/** y[0..n) += s * x[0..n) */
// @ts-ignore: decorator
@inline export function axpy(y: usize, s: f32, x: usize, n: i32): void {
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(y, i), f32x4.add(v128.load(at(y, i)), f32x4.mul(sv, v128.load(at(x, i)))));
  }
  for (; i < n; i++) store<f32>(at(y, i), load<f32>(at(y, i)) + s * load<f32>(at(x, i)));
}
