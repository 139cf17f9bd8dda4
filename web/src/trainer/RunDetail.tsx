// One training run: its curves per stage (loss, reward, KL… from metrics.jsonl) and its eval table
// with the targets each metric is held to (eval/eval.json).
import { useEffect, useState } from 'react';
import { Curve } from '../components/Curve.tsx';
import { runsApi, type EvalTable, type RunInfo, type StageMetrics } from './runs-api.ts';

/** The curves worth a glance on the page; the report has every logged series. */
const SHOWN = ['loss', 'score', 'reward', 'kl', 'accuracy', 'margin'];

const fmt = (x: number | null | undefined) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(3)) : '—');

export function RunDetail({ run }: { run: RunInfo }) {
  const [stages, setStages] = useState<StageMetrics[] | null>(null);
  const [table, setTable] = useState<EvalTable | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    runsApi.metrics(run.name).then((m) => setStages(m.stages), (err: Error) => setError(err.message));
    if (run.hasEval) runsApi.evalTable(run.name).then(setTable, (err: Error) => setError(err.message));
  }, [run.name, run.hasEval]);
  return (
    <div className="run-detail">
      {error && <p role="alert" className="error">{error}</p>}
      {!stages && !error && <p className="muted">Loading curves…</p>}
      {stages && !stages.length && <p className="muted">No metrics logged yet (metrics.jsonl is empty or missing).</p>}
      {stages?.map((s) => {
        const curves = s.curves.filter((c) => SHOWN.includes(c.key));
        if (!curves.length && !s.summary) return null;
        return (
          <section key={s.stage} aria-label={`${s.stage} stage`}>
            <h4>{s.stage} <span className="muted small">{s.steps} steps</span></h4>
            <div className="curves">{curves.map((c) => <Curve key={c.key} name={`${s.stage} ${c.key}`} ys={c.points.map((p) => p[1])} />)}</div>
            {s.summary && <p className="small muted">end of stage: {Object.entries(s.summary).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ')}</p>}
          </section>
        );
      })}
      {!run.hasEval && <p className="muted">No evaluation yet: the pipeline's <code>eval</code> step writes <code>eval/eval.json</code>.</p>}
      {table && <EvalTableView table={table} />}
    </div>
  );
}

function EvalTableView({ table }: { table: EvalTable }) {
  const c = table.comparison;
  const winRate = table.targets.find((t) => t.key === 'winRate');
  return (
    <section aria-label="Evaluation">
      <h4>Evaluation <span className="muted small">{table.met} of {table.measured} measured targets met</span></h4>
      {c && <p className="small">Preferred over {c.against}: win rate {fmt(c.winRate)} ({c.wins} wins, {c.losses} losses, {c.ties} ties of {c.n}) at KL {fmt(c.kl)}
        {winRate && <> — target {winRate.op} {winRate.value} {winRate.met ? '✓' : '✗'}</>}</p>}
      <table className="grid" aria-label="Eval table">
        <thead><tr><th>metric</th><th>value</th>{c && <th>{c.against.split('/').at(-1)}</th>}<th>target</th><th>met</th></tr></thead>
        <tbody>
          {table.rows.map((r) => (
            <tr key={r.key}>
              <th>{r.label}</th>
              <td>{fmt(r.value)}</td>
              {c && <td>{fmt(r.against)}</td>}
              <td>{r.target ? `${r.target.op} ${r.target.value}` : ''}</td>
              <td>{r.target?.met === true ? '✓ met' : r.target?.met === false ? `✗ short by ${fmt(Math.abs(r.target.gap ?? 0))}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
