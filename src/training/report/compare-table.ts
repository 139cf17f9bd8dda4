// The comparison table of a `parley pipeline --compare` run: PPO (the main eval) beside DPO and
// best-of-n (eval/compare.json) and the SFT model they all start from, on the same held-out prompts.
// Every win rate is against the SFT model's greedy replies, judged by the simulated ranker in gold mode;
// KL is to the SFT model (measured for PPO and DPO, the analytic bound for best-of-n).
import { METRIC_LABELS, type EvalMetrics } from '../eval/metrics.ts';
import type { RunData } from './read-run.ts';

export interface CompareTable {
  columns: string[]; // 'SFT', 'PPO', 'DPO (β …)', 'best-of-n'
  rows: Array<{ label: string; cells: string[] }>;
  notes: string[];
}

const num = (v: number | undefined | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const fmt = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));

export function compareTable(run: RunData): CompareTable | undefined {
  const c = run.comparison;
  if (!c) return undefined;
  const ev = run.evaluation; // PPO's column; empty when the main eval is missing
  const ppoVsSft = ev?.against?.comparison;
  const beta = run.run?.compare?.beta;
  const columns = ['SFT', 'PPO', `DPO${beta !== undefined ? ` (β ${beta})` : ''}`, `best-of-${c.bestOfN.n}`];
  const winCell = (w: { winRate: number; wins: number; losses: number; ties: number } | undefined) => (w ? `${fmt(num(w.winRate))} (${w.wins}/${w.losses}/${w.ties})` : '—');
  const rows: CompareTable['rows'] = [
    { label: 'win rate vs SFT (wins/losses/ties)', cells: ['—', winCell(ppoVsSft), winCell(c.dpo.comparison), winCell(c.bestOfN.comparison)] },
    { label: 'KL to SFT (nats per reply)', cells: ['0', fmt(num(ppoVsSft?.kl), 2), fmt(num(c.dpo.comparison.kl), 2), `≤ ${fmt(c.bestOfN.comparison.klBound, 2)}`] },
    { label: 'mean reward-model score', cells: [c.sft, ev, c.dpo, c.bestOfN].map((m) => fmt(num(m?.meanRewardScore), 2)) },
  ];
  for (const k of Object.keys(METRIC_LABELS) as Array<keyof EvalMetrics>) {
    const vals = [c.sft.metrics[k], ev?.metrics[k], c.dpo.metrics[k], c.bestOfN.metrics[k]].map(num);
    if (k === 'prompts' || vals.every((v) => v === null)) continue;
    rows.push({ label: METRIC_LABELS[k], cells: vals.map((v) => fmt(v, /^mean/.test(k) ? 2 : 3)) });
  }
  const notes = [
    `${c.data.prompts} held-out prompts (the main eval's), up to ${c.settings.maxTokens} tokens per turn; SFT, PPO and DPO reply greedily.`,
    `Best-of-${c.bestOfN.n}: ${c.bestOfN.n} samples of the SFT model at temperature ${c.bestOfN.temperature}, the reward model's favourite kept (mean score ${fmt(num(c.bestOfN.meanSampleScore), 2)} over all samples); its KL is the analytic bound log n − (n−1)/n.`,
    `Win rates are against the SFT model's greedy replies, judged by the simulated ranker in gold mode (ties count half).`,
  ];
  if (!ev) notes.push('The PPO column is empty: the run has no eval/eval.json.');
  return { columns, rows, notes };
}
