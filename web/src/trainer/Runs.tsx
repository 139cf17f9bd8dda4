// The Runs page: the training runs on the server (PARLEY_RUNS_DIR) with their curves, eval tables and
// report, and the model versions their checkpoints became, with lineage (parent → child), the metrics
// each stage recorded, and which one serves.
import { useCallback, useEffect, useState } from 'react';
import { api, isMissingRoute, type ModelVersion } from '../api.ts';
import { Curve } from '../components/Curve.tsx';
import { RunDetail } from './RunDetail.tsx';
import { runsApi, type RunInfo } from './runs-api.ts';

export function Runs({ admin }: { admin: boolean }) {
  const [runs, setRuns] = useState<{ runsDir: string; items: RunInfo[] } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const loadVersions = useCallback(() => api.modelVersions().then((p) => setVersions(p.items), (err: Error) => setError(err.message)), []);
  useEffect(() => {
    runsApi.list().then((r) => {
      setRuns(r);
      // The newest run opens by itself: usually the one being looked at.
      const newest = [...r.items].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '')).at(-1);
      if (newest) setOpen(newest.name);
    }, (err: Error) => setError(isMissingRoute(err) ? 'This server does not list training runs (no /api/runs).' : err.message));
    void loadVersions();
  }, [loadVersions]);

  const serve = async (v: ModelVersion) => {
    setError('');
    try {
      const chosen = await api.setServing(v.id);
      setVersions((vs) => vs!.map((x) => ({ ...x, serving: x.id === chosen.id })));
    } catch (err) {
      setError(isMissingRoute(err) ? 'This server cannot switch versions from the app (no /api/model-versions/:id/serving).' : (err as Error).message);
    }
  };
  const rescan = async () => {
    setError('');
    try {
      const r = await runsApi.rescan();
      setNotice(`${r.recorded.length} checkpoint(s) recorded${r.problems.length ? `; skipped: ${r.problems.join('; ')}` : ''}`);
      await loadVersions();
      setRuns(await runsApi.list());
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section className="panel">
      <h2>Runs & models</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <h3>Training runs</h3>
      {!runs && !error && <p className="muted">Loading…</p>}
      {runs && !runs.items.length && <p className="muted">No runs in <code>{runs.runsDir}</code> yet: <code>parley pipeline --out {runs.runsDir}/NAME</code> makes one.</p>}
      {runs?.items.map((r) => (
        <article key={r.name} className="version" aria-label={`Run ${r.name}`}>
          <h3>
            <button type="button" className="small-button" aria-expanded={open === r.name} onClick={() => setOpen(open === r.name ? null : r.name)}>
              {open === r.name ? '▾' : '▸'}
            </button>{' '}
            {r.name} <span className="muted small">{r.preset ?? 'unknown preset'}{r.created ? ` · ${new Date(r.created).toLocaleString()}` : ''}</span>{' '}
            {r.hasReport && <a className="small" href={runsApi.reportUrl(r.name)} target="_blank" rel="noopener">report</a>}
          </h3>
          <p className="small muted">{r.steps.length ? r.steps.map((s) => `${s.name}${s.seconds !== null ? ` ${Math.round(s.seconds)} s` : ''}`).join(' → ') : 'no step finished yet'}</p>
          {r.problems.map((p) => <p key={p} className="small error">{p}</p>)}
          {open === r.name && <RunDetail run={r} />}
        </article>
      ))}

      <h3>Model versions {admin && <button type="button" className="small-button" onClick={rescan}>Rescan</button>}</h3>
      {notice && <p className="small muted" role="status">{notice}</p>}
      <p className="muted small">Serving a version switches the server's local model to that checkpoint: it loads in the background, replies already running finish on the old one, and a restart keeps the choice.</p>
      {versions && !versions.length && <p className="muted">No model versions recorded yet: the checkpoints of the runs above are recorded when the server starts (or on Rescan).</p>}
      {versions && <VersionList versions={versions} admin={admin} onServe={serve} />}
    </section>
  );
}

function VersionList({ versions, admin, onServe }: { versions: ModelVersion[]; admin: boolean; onServe: (v: ModelVersion) => void }) {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const lineage = (v: ModelVersion) => {
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let p: ModelVersion | undefined = v; p && !seen.has(p.id); p = p.parentId ? byId.get(p.parentId) : undefined) {
      seen.add(p.id);
      chain.unshift(`${p.stage}:${p.id}`);
    }
    return chain.join(' → ');
  };
  // Parents before children (versions recorded in the same millisecond come back in id order).
  const ordered: ModelVersion[] = [];
  const placed = new Set<string>();
  const place = (v: ModelVersion) => {
    if (placed.has(v.id)) return;
    placed.add(v.id);
    ordered.push(v);
    for (const c of versions) if (c.parentId === v.id) place(c);
  };
  for (const v of versions) if (!v.parentId || !byId.has(v.parentId)) place(v);
  for (const v of versions) place(v); // a cycle of parents: still listed
  return (
    <>
      {ordered.map((v) => {
        const metrics = Object.entries(v.metrics ?? {});
        const curves = metrics.filter(([, x]) => Array.isArray(x) && x.every((n) => typeof n === 'number')) as [string, number[]][];
        const scalars = metrics.filter(([, x]) => typeof x === 'number' || typeof x === 'string');
        // A reward model scores replies; it does not chat, so it cannot serve.
        const servable = v.stage !== 'reward';
        return (
          <article key={v.id} className="version" aria-label={`Model version ${v.id}`}>
            <h3>{v.id} <span className="muted small">{v.stage}</span> {v.serving && <span className="badge">serving</span>}
              {admin && !v.serving && servable && <button type="button" className="small-button" onClick={() => onServe(v)}>Serve this version</button>}</h3>
            <p className="small muted">{lineage(v)} · {v.path} · {new Date(v.createdAt).toLocaleString()}</p>
            <div className="curves">{curves.map(([name, ys]) => <Curve key={name} name={name} ys={ys} />)}</div>
            {scalars.length > 0 && (
              <table className="grid"><tbody>{scalars.map(([k, x]) => <tr key={k}><th>{k}</th><td>{typeof x === 'number' ? x.toPrecision(4) : String(x)}</td></tr>)}</tbody></table>
            )}
          </article>
        );
      })}
    </>
  );
}
