// The content filter's verdict on a message: a flag shows an orange warning, a block hides the text
// behind a red notice. The server stores the classifier's result on the message; a blocked prompt's
// reply ends at once with finishReason "content_filter", and a blocked reply is cut with it.
import { useState } from 'react';
import { api, type Message } from '../api.ts';
import { Icon } from './Icon.tsx';

export interface FilterState { level: 'none' | 'warn' | 'block'; categories: string[] }

export function filterState(m: Message, replies: Message[]): FilterState {
  const categories = m.moderation ? Object.entries(m.moderation.categories).filter(([, v]) => v).map(([k]) => k) : [];
  if (m.role === 'assistant' && m.finishReason === 'content_filter') return { level: 'block', categories };
  if (m.role === 'user' && m.moderation?.flagged && replies.some((r) => r.finishReason === 'content_filter' && r.content === '')) {
    return { level: 'block', categories };
  }
  if (m.moderation?.flagged) return { level: 'warn', categories };
  return { level: 'none', categories };
}

export function FilterNotice({ message, state, revealed, onReveal }: { message: Message; state: FilterState; revealed: boolean; onReveal: () => void }) {
  const [reported, setReported] = useState(false);
  const [error, setError] = useState('');
  const report = async () => {
    try {
      await api.report({ kind: 'false_positive', messageId: message.id });
      setReported(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const what = state.categories.length ? ` (${state.categories.join(', ')})` : '';
  const blockedPrompt = message.role === 'assistant' && message.content === '';
  return (
    <div role="status" className={`filter-notice ${state.level}`}>
      <span>
        {state.level === 'warn'
          ? `This content may violate our usage policies${what}.`
          : blockedPrompt
            ? `This prompt was blocked by the content filter${what}.`
            : `This content was removed by the content filter${what}.`}
      </span>
      {state.level === 'block' && !blockedPrompt && <button type="button" className="link" onClick={onReveal}>{revealed ? 'Hide' : 'Show anyway'}</button>}
      {/* A refused prompt's empty reply: the report belongs on the prompt itself. */}
      {blockedPrompt ? null : reported ? <span className="small">Thanks — reported.</span> : <button type="button" className="link" onClick={report}>Report a mistake of the filter</button>}
      {error && <span className="error small">{error}</span>}
    </div>
  );
}

/** For replies the filter let through: "this should have been caught" (a false negative). */
export function ReportMissed({ message }: { message: Message }) {
  const [done, setDone] = useState(false);
  if (done) return <span className="small muted">Reported</span>;
  return (
    <button type="button" className="icon" aria-label="Report unsafe content the filter missed"
      onClick={async () => { await api.report({ kind: 'false_negative', messageId: message.id }); setDone(true); }}><Icon name="flag" /></button>
  );
}
