// Model, temperature, max tokens, custom instructions and theme; the keyboard shortcuts are listed here too.
import type { ModelInfo } from '../api.ts';
import type { Settings } from '../settings.ts';

interface Props {
  settings: Settings;
  models: ModelInfo[];
  defaultModel: string | null;
  onChange: (s: Settings) => void;
  onClose: () => void;
}

export function SettingsDialog({ settings, models, defaultModel, onChange, onClose }: Props) {
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => onChange({ ...settings, [k]: v });
  return (
    <div className="backdrop" onClick={onClose}>
      <div role="dialog" aria-modal="true" aria-labelledby="settings-title" className="dialog" onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h2 id="settings-title">Settings</h2>
        <label>Model
          <select aria-label="Model" value={settings.model} onChange={(e) => set('model', e.target.value)}>
            <option value="">Server default{defaultModel ? ` (${defaultModel})` : ''}</option>
            {models.map((m) => <option key={m.id} value={m.id}>{m.id} — {m.backend}, {m.contextLength} tokens</option>)}
          </select>
        </label>
        <label>Temperature: {settings.temperature.toFixed(2)}
          <input aria-label="Temperature" type="range" min={0} max={2} step={0.05} value={settings.temperature} onChange={(e) => set('temperature', Number(e.target.value))} />
        </label>
        <label>Max tokens
          <input aria-label="Max tokens" type="number" min={1} max={8192} value={settings.maxTokens}
            onChange={(e) => set('maxTokens', Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
        </label>
        <label>Custom instructions
          <textarea aria-label="Custom instructions" placeholder="What should Parley know about you, and how should it answer? Applies to new chats."
            value={settings.instructions} onChange={(e) => set('instructions', e.target.value)} />
        </label>
        <label>Theme
          <select aria-label="Theme" value={settings.theme} onChange={(e) => set('theme', e.target.value as Settings['theme'])}>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <h3>Keyboard shortcuts</h3>
        <table className="shortcuts">
          <tbody>
            <tr><td>New chat</td><td><kbd>Ctrl</kbd> <kbd>Shift</kbd> <kbd>O</kbd></td></tr>
            <tr><td>Focus the message box</td><td><kbd>Shift</kbd> <kbd>Esc</kbd></td></tr>
            <tr><td>Stop generating</td><td><kbd>Esc</kbd></td></tr>
            <tr><td>New line in a message</td><td><kbd>Shift</kbd> <kbd>Enter</kbd></td></tr>
          </tbody>
        </table>
        <div className="row"><button type="button" className="primary" onClick={onClose}>Done</button></div>
      </div>
    </div>
  );
}
