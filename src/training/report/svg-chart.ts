// A small line chart as an inline SVG string: the raw series as a faint line, a centered moving
// average over it when it is noisy, "nice" axis ticks, and the last value written at the end. No
// dependencies, no scripts: the report is one static HTML file that opens anywhere.

export interface ChartOptions {
  title: string;
  width?: number; // px, default 320
  height?: number; // px, default 180
  smooth?: number; // half-width of the moving average; default: ~n/30 points when the series is noisy, else none
  color?: string;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round numbers spanning [lo, hi]: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** Centered moving average over 2·half + 1 points (fewer at the ends): smooths without lagging. */
export function movingAverage(ys: number[], half: number): number[] {
  return ys.map((_, i) => {
    const lo = Math.max(0, i - half), hi = Math.min(ys.length - 1, i + half);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += ys[j];
    return s / (hi - lo + 1);
  });
}

/** Mean |second difference| relative to the range: ~0 for smooth curves, large for step-to-step noise. */
export function roughness(ys: number[]): number {
  if (ys.length < 3) return 0;
  const range = Math.max(...ys) - Math.min(...ys);
  if (!(range > 0)) return 0;
  let s = 0;
  for (let i = 1; i + 1 < ys.length; i++) s += Math.abs(ys[i + 1] - 2 * ys[i] + ys[i - 1]);
  return s / (ys.length - 2) / range;
}

/** points: [x, y] pairs in x order; non-finite y values are skipped. */
export function lineChart(points: Array<[number, number]>, o: ChartOptions): string {
  const W = o.width ?? 320, H = o.height ?? 180, color = o.color ?? '#2563eb';
  const pts = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const left = 46, right = 12, top = 22, bottom = 24;
  const title = `<text x="${left}" y="14" class="t">${escapeXml(o.title)}</text>`;
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(o.title)}">${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="a">no data</text></svg>`;
  }
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
  const py = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * (H - top - bottom);
  const path = (vals: number[]) => vals.map((y, i) => `${i ? 'L' : 'M'}${px(xs[i]).toFixed(1)},${py(y).toFixed(1)}`).join('');
  const parts: string[] = [title];
  for (const t of niceTicks(y0, y1)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" class="g"/><text x="${left - 4}" y="${y}" dy="3" text-anchor="end" class="a">${formatTick(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 4)) {
    parts.push(`<text x="${px(t).toFixed(1)}" y="${H - 8}" text-anchor="middle" class="a">${formatTick(t)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${W - left - right}" height="${H - top - bottom}" class="f"/>`);
  const half = o.smooth ?? (pts.length >= 20 && roughness(ys) > 0.03 ? Math.max(1, Math.round(pts.length / 30)) : 0);
  if (half > 0) {
    parts.push(`<path d="${path(ys)}" fill="none" stroke="${color}" stroke-opacity="0.25" stroke-width="1"/>`);
    parts.push(`<path d="${path(movingAverage(ys, half))}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
  } else {
    parts.push(`<path d="${path(ys)}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    if (pts.length <= 12) for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2" fill="${color}"/>`);
  }
  const last = ys[ys.length - 1];
  parts.push(`<text x="${W - right}" y="14" text-anchor="end" class="v">last ${escapeXml(formatTick(last))}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(o.title)}">${parts.join('')}</svg>`;
}
