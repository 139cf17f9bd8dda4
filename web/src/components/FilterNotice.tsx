// The content filter's verdict on a message: a flag shows an orange warning, a block hides the text
// behind a red notice. The server stores the classifier's result on the message; a blocked prompt's
// reply ends at once with finishReason "content_filter", and a blocked reply is cut with it.
import { useState } from 'react';
import type { Message } from '../api.ts';
import { CATEGORIES, type Category } from '../moderation-categories.ts';
import { Icon } from './Icon.tsx';
import { ReportDialog } from './ReportDialog.tsx';

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
  const [reporting, setReporting] = useState(false);
  const flagged = state.categories.filter((c): c is Category => (CATEGORIES as readonly string[]).includes(c));
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
      {blockedPrompt ? null : reported ? <span className="small">Thanks — reported.</span> : <button type="button" className="link" onClick={() => setReporting(true)}>Report a mistake of the filter</button>}
      {reporting && (
        <ReportDialog message={message} kind="false_positive" flagged={flagged}
          onDone={() => { setReporting(false); setReported(true); }} onCancel={() => setReporting(false)} />
      )}
    </div>
  );
}

/** For replies the filter let through: "this should have been caught" (a false negative). */
export function ReportMissed({ message }: { message: Message }) {
  const [done, setDone] = useState(false);
  const [open, setOpen] = useState(false);
  if (done) return <span className="small muted">Reported</span>;
  return (
    <>
      <button type="button" className="icon" aria-label="Report unsafe content the filter missed" onClick={() => setOpen(true)}><Icon name="flag" /></button>
      {open && <ReportDialog message={message} kind="false_negative" flagged={[]} onDone={() => { setOpen(false); setDone(true); }} onCancel={() => setOpen(false)} />}
    </>
  );
}
