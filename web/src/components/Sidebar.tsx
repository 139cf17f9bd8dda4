// The conversation list: new chat, search, newest first grouped by date, pages loaded on demand,
// rename / archive / delete per conversation, and the archived list.
import { useEffect, useState } from 'react';
import { api, type Conversation, type User } from '../api.ts';
import { dateGroup } from '../tree.ts';
import { navigate } from '../router.ts';
import { Icon } from './Icon.tsx';

interface Props {
  user: User;
  activeId: string | null;
  version: number;
  canTrain: boolean;
  onNavigate: () => void;
  onSettings: () => void;
  onSignOut: () => void;
}

export function Sidebar({ user, activeId, version, canTrain, onNavigate, onSettings, onSignOut }: Props) {
  const [items, setItems] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    let cancelled = false;
    const t = setTimeout(() => {
      api.conversations({ search, archived }).then(
        (p) => { if (!cancelled) { setItems(p.items); setCursor(p.nextCursor); setError(''); } },
        (e: Error) => !cancelled && setError(e.message),
      );
    }, search ? 250 : 0);
    return () => { cancelled = true; clearTimeout(t); };
  }, [search, archived, version]);

  const more = async () => {
    const p = await api.conversations({ search, archived, cursor });
    setItems((prev) => [...prev, ...p.items]);
    setCursor(p.nextCursor);
  };
  const go = (path: string) => { navigate(path); onNavigate(); };
  const replace = (c: Conversation) => setItems((prev) => prev.map((x) => (x.id === c.id ? c : x)));
  const remove = (id: string) => {
    setItems((prev) => prev.filter((x) => x.id !== id));
    if (id === activeId) go('/');
  };

  const groups: [string, Conversation[]][] = [];
  for (const c of items) {
    const g = dateGroup(c.updatedAt);
    if (groups.at(-1)?.[0] !== g) groups.push([g, []]);
    groups.at(-1)![1].push(c);
  }

  return (
    <aside className="sidebar">
      <button type="button" className="new-chat" aria-label="New chat" onClick={() => go('/')}><Icon name="plus" /> New chat</button>
      <input className="search" type="search" aria-label="Search chats" placeholder="Search chats" value={search} onChange={(e) => setSearch(e.target.value)} />
      <nav aria-label="Chats" className="chat-list">
        {error && <p className="error">{error}</p>}
        {groups.map(([g, list]) => (
          <section key={g}>
            <h2 className="group">{g}</h2>
            <ul>
              {list.map((c) => (
                <ChatRow key={c.id} c={c} active={c.id === activeId} onOpen={() => go(`/c/${c.id}`)} onChanged={replace} onRemoved={remove} />
              ))}
            </ul>
          </section>
        ))}
        {!items.length && !error && <p className="muted small">{search ? 'No chats match.' : archived ? 'No archived chats.' : 'No chats yet.'}</p>}
        {cursor && <button type="button" className="link" onClick={more}>Load more</button>}
      </nav>
      <div className="sidebar-foot">
        <button type="button" className="link" onClick={() => setArchived(!archived)}>{archived ? 'Back to chats' : 'Archived chats'}</button>
        {canTrain && <button type="button" className="link" onClick={() => go('/trainer/demonstrate')}>Trainer console</button>}
        <button type="button" className="link" onClick={onSettings}>Settings</button>
        <div className="account">
          <span>{user.username} <span className="muted small">({user.role})</span></span>
          <button type="button" className="link" onClick={onSignOut}>Sign out</button>
        </div>
      </div>
    </aside>
  );
}

function ChatRow({ c, active, onOpen, onChanged, onRemoved }: {
  c: Conversation; active: boolean; onOpen: () => void; onChanged: (c: Conversation) => void; onRemoved: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(c.title);
  const [menu, setMenu] = useState(false);
  const name = c.title || 'New chat';

  const rename = async () => {
    setEditing(false);
    if (title.trim() && title !== c.title) onChanged(await api.updateConversation(c.id, { title: title.trim() }));
  };
  if (editing) {
    return (
      <li className="chat-row">
        <input aria-label="Chat title" autoFocus value={title} onChange={(e) => setTitle(e.target.value)} onBlur={rename}
          onKeyDown={(e) => { if (e.key === 'Enter') void rename(); if (e.key === 'Escape') setEditing(false); }} />
      </li>
    );
  }
  return (
    <li className={`chat-row ${active ? 'active' : ''}`}>
      <a href={`/c/${c.id}`} aria-current={active ? 'page' : undefined} onClick={(e) => { e.preventDefault(); onOpen(); }}>{name}</a>
      <button type="button" className="icon" aria-label={`Options for ${name}`} aria-expanded={menu} onClick={() => setMenu(!menu)}><Icon name="more" /></button>
      {menu && (
        <div className="menu" role="menu" onMouseLeave={() => setMenu(false)}>
          <button type="button" role="menuitem" onClick={() => { setMenu(false); setTitle(c.title); setEditing(true); }}>Rename</button>
          <button type="button" role="menuitem" onClick={async () => { setMenu(false); await api.updateConversation(c.id, { archived: !c.archived }); onRemoved(c.id); }}>
            {c.archived ? 'Unarchive' : 'Archive'}
          </button>
          <button type="button" role="menuitem" className="danger" onClick={async () => {
            setMenu(false);
            if (!confirm(`Delete "${name}"?`)) return;
            await api.deleteConversation(c.id);
            onRemoved(c.id);
          }}>Delete</button>
        </div>
      )}
    </li>
  );
}
