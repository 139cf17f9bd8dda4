// Admin review of "report a mistake of the filter": each report shows its text, what the filter scored,
// and its categories, which the admin can correct before confirming. Confirmed reports are what
// `parley export moderation-reports` hands to `parley train moderation --reports`.
import { useEffect, useState } from 'react';
import { api, type ModerationReport, type ReportStatus } from '../api.ts';
import { CategoryPicker } from '../components/CategoryPicker.tsx';
import type { Category } from '../moderation-categories.ts';

const STATUSES: ReportStatus[] = ['pending', 'confirmed', 'rejected'];

export function Reports() {
  const [status, setStatus] = useState<ReportStatus>('pending');
  const [reports, setReports] = useState<ModerationReport[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setReports(null);
    api.reports(true, status).then((p) => setReports(p.items), (err: Error) => setError(err.message));
  }, [status]);
  return (
    <section className="panel">
      <h2>Filter reports</h2>
      <p className="muted small">Confirmed reports become training data for the next content classifier (Datasets → export confirmed filter reports).</p>
      <label className="small">Show{' '}
        <select aria-label="Report status" value={status} onChange={(e) => setStatus(e.target.value as ReportStatus)}>
          {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      {reports === null ? <p className="muted">Loading…</p> : !reports.length && <p className="muted">No {status} reports.</p>}
      {reports?.map((r) => (
        <ReportRow key={r.id} report={r} onChanged={(n) => setReports((rs) => rs!.map((x) => (x.id === n.id ? n : x)).filter((x) => x.status === status))} />
      ))}
    </section>
  );
}

function ReportRow({ report, onChanged }: { report: ModerationReport; onChanged: (r: ModerationReport) => void }) {
  const [categories, setCategories] = useState<Category[]>(report.categories as Category[]);
  const [error, setError] = useState('');
  const missed = report.kind === 'false_negative';
  const save = async (change: { status?: ReportStatus }) => {
    setError('');
    try {
      onChanged(await api.reviewReport(report.id, { ...change, categories }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const flagged = Object.entries(report.scores ?? {}).filter(([, s]) => s >= 0.01).sort(([, a], [, b]) => b - a).slice(0, 4);
  return (
    <article className="report" aria-label={`Report ${report.id}`}>
      <p><span className="badge">{missed ? 'missed (false negative)' : 'wrongly flagged (false positive)'}</span> <span className="muted small">{report.createdAt.slice(0, 10)} · {report.status}</span></p>
      <blockquote>{report.text}</blockquote>
      {flagged.length > 0 && <p className="muted small">Scores: {flagged.map(([c, s]) => `${c} ${s.toFixed(2)}`).join(', ')}</p>}
      {report.note && <p className="small">Note: {report.note}</p>}
      <CategoryPicker value={categories} onChange={setCategories}
        legend={missed ? 'Should have been flagged as' : 'Wrong flags (none checked: the text was fine)'} />
      {error && <p role="alert" className="error small">{error}</p>}
      <div className="row">
        <button type="button" className="primary" disabled={missed && categories.length === 0} onClick={() => save({ status: 'confirmed' })}>Confirm</button>
        <button type="button" onClick={() => save({ status: 'rejected' })}>Reject</button>
        <button type="button" onClick={() => save({})}>Save categories</button>
      </div>
    </article>
  );
}
