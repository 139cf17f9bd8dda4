// One conversation: loads its message tree, shows the branch on screen, sends, streams, stops,
// regenerates, edits into a new branch, switches siblings and continues cut-off replies. A reply
// still pending when the page loads (e.g. after a refresh) is re-attached from its first event.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, followReply, isMissingRoute, type Conversation, type Message } from '../api.ts';
import { MessageTree } from '../tree.ts';
import { navigate } from '../router.ts';
import { samplingOf, type Settings } from '../settings.ts';
import { MessageItem } from './MessageItem.tsx';
import { Composer } from './Composer.tsx';

interface Props {
  conversationId: string | null;
  settings: Settings;
  hasModel: boolean;
  onListChanged: () => void;
}

export function ChatView({ conversationId, settings, hasModel, onListChanged }: Props) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [leafId, setLeafId] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(!!conversationId);
  const [notice] = useState(() => { const n = sessionStorage.getItem('parley.notice'); sessionStorage.removeItem('parley.notice'); return n; });
  const streams = useRef(new Map<string, AbortController>());
  const bottom = useRef<HTMLDivElement>(null);

  const tree = useMemo(() => new MessageTree(messages), [messages]);
  const branch = useMemo(() => tree.branch(leafId), [tree, leafId]);
  const pending = branch.find((m) => m.role === 'assistant' && m.status === 'pending');

  const upsert = useCallback((...ms: Message[]) => {
    setMessages((prev) => {
      const next = [...prev];
      for (const m of ms) {
        const i = next.findIndex((x) => x.id === m.id);
        if (i >= 0) next[i] = m;
        else next.push(m);
      }
      return next;
    });
  }, []);

  /** Streams a reply's events after `after` into its message; at the end re-reads the settled row. */
  const follow = useCallback((id: string, after: number) => {
    if (streams.current.has(id)) return;
    const controller = new AbortController();
    streams.current.set(id, controller);
    if (after === 0) setMessages((prev) => prev.map((m) => (m.id === id ? { ...m, content: '' } : m)));
    followReply(id, after, controller.signal, (e) => {
      if (e.kind === 'delta') setMessages((prev) => prev.map((m) => (m.id === id ? { ...m, content: m.content + e.text } : m)));
      const call = e.kind === 'tool_call' ? e.call : undefined;
      if (call) setMessages((prev) => prev.map((m) => (m.id === id ? { ...m, toolCalls: [...(m.toolCalls ?? []), { ...call, executed: e.executed }] } : m)));
    })
      .then(() => api.message(id))
      .then((m) => { upsert(m); onListChanged(); })
      .catch((err: Error) => { if (!controller.signal.aborted) setError(err.message); })
      .finally(() => streams.current.delete(id));
  }, [upsert, onListChanged]);

  useEffect(() => {
    const active = streams.current;
    return () => { for (const c of active.values()) c.abort(); active.clear(); };
  }, []);

  useEffect(() => {
    if (!conversationId) return;
    let cancelled = false;
    Promise.all([api.conversation(conversationId), api.messages(conversationId)]).then(
      ([c, ms]) => {
        if (cancelled) return;
        setConversation(c);
        setMessages(ms);
        setLeafId(c.currentLeafId);
        setLoading(false);
        for (const m of new MessageTree(ms).branch(c.currentLeafId)) if (m.role === 'assistant' && m.status === 'pending') follow(m.id, 0);
      },
      (err: Error) => { if (!cancelled) { setError(err.message); setLoading(false); } },
    );
    return () => { cancelled = true; };
  }, [conversationId, follow]);

  // Follow a streaming reply only while the reader is at the bottom: scrolling up to read stays put.
  const stick = useRef(true);
  useEffect(() => {
    if (stick.current) bottom.current?.scrollIntoView({ block: 'end' });
  }, [branch.length, branch.at(-1)?.content]);

  const model = settings.model || undefined;
  const sampling = samplingOf(settings);
  const guard = async (work: () => Promise<void>) => {
    setError('');
    try {
      await work();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const send = (text: string) => guard(async () => {
    let conv = conversation;
    if (!conv) {
      conv = await api.createConversation(model);
      let parentId: string | null = null;
      if (settings.instructions.trim()) {
        try {
          parentId = (await api.setInstructions(conv.id, settings.instructions.trim())).id;
        } catch (err) {
          if (!isMissingRoute(err)) throw err;
          sessionStorage.setItem('parley.notice', 'Custom instructions were not applied: this server has no /api/conversations/:id/instructions route.');
        }
      }
      await api.send(conv.id, text, parentId, model, sampling);
      onListChanged();
      navigate(`/c/${conv.id}`, true); // the conversation view takes over and attaches to the reply
      return;
    }
    const r = await api.send(conv.id, text, leafId, model, sampling);
    upsert(r.userMessage, r.assistantMessage);
    setLeafId(r.assistantMessage.id);
    follow(r.assistantMessage.id, 0);
    onListChanged();
  });

  const stop = () => guard(async () => { if (pending) await api.stop(pending.id); });

  const regenerate = (m: Message) => guard(async () => {
    const r = await api.regenerate(m.id, model, sampling);
    upsert(r.assistantMessage);
    setLeafId(r.assistantMessage.id);
    follow(r.assistantMessage.id, 0);
  });

  const edit = (m: Message, text: string) => guard(async () => {
    const r = await api.edit(m.id, text, model, sampling);
    upsert(r.userMessage, r.assistantMessage);
    setLeafId(r.assistantMessage.id);
    follow(r.assistantMessage.id, 0);
  });

  const continueReply = (m: Message) => guard(async () => {
    const r = await api.continueReply(m.id, sampling);
    upsert({ ...r.assistantMessage, content: m.content });
    setLeafId(m.id);
    follow(m.id, r.after);
  });

  const showSibling = (m: Message) => guard(async () => {
    const leaf = tree.newestLeafUnder(m.id);
    setLeafId(leaf);
    if (conversation) await api.updateConversation(conversation.id, { currentLeafId: leaf });
  });

  return (
    <div className="chat">
      <div className="messages"
        onScroll={(e) => { const el = e.currentTarget; stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80; }}>
        {loading && <p className="muted center">Loading…</p>}
        {!loading && !branch.some((m) => m.role !== 'system') && (
          <div className="empty">
            <h1>What can I help with?</h1>
            {!hasModel && <p className="muted">No model is installed on this server yet: an administrator can train one with <code>parley pipeline</code>.</p>}
          </div>
        )}
        {branch[0]?.role === 'system' && (
          <details className="instructions"><summary>Custom instructions</summary><p>{branch[0].content}</p></details>
        )}
        {branch.filter((m) => m.role !== 'system').map((m) => (
          <MessageItem
            key={m.id}
            message={m}
            siblings={tree.siblingsOf(m.id)}
            replies={tree.childrenOf(m.id)}
            busy={!!pending}
            onRegenerate={regenerate}
            onEdit={edit}
            onContinue={continueReply}
            onShowSibling={showSibling}
          />
        ))}
        <div ref={bottom} />
      </div>
      {notice && <p role="status" className="muted small chat-error">{notice}</p>}
      {error && <p role="alert" className="error chat-error">{error}</p>}
      <Composer generating={!!pending} onSend={send} onStop={stop} />
    </div>
  );
}
