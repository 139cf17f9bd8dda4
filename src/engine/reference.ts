// Plain float64 reference implementations of the engine's forward ops, written independently of the kernels
// (straight from the definitions) for the tests to compare against and to differentiate numerically.

/** out[M,N] = a[M,K] · b[N,K]ᵀ, plus Σ|a||b| per element (the scale of the rounding error). */
export function refMatmul(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number,
  layout: 'NT' | 'NN' | 'TN'): { out: Float64Array; mag: Float64Array } {
  const out = new Float64Array(M * N), mag = new Float64Array(M * N);
  const A = (m: number, k: number) => (layout === 'TN' ? a[k * M + m] : a[m * K + k]);
  const B = (k: number, n: number) => (layout === 'NT' ? b[n * K + k] : b[k * N + n]);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0, g = 0;
      for (let k = 0; k < K; k++) { const p = A(m, k) * B(k, n); s += p; g += Math.abs(p); }
      out[m * N + n] = s; mag[m * N + n] = g;
    }
  }
  return { out, mag };
}

export function refRmsnorm(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, dim: number, eps: number): { out: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(rows * dim), rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += x[r * dim + j] ** 2;
    rstd[r] = 1 / Math.sqrt(ss / dim + eps);
    for (let j = 0; j < dim; j++) out[r * dim + j] = x[r * dim + j] * rstd[r] * w[j];
  }
  return { out, rstd };
}

/** HF rotate_half: out = x·cos + rotate_half(x)·sin, rotate_half(x) = [−x2, x1]. */
export function refRope(x: ArrayLike<number>, pos: ArrayLike<number>, rows: number, nHeads: number, hd: number, theta: number): Float64Array {
  const out = Float64Array.from(x);
  const half = hd / 2;
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < nHeads; h++) {
      for (let i = 0; i < half; i++) {
        const ang = pos[r] * Math.pow(theta, -(2 * i) / hd);
        const o = (r * nHeads + h) * hd;
        const x1 = x[o + i], x2 = x[o + i + half];
        out[o + i] = x1 * Math.cos(ang) - x2 * Math.sin(ang);
        out[o + i + half] = x2 * Math.cos(ang) + x1 * Math.sin(ang);
      }
    }
  }
  return out;
}

/** Causal GQA attention; returns out [B,T,H,hd] and att [B,H,T,T]. */
export function refAttention(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  B: number, T: number, H: number, KVH: number, hd: number): { out: Float64Array; att: Float64Array } {
  const out = new Float64Array(B * T * H * hd), att = new Float64Array(B * H * T * T);
  const g = H / KVH;
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) {
    const kh = Math.floor(h / g);
    const sc: number[] = [];
    for (let s = 0; s <= t; s++) {
      let d = 0;
      for (let i = 0; i < hd; i++) d += q[((b * T + t) * H + h) * hd + i] * k[((b * T + s) * KVH + kh) * hd + i];
      sc.push(d / Math.sqrt(hd));
    }
    const mx = Math.max(...sc);
    const e = sc.map((z) => Math.exp(z - mx));
    const sum = e.reduce((x, y) => x + y, 0);
    for (let s = 0; s <= t; s++) {
      const p = e[s] / sum;
      att[((b * H + h) * T + t) * T + s] = p;
      for (let i = 0; i < hd; i++) out[((b * T + t) * H + h) * hd + i] += p * v[((b * T + s) * KVH + kh) * hd + i];
    }
  }
  return { out, att };
}

export function refSilu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** −log softmax(row)[t] for each row; and softmax rows. */
export function refCrossEntropy(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, V: number): { loss: Float64Array; probs: Float64Array } {
  const loss = new Float64Array(rows), probs = new Float64Array(rows * V);
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let j = 0; j < V; j++) mx = Math.max(mx, logits[r * V + j]);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[r * V + j] - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < V; j++) probs[r * V + j] = Math.exp(logits[r * V + j] - lse);
    loss[r] = targets[r] < 0 ? 0 : lse - logits[r * V + targets[r]];
  }
  return { loss, probs };
}

/** Central-difference gradient of a scalar function f at x (float64), one coordinate at a time. */
export function numericGrad(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i];
    x[i] = old + h; const fp = f(x);
    x[i] = old - h; const fm = f(x);
    x[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Σ a·b */
export function dotAll(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
