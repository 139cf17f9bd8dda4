// What the report card says, worked out once from a run's data; html.ts and markdown.ts only lay it out.
import { METRIC_LABELS, type EvalMetrics } from '../eval/metrics.ts';
import { flatMetrics } from '../eval/result.ts';
import { checkTargets, type TargetCheck } from './targets.ts';
import type { RunData, StageCurves } from './read-run.ts';

/** Curves worth a chart, in this order; other numeric fields follow. Bookkeeping fields are left out. */
const CURVE_ORDER = ['loss', 'score', 'reward', 'kl', 'accuracy', 'entropy', 'length', 'clip_frac', 'value_loss', 'policy_loss', 'beta', 'margin'];
const NOT_CURVES = new Set(['lr', 'tokens', 'grad_norm', 'seconds', 'epoch']);

export interface Curve {
  stage: string;
  key: string;
  points: Array<[number, number]>;
}

export function stageCurves(s: StageCurves): Curve[] {
  const keys = new Set<string>();
  for (const l of s.steps) for (const k of Object.keys(l.values)) if (!NOT_CURVES.has(k)) keys.add(k);
  const ordered = [...CURVE_ORDER.filter((k) => keys.has(k)), ...[...keys].filter((k) => !CURVE_ORDER.includes(k)).sort()];
  return ordered
    .map((key) => ({ stage: s.stage, key, points: s.steps.filter((l) => Number.isFinite(l.values[key])).map((l) => [l.step, l.values[key]] as [number, number]) }))
    .filter((c) => c.points.length >= 2);
}

export interface EvalRow {
  key: string;
  label: string;
  value: number | null;
  against: number | null;
  target?: TargetCheck;
}

export interface Timing {
  step: string;
  seconds: number;
  finished: string;
}

export interface ReportSummary {
  title: string;
  targets: TargetCheck[]; // empty when there is no evaluation yet
  met: number;
  measured: number;
  evalRows: EvalRow[];
  comparison?: { winRate: number; wins: number; losses: number; ties: number; n: number; kl: number; klPerToken: number; against: string };
  timings: Timing[];
  totalSeconds: number;
  curves: Curve[][]; // per stage
}

const num = (v: number | undefined | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function summarize(run: RunData): ReportSummary {
  const ev = run.evaluation;
  const targets = ev ? checkTargets(flatMetrics(ev)) : [];
  const byKey = new Map(targets.map((t) => [t.key, t]));
  const evalRows: EvalRow[] = ev
    ? (Object.keys(METRIC_LABELS) as Array<keyof EvalMetrics>).map((k) => ({
      key: k, label: METRIC_LABELS[k], value: num(ev.metrics[k]), against: ev.against ? num(ev.against.metrics[k]) : null, target: byKey.get(k),
    }))
    : [];
  if (ev?.meanRewardScore !== undefined) {
    evalRows.push({ key: 'meanRewardScore', label: 'mean reward-model score', value: num(ev.meanRewardScore), against: num(ev.against?.meanRewardScore) });
  }
  const timings = Object.entries(run.state.steps).map(([step, r]) => ({ step, seconds: r.seconds, finished: r.finished }));
  const measured = targets.filter((t) => t.met !== null);
  return {
    title: `Parley run ${run.name}`,
    targets,
    met: measured.filter((t) => t.met).length,
    measured: measured.length,
    evalRows,
    comparison: ev?.against ? { ...ev.against.comparison, against: ev.against.path } : undefined,
    timings,
    totalSeconds: timings.reduce((a, t) => a + (Number.isFinite(t.seconds) ? t.seconds : 0), 0),
    curves: run.stages.map(stageCurves).filter((c) => c.length > 0),
  };
}

export function fmtValue(key: string, v: number | null): string {
  if (v === null) return '—';
  if (key === 'prompts') return String(v);
  if (/^mean|kl/i.test(key)) return v.toFixed(2);
  return v.toFixed(3);
}

/** A stage summary's number: whole numbers as they are, others to 4 significant digits. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

export function fmtGap(t: TargetCheck): string {
  if (t.met === null) return 'not measured';
  const by = Math.abs(t.gap!).toFixed(3);
  return t.met ? (t.gap! > 0 ? `met (+${by})` : 'met') : `missed by ${by}`;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
