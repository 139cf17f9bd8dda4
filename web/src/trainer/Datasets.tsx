// What the training loop will feed on: demonstrations, rankings, thumbs-up replies and filter reports,
// counted per day, with JSONL downloads (admins). Record ids start with their creation time in
// milliseconds (hex), which dates the exported rows that carry no timestamp of their own.
import { useEffect, useState } from 'react';
import { api, type User } from '../api.ts';

type Series = 'demonstrations' | 'rankings' | 'thumbs up' | 'filter reports';
const SERIES: Series[] = ['demonstrations', 'rankings', 'thumbs up', 'filter reports'];

export function dayOfId(id: string): string {
  return new Date(parseInt(id.slice(0, 12), 16)).toISOString().slice(0, 10);
}

function jsonl(text: string): Record<string, any>[] {
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function Datasets({ user }: { user: User }) {
  const [days, setDays] = useState<Map<string, Record<Series, number>>>(new Map());
  const [totals, setTotals] = useState<Record<string, number>>({});
  const [error, setError] = useState('');
  const admin = user.role === 'admin';

  useEffect(() => {
    (async () => {
      const dated: [Series, string][] = [];
      const t: Record<string, number> = {};
      if (admin) {
        const [sft, rankings, pairs] = await Promise.all([api.exportDataset('sft'), api.exportDataset('rankings'), api.exportDataset('pairs')]);
        const sftRows = jsonl(sft);
        for (const r of sftRows) {
          if (r.meta?.source === 'demonstration') dated.push(['demonstrations', dayOfId(r.meta.id)]);
          else if (r.meta?.source === 'thumbs_up') dated.push(['thumbs up', dayOfId(r.meta.message_id)]);
        }
        for (const r of jsonl(rankings)) dated.push(['rankings', dayOfId(r.meta.id)]);
        t['sft.jsonl rows'] = sftRows.length;
        t['rankings.jsonl rows'] = jsonl(rankings).length;
        t['pairs.jsonl rows'] = jsonl(pairs).length;
      } else {
        const [demos, ranks] = await Promise.all([api.demonstrations(), api.rankings()]);
        for (const d of demos.items) dated.push(['demonstrations', d.createdAt.slice(0, 10)]);
        for (const r of ranks.items) if (r.ranking || r.unusable) dated.push(['rankings', r.createdAt.slice(0, 10)]);
      }
      const reports = await api.reports(admin);
      for (const r of reports.items) dated.push(['filter reports', r.createdAt.slice(0, 10)]);
      const byDay = new Map<string, Record<Series, number>>();
      for (const [s, d] of dated) {
        const row = byDay.get(d) ?? { demonstrations: 0, rankings: 0, 'thumbs up': 0, 'filter reports': 0 };
        row[s]++;
        byDay.set(d, row);
      }
      for (const s of SERIES) t[s] = dated.filter(([x]) => x === s).length;
      setDays(new Map([...byDay].sort(([a], [b]) => (a < b ? 1 : -1))));
      setTotals(t);
    })().catch((err: Error) => setError(err.message));
  }, [admin]);

  const download = async (kind: 'sft' | 'rankings' | 'pairs') => {
    const text = await api.exportDataset(kind);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `${kind}.jsonl` });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="panel">
      <h2>Datasets</h2>
      {!admin && <p className="muted">Your own demonstrations, rankings and reports. Admins see everyone's and can export.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <dl className="totals">
        {Object.entries(totals).map(([k, v]) => <div key={k}><dt>{k}</dt><dd data-total={k}>{v}</dd></div>)}
      </dl>
      <table className="grid" aria-label="Counts per day">
        <thead><tr><th>Day</th>{SERIES.map((s) => <th key={s}>{s}</th>)}</tr></thead>
        <tbody>
          {[...days].map(([d, row]) => <tr key={d}><td>{d}</td>{SERIES.map((s) => <td key={s}>{row[s]}</td>)}</tr>)}
        </tbody>
      </table>
      {admin && (
        <div className="row">
          <button type="button" onClick={() => download('sft')}>Export SFT (JSONL)</button>
          <button type="button" onClick={() => download('rankings')}>Export rankings (JSONL)</button>
          <button type="button" onClick={() => download('pairs')}>Export pairs (JSONL)</button>
        </div>
      )}
    </section>
  );
}
