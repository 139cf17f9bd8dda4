// The Runs page's calls (src/server/routes/app-runs.ts): training runs, their curves, eval tables and
// reports, and the rescan that records their checkpoints as model versions.
import { request } from '../api.ts';

export interface RunStep { name: string; finished: string | null; seconds: number | null; out: string | null; metrics: Record<string, number> }
export interface RunInfo {
  name: string; dir: string; preset: string | null; created: string | null; steps: RunStep[];
  hasEval: boolean; hasReport: boolean; problems: string[];
}
export interface StageMetrics {
  stage: string; steps: number; summary: Record<string, number> | null;
  curves: { key: string; points: Array<[number, number]> }[];
}
export interface TargetCheck { key: string; label: string; op: '>=' | '<='; value: number; actual: number | null; met: boolean | null; gap: number | null }
export interface EvalTable {
  model: string | null;
  targets: TargetCheck[];
  met: number;
  measured: number;
  rows: { key: string; label: string; value: number | null; against: number | null; target?: TargetCheck }[];
  comparison: { winRate: number; wins: number; losses: number; ties: number; n: number; kl: number; klPerToken: number; against: string } | null;
}

const run = (name: string) => `/api/runs/${encodeURIComponent(name)}`;

export const runsApi = {
  list: () => request<{ runsDir: string; items: RunInfo[] }>('GET', '/api/runs'),
  metrics: (name: string) => request<{ stages: StageMetrics[] }>('GET', `${run(name)}/metrics?points=200`),
  evalTable: (name: string) => request<EvalTable>('GET', `${run(name)}/eval`),
  reportUrl: (name: string) => `${run(name)}/report`,
  rescan: () => request<{ recorded: string[]; problems: string[] }>('POST', '/api/runs/rescan', {}),
};
