// "Report a mistake of the filter": a false positive says which flags were wrong (the ones the message
// got, pre-checked; none checked = it was fine altogether), a false negative which categories the filter
// should have caught (at least one, or an admin could not turn it into training data).
import { useState } from 'react';
import { api, type Message } from '../api.ts';
import type { Category } from '../moderation-categories.ts';
import { CategoryPicker } from './CategoryPicker.tsx';

export function ReportDialog({ message, kind, flagged, onDone, onCancel }: {
  message: Message; kind: 'false_positive' | 'false_negative'; flagged: Category[]; onDone: () => void; onCancel: () => void;
}) {
  const [categories, setCategories] = useState<Category[]>(kind === 'false_positive' ? flagged : []);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const missed = kind === 'false_negative';
  const submit = async () => {
    setBusy(true);
    setError('');
    try {
      await api.report({ kind, messageId: message.id, categories, ...(note.trim() ? { note: note.trim() } : {}) });
      onDone();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="backdrop" onClick={onCancel}>
      <div role="dialog" aria-modal="true" aria-labelledby="report-title" className="dialog" onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id="report-title">{missed ? 'Report unsafe content the filter missed' : 'Report a mistake of the filter'}</h2>
        <CategoryPicker value={categories} onChange={setCategories}
          legend={missed ? 'What should the filter have caught? (pick at least one)' : 'Which flags were wrong? (none checked: the message was fine)'} />
        <textarea aria-label="Report note" placeholder="Anything else the reviewer should know? (optional)" value={note} onChange={(e) => setNote(e.target.value)} />
        {error && <p role="alert" className="error small">{error}</p>}
        <div className="row">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="button" className="primary" disabled={busy || (missed && categories.length === 0)} onClick={submit}>Send report</button>
        </div>
      </div>
    </div>
  );
}
