// A demonstration: the trainer writes a whole conversation, playing both the user and the assistant.
// The last assistant turn is the demonstrated response; it may start from a model suggestion.
import { useState } from 'react';
import { api, isMissingRoute, type ChatMessage } from '../api.ts';
import { samplingOf, type Settings } from '../settings.ts';

type Turn = ChatMessage & { key: number };
let nextKey = 1;
const turn = (role: Turn['role'], content = ''): Turn => ({ role, content, key: nextKey++ });

export function Demonstrate({ settings }: { settings: Settings }) {
  const [turns, setTurns] = useState<Turn[]>(() => [turn('user'), turn('assistant')]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const update = (key: number, content: string) => setTurns((ts) => ts.map((t) => (t.key === key ? { ...t, content } : t)));
  const last = turns.at(-1)!;
  const prompt = turns.slice(0, -1).map(({ role, content }) => ({ role, content }));
  const complete = turns.every((t) => t.content.trim()) && last.role === 'assistant';

  const suggest = async () => {
    setBusy(true);
    setError('');
    try {
      let suggestion: string;
      try {
        suggestion = (await api.suggest(prompt, samplingOf(settings))).content;
      } catch (err) {
        if (!isMissingRoute(err)) throw err;
        // An older server without /api/console/suggest: draw a two-sample ranking and discard it.
        const r = await api.createRanking(prompt, 2, samplingOf(settings));
        await api.deleteRanking(r.id);
        suggestion = r.completions[0];
      }
      update(last.key, suggestion);
      setStatus('Suggestion loaded: edit it into the reply you want.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setBusy(true);
    setError('');
    try {
      await api.createDemonstration(prompt, last.content.trim());
      setStatus(`Saved a demonstration of ${turns.length} turns.`);
      setTurns([turn('user'), turn('assistant')]);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel">
      <h2>Write a demonstration</h2>
      <p className="muted">Play both sides. The last assistant turn is the response the model learns to give.</p>
      {turns.map((t, i) => (
        <div key={t.key} className={`turn ${t.role}`}>
          <div className="row">
            <strong>{t.role === 'user' ? 'User' : 'Assistant'}</strong>
            {i === turns.length - 1 && t.role === 'assistant' && prompt.every((p) => p.content.trim()) && (
              <button type="button" className="link" disabled={busy} onClick={suggest}>Start from a model suggestion</button>
            )}
            {turns.length > 2 && <button type="button" className="link" onClick={() => setTurns((ts) => ts.filter((x) => x.key !== t.key))}>Remove</button>}
          </div>
          <textarea aria-label={`${t.role === 'user' ? 'User' : 'Assistant'} turn ${i + 1}`} value={t.content} onChange={(e) => update(t.key, e.target.value)} />
        </div>
      ))}
      <div className="row">
        <button type="button" onClick={() => setTurns((ts) => [...ts, turn('user'), turn('assistant')])}>Add a user and assistant turn</button>
        <button type="button" className="primary" disabled={!complete || busy} onClick={save}>Save demonstration</button>
      </div>
      {status && <p role="status">{status}</p>}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
