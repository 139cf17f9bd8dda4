// Inline SVG icons: they render the same everywhere, unlike emoji that depend on the system's fonts.
const PATHS = {
  copy: 'M9 9h10v10H9z M5 15V5h10',
  check: 'M5 12l5 5 9-10',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13 7l4 4',
  regenerate: 'M20 12a8 8 0 1 1-2.3-5.7 M20 4v5h-5',
  up: 'M7 10v10H4V10z M7 10l4-7c1.5 0 2.5 1 2.2 2.5L12.5 9H19c1.2 0 2 1 1.8 2.2l-1.3 7A2 2 0 0 1 17.5 20H7',
  down: 'M7 14V4H4v10z M7 14l4 7c1.5 0 2.5-1 2.2-2.5L12.5 15H19c1.2 0 2-1 1.8-2.2l-1.3-7A2 2 0 0 0 17.5 4H7',
  flag: 'M5 21V4 M5 4h11l-2 4 2 4H5',
  plus: 'M12 5v14 M5 12h14',
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  send: 'M12 19V5 M6 11l6-6 6 6',
  menu: 'M4 7h16 M4 12h16 M4 17h16',
  more: 'M6 12h.01 M12 12h.01 M18 12h.01',
} as const;

export function Icon({ name, filled = false }: { name: keyof typeof PATHS | 'stop'; filled?: boolean }) {
  if (name === 'stop') {
    return <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true"><rect width="14" height="14" rx="2" fill="currentColor" /></svg>;
  }
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill={filled ? 'currentColor' : 'none'} fillOpacity={filled ? 0.25 : 0}
      stroke="currentColor" strokeWidth={name === 'more' ? 3 : 1.8} strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
