// One message on the branch: markdown for replies, plain text for the user; edit, copy, regenerate,
// continue, thumbs, sibling navigation "< 2 / 3 >", and the content filter's notices.
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { api, type Feedback, type Message, type ToolCall } from '../api.ts';
import { renderMarkdown } from '../markdown.ts';
import { FeedbackDialog } from './FeedbackDialog.tsx';
import { FilterNotice, ReportMissed, filterState } from './FilterNotice.tsx';
import { Icon } from './Icon.tsx';

interface Props {
  message: Message;
  siblings: Message[];
  replies: Message[];
  busy: boolean;
  onRegenerate: (m: Message) => void;
  onEdit: (m: Message, text: string) => void;
  onContinue: (m: Message) => void;
  onShowSibling: (m: Message) => void;
}

export function MessageItem({ message: m, siblings, replies, busy, onRegenerate, onEdit, onContinue, onShowSibling }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(m.content);
  const [copied, setCopied] = useState(false);
  const filter = filterState(m, replies);
  const [revealed, setRevealed] = useState(false);
  const index = siblings.findIndex((s) => s.id === m.id);
  const pending = m.status === 'pending';
  const isAssistant = m.role === 'assistant';

  const copy = async () => {
    await navigator.clipboard.writeText(m.content).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const hidden = filter.level === 'block' && !revealed;
  return (
    <article className={`message ${m.role}`} data-status={m.status} aria-label={isAssistant ? 'Assistant message' : 'Your message'}>
      {filter.level !== 'none' && <FilterNotice message={m} state={filter} revealed={revealed} onReveal={() => setRevealed(!revealed)} />}
      {editing ? (
        <div className="edit-box">
          <textarea aria-label="Edit message" value={draft} autoFocus onChange={(e) => setDraft(e.target.value)} />
          <div className="row">
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
            <button type="button" className="primary" disabled={!draft.trim()} onClick={() => { setEditing(false); onEdit(m, draft.trim()); }}>Send</button>
          </div>
        </div>
      ) : hidden ? null : isAssistant ? (
        <Markdown text={m.content} pending={pending} />
      ) : (
        <div className="bubble">{m.content}</div>
      )}
      {isAssistant && !editing && !hidden && !!m.toolCalls?.length && <ToolCalls calls={m.toolCalls} />}
      {isAssistant && m.status === 'error' && <p className="error">The reply failed: {m.error ?? 'unknown error'}</p>}
      {isAssistant && (m.status === 'stopped' || m.status === 'interrupted') && <p className="muted small">{m.status === 'stopped' ? 'Stopped' : 'Interrupted'}</p>}
      {!editing && !pending && (
        <div className="actions">
          {siblings.length > 1 && (
            <span className="siblings">
              <button type="button" className="icon" aria-label="Previous response" disabled={index <= 0 || busy} onClick={() => onShowSibling(siblings[index - 1])}><Icon name="left" /></button>
              <span>{index + 1} / {siblings.length}</span>
              <button type="button" className="icon" aria-label="Next response" disabled={index >= siblings.length - 1 || busy} onClick={() => onShowSibling(siblings[index + 1])}><Icon name="right" /></button>
            </span>
          )}
          {m.content && <button type="button" className="icon" aria-label="Copy" onClick={copy}><Icon name={copied ? 'check' : 'copy'} /></button>}
          {m.role === 'user' && <button type="button" className="icon" aria-label="Edit message" disabled={busy} onClick={() => { setDraft(m.content); setEditing(true); }}><Icon name="edit" /></button>}
          {isAssistant && m.content && <Thumbs message={m} />}
          {isAssistant && filter.level === 'none' && m.content && <ReportMissed message={m} />}
          {isAssistant && <button type="button" className="icon" aria-label="Regenerate" disabled={busy} onClick={() => onRegenerate(m)}><Icon name="regenerate" /></button>}
          {isAssistant && (m.status === 'stopped' || m.status === 'interrupted' || m.finishReason === 'length') && (
            <button type="button" className="small-button" disabled={busy} onClick={() => onContinue(m)}>Continue generating</button>
          )}
        </div>
      )}
    </article>
  );
}

/** The reply's tool calls: what was asked and, for calls the server ran (the calculator), the result. */
function ToolCalls({ calls }: { calls: ToolCall[] }) {
  return (
    <ul className="tool-calls" aria-label="Tool calls">
      {calls.map((c) => (
        <li key={c.id}>
          <span className="tool-name">{c.function.name}</span> <code>{shownArguments(c)}</code>
          {c.executed ? <> = <code className="tool-result">{c.executed.result}</code></> : <span className="muted small"> (not run)</span>}
        </li>
      ))}
    </ul>
  );
}

/** The calculator's expression, or the raw arguments of another tool. */
function shownArguments(c: ToolCall): string {
  try {
    const args = JSON.parse(c.function.arguments) as { expression?: unknown };
    if (typeof args.expression === 'string') return args.expression;
  } catch {
    // not JSON: show it as it came
  }
  return c.function.arguments;
}

export function Markdown({ text, pending }: { text: string; pending: boolean }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  // Code blocks carry their own "Copy code" button; one listener serves them all.
  const onClick = (e: MouseEvent) => {
    const button = (e.target as HTMLElement).closest('button.copy-code');
    if (!button) return;
    const code = button.closest('.code-block')?.querySelector('code')?.textContent ?? '';
    void navigator.clipboard.writeText(code).catch(() => undefined);
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy code'; }, 1500);
  };
  return (
    <div ref={ref} className={`markdown ${pending ? 'streaming' : ''}`} onClick={onClick}>
      {text ? <div dangerouslySetInnerHTML={{ __html: html }} /> : pending ? <span className="typing" role="status" aria-label="Generating">●</span> : null}
    </div>
  );
}

function Thumbs({ message }: { message: Message }) {
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [dialog, setDialog] = useState(false);
  useEffect(() => {
    let cancelled = false;
    api.feedback(message.id).then((r) => { if (!cancelled) setFeedback(r.feedback); }, () => undefined);
    return () => { cancelled = true; };
  }, [message.id]);

  const set = async (f: Feedback) => setFeedback(await api.setFeedback(message.id, f));
  const thumb = feedback?.thumb ?? null;
  return (
    <>
      <button type="button" className={`icon ${thumb === 'up' ? 'on' : ''}`} aria-label="Good response" aria-pressed={thumb === 'up'}
        onClick={() => set({ thumb: thumb === 'up' ? null : 'up', category: null, comment: null })}><Icon name="up" filled={thumb === 'up'} /></button>
      <button type="button" className={`icon ${thumb === 'down' ? 'on' : ''}`} aria-label="Bad response" aria-pressed={thumb === 'down'}
        onClick={async () => {
          if (thumb === 'down') return set({ thumb: null, category: null, comment: null });
          await set({ thumb: 'down', category: null, comment: null });
          setDialog(true);
        }}><Icon name="down" filled={thumb === 'down'} /></button>
      {dialog && (
        <FeedbackDialog
          onCancel={() => setDialog(false)} // the thumb itself is already stored
          onSubmit={async (category, comment) => { setDialog(false); await set({ thumb: 'down', category, comment }); }}
        />
      )}
    </>
  );
}
