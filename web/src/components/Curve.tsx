// A small line chart of one series (a training curve): the last value and the range in the caption.
export function Curve({ name, ys }: { name: string; ys: number[] }) {
  const w = 240, h = 80;
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const pts = ys.map((y, i) => `${(i / Math.max(1, ys.length - 1)) * w},${h - ((y - lo) / (hi - lo || 1)) * h}`).join(' ');
  return (
    <figure className="curve">
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${name} curve`}><polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" /></svg>
      <figcaption>{name}: {ys.at(-1)?.toPrecision(4)} <span className="muted small">({lo.toPrecision(3)}–{hi.toPrecision(3)})</span></figcaption>
    </figure>
  );
}
