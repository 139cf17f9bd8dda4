// After a thumbs-down: why was the reply bad? Stored with the message's feedback.
import { useState } from 'react';

export const REASONS = [
  { category: 'harmful', label: 'This is harmful / unsafe' },
  { category: 'untrue', label: "This isn't true" },
  { category: 'unhelpful', label: "This isn't helpful" },
] as const;

export function FeedbackDialog({ onSubmit, onCancel }: { onSubmit: (category: string | null, comment: string | null) => void; onCancel: () => void }) {
  const [category, setCategory] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  return (
    <div className="backdrop" onClick={onCancel}>
      <div role="dialog" aria-modal="true" aria-labelledby="feedback-title" className="dialog" onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id="feedback-title">Provide additional feedback</h2>
        <fieldset className="reasons">
          <legend className="muted small">What was the issue with the response?</legend>
          {REASONS.map((r) => (
            <label key={r.category} className="check">
              <input type="radio" name="reason" checked={category === r.category} onChange={() => setCategory(r.category)} />
              {r.label}
            </label>
          ))}
        </fieldset>
        <textarea aria-label="Feedback comment" placeholder="What was unsatisfying about this response? (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
        <div className="row">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="button" className="primary" onClick={() => onSubmit(category, comment.trim() || null)}>Submit feedback</button>
        </div>
      </div>
    </div>
  );
}
