// Per-browser chat settings, kept in localStorage: model, sampling, theme and custom instructions.
import { useEffect, useState } from 'react';

export interface Settings {
  model: string; // '' = the server's default
  temperature: number;
  maxTokens: number;
  theme: 'light' | 'dark';
  /** Custom instructions: the system message that starts each new conversation. */
  instructions: string;
}

const KEY = 'parley.settings';
const defaults: Settings = { model: '', temperature: 0.7, maxTokens: 1024, theme: 'light', instructions: '' };

export function loadSettings(): Settings {
  try {
    return { ...defaults, ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>) };
  } catch {
    return defaults;
  }
}

export function useSettings(): [Settings, (s: Settings) => void] {
  const [settings, set] = useState(loadSettings);
  useEffect(() => {
    localStorage.setItem(KEY, JSON.stringify(settings));
    document.documentElement.dataset.theme = settings.theme;
  }, [settings]);
  return [settings, set];
}

export function samplingOf(s: Settings): { temperature: number; max_tokens: number } {
  return { temperature: s.temperature, max_tokens: s.maxTokens };
}
