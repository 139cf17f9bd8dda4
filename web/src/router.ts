// Client-side routes: "/" (new chat), "/c/<id>" (a conversation), "/trainer/<tab>" (the console).
import { useEffect, useState } from 'react';

export function navigate(path: string, replace = false): void {
  if (location.pathname === path) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event('parley:navigate'));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('parley:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('parley:navigate', update);
    };
  }, []);
  return path;
}
