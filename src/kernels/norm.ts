// RMSNorm over rows of x[rows, dim]: out = x · rstd · w, rstd = 1/√(mean(x²) + eps).
import { at, dot } from './common';

export function rmsnorm_forward(out: usize, rstd: usize, x: usize, w: usize, rows: i32, dim: i32, eps: f32, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const xr = at(x, r * dim), or = at(out, r * dim);
    const ss = dot(xr, xr, dim);
    const rs = <f32>1.0 / Mathf.sqrt(ss / <f32>dim + eps);
    store<f32>(at(rstd, r), rs);
    const rv = f32x4.splat(rs);
    let i = 0;
    for (; i + 4 <= dim; i += 4) {
      v128.store(at(or, i), f32x4.mul(f32x4.mul(v128.load(at(xr, i)), rv), v128.load(at(w, i))));
    }
    for (; i < dim; i++) store<f32>(at(or, i), load<f32>(at(xr, i)) * rs * load<f32>(at(w, i)));
  }
}

/** dx += rstd · (dn − x̂ · mean(dn · x̂)) with dn = dout · w and x̂ = x · rstd; rows [start, end). */
export function rmsnorm_backward_dx(dx: usize, dout: usize, x: usize, w: usize, rstd: usize, rows: i32, dim: i32, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const xr = at(x, r * dim), dr = at(dout, r * dim), dxr = at(dx, r * dim);
    const rs = load<f32>(at(rstd, r));
    // mean(dn · x̂) = rstd/dim · Σ dout·w·x
    let acc = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= dim; i += 4) {
      acc = f32x4.add(acc, f32x4.mul(f32x4.mul(v128.load(at(dr, i)), v128.load(at(w, i))), v128.load(at(xr, i))));
    }
    let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; i < dim; i++) s += load<f32>(at(dr, i)) * load<f32>(at(w, i)) * load<f32>(at(xr, i));
    const c = s * rs * rs / <f32>dim; // multiplies x (not x̂) below, hence rstd²
    const rv = f32x4.splat(rs), cv = f32x4.splat(c);
    i = 0;
    for (; i + 4 <= dim; i += 4) {
      const dn = f32x4.mul(v128.load(at(dr, i)), v128.load(at(w, i)));
      const g = f32x4.mul(rv, f32x4.sub(dn, f32x4.mul(v128.load(at(xr, i)), cv)));
      v128.store(at(dxr, i), f32x4.add(v128.load(at(dxr, i)), g));
    }
    for (; i < dim; i++) {
      const dn = load<f32>(at(dr, i)) * load<f32>(at(w, i));
      store<f32>(at(dxr, i), load<f32>(at(dxr, i)) + rs * (dn - load<f32>(at(xr, i)) * c));
    }
  }
}

/** dw[j] += Σ_r dout[r,j] · x[r,j] · rstd[r], rows in order; [start, end) are columns j, so any split is exact. */
export function rmsnorm_backward_dw(dw: usize, dout: usize, x: usize, rstd: usize, rows: i32, dim: i32, start: i32, end: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * dim), dr = at(dout, r * dim);
    const rs = load<f32>(at(rstd, r));
    const rv = f32x4.splat(rs);
    let j = start;
    for (; j + 4 <= end; j += 4) {
      v128.store(at(dw, j), f32x4.add(v128.load(at(dw, j)), f32x4.mul(f32x4.mul(v128.load(at(dr, j)), v128.load(at(xr, j))), rv)));
    }
    for (; j < end; j++) store<f32>(at(dw, j), load<f32>(at(dw, j)) + load<f32>(at(dr, j)) * load<f32>(at(xr, j)) * rs);
  }
}
