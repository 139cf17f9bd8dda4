// Model versions with their lineage (parent → child) and the metrics each training stage recorded:
// curves for series (e.g. loss, reward, KL as arrays) and a table for single numbers.
import { useEffect, useState } from 'react';
import { api, isMissingRoute, type ModelVersion } from '../api.ts';

export function Runs({ admin }: { admin: boolean }) {
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api.modelVersions().then((p) => setVersions(p.items), (err: Error) => setError(err.message));
  }, []);
  const serve = async (v: ModelVersion) => {
    setError('');
    try {
      const chosen = await api.setServing(v.id);
      setVersions((vs) => vs!.map((x) => ({ ...x, serving: x.id === chosen.id })));
    } catch (err) {
      setError(isMissingRoute(err) ? 'This server cannot switch versions from the app (no /api/model-versions/:id/serving).' : (err as Error).message);
    }
  };
  if (!versions) return error ? <p role="alert" className="error">{error}</p> : <p className="muted">Loading…</p>;
  const byId = new Map(versions.map((v) => [v.id, v]));
  const lineage = (v: ModelVersion) => {
    const chain: string[] = [];
    for (let p: ModelVersion | undefined = v; p; p = p.parentId ? byId.get(p.parentId) : undefined) chain.unshift(`${p.stage}:${p.id}`);
    return chain.join(' → ');
  };
  return (
    <section className="panel">
      <h2>Runs & models</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <p className="muted small">Serving a version switches the server's local model to that checkpoint: it loads in the background, replies already running finish on the old one, and a restart keeps the choice.</p>
      {!versions.length && <p className="muted">No model versions recorded yet: <code>parley pipeline</code> trains and records them.</p>}
      {versions.map((v) => {
        const metrics = Object.entries(v.metrics ?? {});
        const curves = metrics.filter(([, x]) => Array.isArray(x) && x.every((n) => typeof n === 'number')) as [string, number[]][];
        const scalars = metrics.filter(([, x]) => typeof x === 'number' || typeof x === 'string');
        return (
          <article key={v.id} className="version">
            <h3>{v.id} <span className="muted small">{v.stage}</span> {v.serving && <span className="badge">serving</span>}
              {admin && !v.serving && <button type="button" className="small-button" onClick={() => serve(v)}>Serve this version</button>}</h3>
            <p className="small muted">{lineage(v)} · {v.path} · {new Date(v.createdAt).toLocaleString()}</p>
            <div className="curves">{curves.map(([name, ys]) => <Curve key={name} name={name} ys={ys} />)}</div>
            {scalars.length > 0 && (
              <table className="grid"><tbody>{scalars.map(([k, x]) => <tr key={k}><th>{k}</th><td>{typeof x === 'number' ? x.toPrecision(4) : String(x)}</td></tr>)}</tbody></table>
            )}
          </article>
        );
      })}
    </section>
  );
}

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
