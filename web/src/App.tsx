// The shell: sign-in gate, sidebar + chat, settings dialog, trainer console, keyboard shortcuts.
import { useCallback, useEffect, useState } from 'react';
import { api, setCsrf, type ModelInfo, type User } from './api.ts';
import { AuthForm } from './components/AuthForm.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { ChatView } from './components/ChatView.tsx';
import { SettingsDialog } from './components/SettingsDialog.tsx';
import { TrainerConsole } from './trainer/TrainerConsole.tsx';
import { navigate, usePath } from './router.ts';
import { useSettings } from './settings.ts';
import { Icon } from './components/Icon.tsx';

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [settings, setSettings] = useSettings();
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [defaultModel, setDefaultModel] = useState<string | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [listVersion, setListVersion] = useState(0);
  const path = usePath();

  useEffect(() => {
    api.me().then((r) => { setCsrf(r.csrfToken); setUser(r.user); }, () => setUser(null));
  }, []);
  useEffect(() => {
    if (!user) return;
    api.models().then((r) => { setModels(r.data); setDefaultModel(r.default); }, () => setModels([]));
  }, [user]);

  const refreshList = useCallback(() => setListVersion((v) => v + 1), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && e.key.toLowerCase() === 'o') { e.preventDefault(); navigate('/'); }
      else if (e.shiftKey && e.key === 'Escape') { e.preventDefault(); document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]')?.focus(); }
      else if (e.key === 'Escape') document.querySelector<HTMLButtonElement>('button[aria-label="Stop generating"]')?.click();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (user === undefined) return <div className="loading">Loading…</div>;
  if (user === null) return <AuthForm onSignedIn={(u, token) => { setCsrf(token); setUser(u); }} />;

  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    setCsrf('');
    setUser(null);
    navigate('/');
  };
  const conversationId = path.startsWith('/c/') ? path.slice(3) : null;
  const trainerTab = path.startsWith('/trainer') ? path.split('/')[2] || 'demonstrate' : null;
  const canTrain = user.role === 'trainer' || user.role === 'admin';

  return (
    <div className={`app ${sidebarOpen ? 'sidebar-open' : ''}`}>
      <Sidebar
        user={user}
        activeId={conversationId}
        version={listVersion}
        onNavigate={() => setSidebarOpen(false)}
        onSettings={() => setShowSettings(true)}
        onSignOut={signOut}
        canTrain={canTrain}
      />
      {sidebarOpen && <div className="scrim" aria-hidden="true" onClick={() => setSidebarOpen(false)} />}
      <main className="main">
        <header className="topbar">
          <button type="button" className="icon menu-button" aria-label="Open sidebar" onClick={() => setSidebarOpen(!sidebarOpen)}><Icon name="menu" /></button>
          <span className="topbar-title">{trainerTab ? 'Trainer console' : 'Parley'}</span>
          <span className="model-name">{settings.model || defaultModel || 'no model'}</span>
        </header>
        {trainerTab && canTrain ? (
          <TrainerConsole tab={trainerTab} user={user} settings={settings} />
        ) : (
          <ChatView
            key={conversationId ?? 'new'}
            conversationId={conversationId}
            settings={settings}
            hasModel={models.length > 0}
            onListChanged={refreshList}
          />
        )}
      </main>
      {showSettings && (
        <SettingsDialog settings={settings} models={models} defaultModel={defaultModel} onChange={setSettings} onClose={() => setShowSettings(false)} />
      )}
    </div>
  );
}
