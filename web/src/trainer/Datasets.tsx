// What the training loop will feed on: demonstrations, rankings, thumbs-up replies and filter reports,
// counted per day, with JSONL downloads (admins). Record ids start with their creation time in
// milliseconds (hex), which dates the exported rows that carry no timestamp of their own.
import { useEffect, useState } from 'react';
import { api, isMissingRoute, type DayCounts, type User } from '../api.ts';

type Series = 'demonstrations' | 'rankings' | 'unusable sets' | 'thumbs up' | 'thumbs down' | 'filter false positives' | 'filter false negatives' | 'filter reports';
const SERVER_SERIES: [Series, keyof Omit<DayCounts, 'day'>][] = [
  ['demonstrations', 'demonstrations'], ['rankings', 'rankings'], ['unusable sets', 'unusable'], ['thumbs up', 'thumbsUp'],
  ['thumbs down', 'thumbsDown'], ['filter false positives', 'falsePositives'], ['filter false negatives', 'falseNegatives'],
];
const FALLBACK_SERIES: Series[] = ['demonstrations', 'rankings', 'thumbs up', 'filter reports'];
type Row = Partial<Record<Series, number>>;

export function dayOfId(id: string): string {
  return new Date(parseInt(id.slice(0, 12), 16)).toISOString().slice(0, 10);
}

function jsonl(text: string): Record<string, any>[] {
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function Datasets({ user }: { user: User }) {
  const [days, setDays] = useState<Map<string, Row>>(new Map());
  const [series, setSeries] = useState<Series[]>([]);
  const [totals, setTotals] = useState<Record<string, number>>({});
  const [error, setError] = useState('');
  const admin = user.role === 'admin';

  useEffect(() => {
    (async () => {
      const t: Record<string, number> = {};
      if (admin) {
        const [sft, rankings, pairs] = await Promise.all([api.exportDataset('sft'), api.exportDataset('rankings'), api.exportDataset('pairs')]);
        t['sft.jsonl rows'] = jsonl(sft).length;
        t['rankings.jsonl rows'] = jsonl(rankings).length;
        t['pairs.jsonl rows'] = jsonl(pairs).length;
      }
      let byDay: Map<string, Row>;
      let shown: Series[];
      try {
        // Every user's data, counted by the server (trainers and admins).
        const stats = await api.consoleStats(90);
        byDay = new Map(stats.days.map((d) => [d.day, Object.fromEntries(SERVER_SERIES.map(([name, key]) => [name, d[key]])) as Row]));
        shown = SERVER_SERIES.map(([name]) => name);
      } catch (err) {
        if (!isMissingRoute(err)) throw err;
        [byDay, shown] = [await countsFromLists(admin), FALLBACK_SERIES];
      }
      for (const s of shown) t[s] = [...byDay.values()].reduce((sum, row) => sum + (row[s] ?? 0), 0);
      setDays(new Map([...byDay].sort(([a], [b]) => (a < b ? 1 : -1))));
      setSeries(shown);
      setTotals(t);
    })().catch((err: Error) => setError(err.message));
  }, [admin]);

  const download = async (kind: 'sft' | 'rankings' | 'pairs' | 'moderation-reports') => {
    const text = await api.exportDataset(kind);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `${kind}.jsonl` });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="panel">
      <h2>Datasets</h2>
      {!admin && <p className="muted">Admins can download the datasets.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <dl className="totals">
        {Object.entries(totals).map(([k, v]) => <div key={k}><dt>{k}</dt><dd data-total={k}>{v}</dd></div>)}
      </dl>
      <table className="grid" aria-label="Counts per day">
        <thead><tr><th>Day</th>{series.map((s) => <th key={s}>{s}</th>)}</tr></thead>
        <tbody>
          {[...days].map(([d, row]) => <tr key={d}><td>{d}</td>{series.map((s) => <td key={s}>{row[s] ?? 0}</td>)}</tr>)}
        </tbody>
      </table>
      {admin && (
        <div className="row">
          <button type="button" onClick={() => download('sft')}>Export SFT (JSONL)</button>
          <button type="button" onClick={() => download('rankings')}>Export rankings (JSONL)</button>
          <button type="button" onClick={() => download('pairs')}>Export pairs (JSONL)</button>
          <button type="button" onClick={() => download('moderation-reports')}>Export confirmed filter reports (JSONL)</button>
        </div>
      )}
    </section>
  );
}

/** For servers without /api/console/stats: dates from the exports (admins) or the trainer's own lists. */
async function countsFromLists(admin: boolean): Promise<Map<string, Row>> {
  const dated: [Series, string][] = [];
  if (admin) {
    for (const r of jsonl(await api.exportDataset('sft'))) {
      if (r.meta?.source === 'demonstration') dated.push(['demonstrations', dayOfId(r.meta.id)]);
      else if (r.meta?.source === 'thumbs_up') dated.push(['thumbs up', dayOfId(r.meta.message_id)]);
    }
    for (const r of jsonl(await api.exportDataset('rankings'))) dated.push(['rankings', dayOfId(r.meta.id)]);
  } else {
    const [demos, ranks] = await Promise.all([api.demonstrations(), api.rankings()]);
    for (const d of demos.items) dated.push(['demonstrations', d.createdAt.slice(0, 10)]);
    for (const r of ranks.items) if (r.ranking && !r.unusable) dated.push(['rankings', r.createdAt.slice(0, 10)]);
  }
  for (const r of (await api.reports(admin)).items) dated.push(['filter reports', r.createdAt.slice(0, 10)]);
  const byDay = new Map<string, Row>();
  for (const [s, d] of dated) {
    const row = byDay.get(d) ?? {};
    row[s] = (row[s] ?? 0) + 1;
    byDay.set(d, row);
  }
  return byDay;
}
