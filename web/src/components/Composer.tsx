// The message box: Enter sends, Shift+Enter adds a line; while a reply runs, the button stops it.
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from './Icon.tsx';

export function Composer({ generating, onSend, onStop }: { generating: boolean; onSend: (text: string) => Promise<void>; onStop: () => void }) {
  const [text, setText] = useState('');
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const t = text.trim();
    if (!t || generating) return;
    setText('');
    await onSend(t);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };
  return (
    <form className="composer" onSubmit={submit}>
      <textarea aria-label="Message" placeholder="Message Parley" rows={1} value={text} autoFocus
        onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      {generating ? (
        <button type="button" className="round stop" aria-label="Stop generating" onClick={onStop}><Icon name="stop" /></button>
      ) : (
        <button type="submit" className="round" aria-label="Send message" disabled={!text.trim()}><Icon name="send" /></button>
      )}
    </form>
  );
}
