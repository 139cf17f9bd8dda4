// `parley eval` without --json: the metrics as a plain-text table (ours, and the other model's beside).
import { METRIC_LABELS, type EvalMetrics } from './metrics.ts';
import type { EvalResult } from './result.ts';
import { checkTargets } from '../report/targets.ts';

function fmt(v: number | undefined | null, key: string): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  if (key === 'prompts') return String(v);
  if (key.startsWith('mean')) return v.toFixed(2);
  return v.toFixed(3);
}

export function formatEvalTable(r: EvalResult): string {
  const keys = Object.keys(METRIC_LABELS) as Array<keyof EvalMetrics>;
  const flat: Record<string, number> = { ...r.metrics, ...(r.against ? { winRate: r.against.comparison.winRate } : {}) };
  const targets = new Map(checkTargets(flat).map((t) => [t.key, t]));
  const rows: string[][] = [['metric', 'model', ...(r.against ? ['against'] : []), 'target']];
  for (const k of keys) {
    const t = targets.get(k);
    const mark = t?.met === true ? `${t.op} ${t.value} met` : t?.met === false ? `${t.op} ${t.value} MISSED by ${Math.abs(t.gap!).toFixed(3)}` : '';
    rows.push([METRIC_LABELS[k], fmt(r.metrics[k], k), ...(r.against ? [fmt(r.against.metrics[k], k)] : []), mark]);
  }
  if (r.meanRewardScore !== undefined) rows.push(['mean reward-model score', fmt(r.meanRewardScore, 'x'), ...(r.against ? [fmt(r.against.meanRewardScore, 'x')] : []), '']);
  const width = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(width[c])).join('  ').trimEnd());
  lines.splice(1, 0, width.map((w) => '-'.repeat(w)).join('  '));
  if (r.against) {
    const c = r.against.comparison, t = targets.get('winRate');
    lines.push('', `win rate vs ${r.against.path}: ${c.winRate.toFixed(3)} (${c.wins} wins, ${c.losses} losses, ${c.ties} ties of ${c.n})` +
      `${t?.met === false ? ` — target >= 0.6 missed by ${Math.abs(t.gap!).toFixed(3)}` : ''}; KL ${c.kl.toFixed(3)} nats per reply (${c.klPerToken.toFixed(4)} per token)`);
  }
  if (r.bestOf) lines.push(`best-of-${r.bestOf.n}: chosen score ${r.bestOf.meanChosenScore.toFixed(3)} vs ${r.bestOf.meanSampleScore.toFixed(3)} per sample; KL bound ${r.bestOf.klBound.toFixed(3)} nats`);
  lines.push(`${r.data.prompts} prompts in ${r.seconds.toFixed(1)} s`);
  return lines.join('\n');
}
