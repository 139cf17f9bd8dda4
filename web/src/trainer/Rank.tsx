// Ranking: take a model-written reply from a real conversation, sample K alternatives to it and
// order them best first — by dragging or with the keyboard (Alt+↑/↓ on a focused reply) — or mark the
// whole set unusable.
import { useState, type DragEvent, type KeyboardEvent } from 'react';
import { api, ApiError, isMissingRoute, type ChatMessage, type Message, type Ranking } from '../api.ts';
import { MessageTree } from '../tree.ts';
import { Markdown } from '../components/MessageItem.tsx';
import { samplingOf, type Settings } from '../settings.ts';

/** A random finished model reply from a real conversation (any user's); its prompt is the branch before it. */
async function pickTask(): Promise<{ prompt: ChatMessage[]; source: string } | null> {
  try {
    const r = await api.rankSource();
    return { prompt: r.prompt, source: "a user's conversation" };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && !isMissingRoute(err)) return null;
    if (!isMissingRoute(err)) throw err;
  }
  // An older server without /api/console/rank-source: the trainer's own recent conversations.
  const conversations = (await api.conversations({})).items;
  const candidates: { prompt: ChatMessage[]; source: string }[] = [];
  for (const c of conversations.slice(0, 10)) {
    const ms = await api.messages(c.id);
    const tree = new MessageTree(ms);
    for (const m of ms) {
      if (m.role !== 'assistant' || m.status !== 'complete' || !m.parentId || !m.content) continue;
      const prompt = tree.branch(m.parentId).filter((x: Message) => x.role !== 'tool').map((x) => ({ role: x.role as ChatMessage['role'], content: x.content }));
      candidates.push({ prompt, source: `your chat “${c.title || 'untitled'}”` });
    }
  }
  return candidates.length ? candidates[Math.floor(Math.random() * candidates.length)] : null;
}

export function Rank({ settings }: { settings: Settings }) {
  const [k, setK] = useState(4);
  const [task, setTask] = useState<{ ranking: Ranking; source: string } | null>(null);
  const [order, setOrder] = useState<number[]>([]);
  const [unusable, setUnusable] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState<number | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await work();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const start = () => run(async () => {
    setStatus('Sampling replies…');
    const picked = await pickTask();
    if (!picked) {
      setStatus('');
      setError('No finished replies to rank yet: chat with the model first, then come back.');
      return;
    }
    const ranking = await api.createRanking(picked.prompt, k, samplingOf(settings));
    setTask({ ranking, source: picked.source });
    setOrder(ranking.completions.map((_, i) => i));
    setUnusable(false);
    setStatus('');
  });
  const submit = () => run(async () => {
    if (!task) return;
    await api.rank(task.ranking.id, unusable ? null : order, unusable);
    setStatus(unusable ? 'Marked unusable. Thank you!' : 'Ranking submitted. Thank you!');
    setTask(null);
  });

  const move = (from: number, to: number) => {
    if (to < 0 || to >= order.length || from === to) return;
    const next = [...order];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    setOrder(next);
  };
  const onKeyDown = (e: KeyboardEvent, pos: number) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    const to = pos + (e.key === 'ArrowUp' ? -1 : 1);
    move(pos, to);
    requestAnimationFrame(() => document.querySelectorAll<HTMLElement>('.rank-item')[to]?.focus());
  };
  const onDragStart = (e: DragEvent, pos: number) => {
    e.dataTransfer.setData('text/plain', String(pos));
    e.dataTransfer.effectAllowed = 'move';
    setDragging(pos);
  };
  const onDrop = (e: DragEvent, pos: number) => {
    e.preventDefault();
    const from = Number(e.dataTransfer.getData('text/plain'));
    if (Number.isInteger(from)) move(from, pos);
    setDragging(null);
  };

  return (
    <section className="panel">
      <h2>Rank replies</h2>
      <div className="row">
        <label>Replies to compare (K)
          <input aria-label="K" type="number" min={2} max={8} value={k} onChange={(e) => setK(Math.min(8, Math.max(2, Number(e.target.value) || 2)))} />
        </label>
        <button type="button" className="primary" disabled={busy} onClick={start}>{task ? 'Skip: new task' : 'New ranking task'}</button>
      </div>
      {task && (
        <>
          <h3>Conversation <span className="muted small">from {task.source}</span></h3>
          <div className="prompt">
            {task.ranking.prompt.map((m, i) => <p key={i}><strong>{m.role}:</strong> {m.content}</p>)}
          </div>
          <h3>Order the replies, best first</h3>
          <p className="muted small">Drag a reply, or focus it and press Alt+↑ / Alt+↓.</p>
          <ol className="rank-list" aria-label="Replies, best first">
            {order.map((c, pos) => (
              <li key={c} className={`rank-item ${dragging === pos ? 'dragging' : ''}`} tabIndex={0} draggable
                aria-label={`Reply ${String.fromCharCode(65 + c)}, rank ${pos + 1}`}
                onDragStart={(e) => onDragStart(e, pos)} onDragEnd={() => setDragging(null)} onDragOver={(e) => e.preventDefault()} onDrop={(e) => onDrop(e, pos)} onKeyDown={(e) => onKeyDown(e, pos)}>
                <div className="row">
                  <strong>#{pos + 1} · Reply {String.fromCharCode(65 + c)}</strong>
                  <button type="button" className="icon" aria-label={`Move reply ${String.fromCharCode(65 + c)} up`} disabled={pos === 0} onClick={() => move(pos, pos - 1)}>↑</button>
                  <button type="button" className="icon" aria-label={`Move reply ${String.fromCharCode(65 + c)} down`} disabled={pos === order.length - 1} onClick={() => move(pos, pos + 1)}>↓</button>
                </div>
                <div className="completion">{task.ranking.completions[c] ? <Markdown text={task.ranking.completions[c]} pending={false} /> : <em>(empty reply)</em>}</div>
              </li>
            ))}
          </ol>
          <label className="check"><input type="checkbox" checked={unusable} onChange={(e) => setUnusable(e.target.checked)} /> All of these replies are unusable</label>
          <div className="row"><button type="button" className="primary" disabled={busy} onClick={submit}>Submit ranking</button></div>
        </>
      )}
      {status && <p role="status">{status}</p>}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
