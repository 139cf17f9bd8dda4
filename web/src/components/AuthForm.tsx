// Sign in or create an account (the first account on a fresh install becomes the admin).
import { useState, type FormEvent } from 'react';
import { api, type User } from '../api.ts';

export function AuthForm({ onSignedIn }: { onSignedIn: (u: User, csrf: string) => void }) {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = mode === 'signup' ? await api.signUp(username, password) : await api.signIn(username, password);
      onSignedIn(r.user, r.csrfToken);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <form className="auth-card" onSubmit={submit}>
        <h1>Parley</h1>
        <p className="muted">{mode === 'signup' ? 'Create your account' : 'Welcome back'}</p>
        <label>Username<input aria-label="Username" value={username} autoComplete="username" onChange={(e) => setUsername(e.target.value)} required /></label>
        <label>Password<input aria-label="Password" type="password" value={password} autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} onChange={(e) => setPassword(e.target.value)} required /></label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{mode === 'signup' ? 'Create account' : 'Sign in'}</button>
        <button type="button" className="link" onClick={() => { setMode(mode === 'signup' ? 'signin' : 'signup'); setError(''); }}>
          {mode === 'signup' ? 'I already have an account' : 'New here? Sign up'}
        </button>
      </form>
    </div>
  );
}
