// The trainer console: write demonstrations, rank sampled replies, watch the datasets grow, and see
// training runs and model versions; admins review the content filter's mistake reports.
import type { User } from '../api.ts';
import { navigate } from '../router.ts';
import type { Settings } from '../settings.ts';
import { Demonstrate } from './Demonstrate.tsx';
import { Rank } from './Rank.tsx';
import { Datasets } from './Datasets.tsx';
import { Runs } from './Runs.tsx';
import { Reports } from './Reports.tsx';

const TABS = [
  ['demonstrate', 'Write a demonstration'],
  ['rank', 'Rank replies'],
  ['datasets', 'Datasets'],
  ['runs', 'Runs & models'],
  ['reports', 'Filter reports'],
] as const;

export function TrainerConsole({ tab, user, settings }: { tab: string; user: User; settings: Settings }) {
  return (
    <div className="console">
      <div role="tablist" aria-label="Trainer console" className="tabs">
        {TABS.filter(([id]) => id !== 'reports' || user.role === 'admin').map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => navigate(`/trainer/${id}`)}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" className="console-body">
        {tab === 'demonstrate' && <Demonstrate settings={settings} />}
        {tab === 'rank' && <Rank settings={settings} />}
        {tab === 'datasets' && <Datasets user={user} />}
        {tab === 'runs' && <Runs admin={user.role === 'admin'} />}
        {tab === 'reports' && user.role === 'admin' && <Reports />}
      </div>
    </div>
  );
}
