// Head-to-head: for each eval prompt, the simulated ranker in gold mode (no label noise) orders the two
// models' replies; a model wins a prompt when its reply comes first. Identical replies are ties (half
// a win each), so two copies of one model score exactly 0.5.
import type { ChatMessage } from '../../providers/types.ts';
import { rankWithSeed, type TaskMeta } from '../../world/index.ts';

export interface WinRate {
  winRate: number; // (wins + ties / 2) / n
  wins: number;
  losses: number;
  ties: number;
  n: number;
}

export function winRate(items: ReadonlyArray<{ prompt: ChatMessage[]; meta: TaskMeta }>, ours: readonly string[], theirs: readonly string[], seed = 0): WinRate {
  if (ours.length !== items.length || theirs.length !== items.length) throw new Error('winRate: one reply per prompt from each model');
  let wins = 0, losses = 0, ties = 0;
  items.forEach((it, i) => {
    if (ours[i].trim() === theirs[i].trim()) {
      ties++;
      return;
    }
    const r = rankWithSeed(it.prompt, [ours[i], theirs[i]], it.meta, { gold: true }, seed, i);
    if (r.ranking[0] === 0) wins++;
    else losses++;
  });
  const n = items.length;
  return { winRate: n ? (wins + ties / 2) / n : NaN, wins, losses, ties, n };
}
