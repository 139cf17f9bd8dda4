// The simulated ranker: orders K replies to one conversation as a careful trainer would — correct
// and safe first, then by how fully they do what was asked, then concise over verbose — with the
// trainer's length preference as a setting (the announcement notes trainers favoured long answers),
// label noise as a share of random adjacent swaps, and a gold mode without noise for studies of
// reward over-optimisation.
import { Rng } from '../rng.ts';
import { TASKS } from '../tasks/index.ts';
import { wordCount } from '../text.ts';
import type { ChatMessage } from '../../providers/types.ts';
import type { Grade, TaskMeta } from '../types.ts';

export interface RankerOptions {
  /**
   * Between equally good replies, -1..1: the sign says which length wins (< 0 shorter, the default;
   * > 0 longer, the bias the announcement saw in trainers) and the magnitude how often the trainer
   * applies it (0.3: in 30% of rankings; otherwise such ties fall at random).
   */
  lengthPreference: number;
  /**
   * Label noise (0..1): walking the ranking from the top, each adjacent pair is swapped with this
   * chance, and a reply just swapped is not swapped again. With two replies it is exactly the chance
   * that the pair comes out reversed.
   */
  noise: number;
  /** No noise whatever `noise` says: the ranking the graders imply. */
  gold: boolean;
}

export const DEFAULT_RANKER: RankerOptions = { lengthPreference: -1, noise: 0, gold: false };

export interface RankResult {
  ranking: number[]; // indices into the completions, best first
  grades: Grade[]; // per completion, in the input order
  swaps: number; // how many noisy swaps were applied
}

/** The grader's score without its verbosity discount: length is the ranker's own business. */
function baseScore(g: Grade): number {
  return g.verbose ? Math.min(1, g.score / 0.75) : g.score;
}

export function rankCompletions(
  prompt: readonly ChatMessage[],
  completions: readonly string[],
  meta: TaskMeta,
  options: Partial<RankerOptions>,
  rng: Rng,
): RankResult {
  const o = { ...DEFAULT_RANKER, ...options };
  if (!(o.noise >= 0 && o.noise <= 1)) throw new Error(`noise must be between 0 and 1, got ${o.noise}`);
  if (!(o.lengthPreference >= -1 && o.lengthPreference <= 1)) {
    throw new Error(`lengthPreference must be between -1 and 1, got ${o.lengthPreference}`);
  }
  const direction = rng.chance(Math.abs(o.lengthPreference)) ? Math.sign(o.lengthPreference) : 0;
  const family = TASKS[meta.task];
  const grades = completions.map((c) => family.grade(prompt, c, meta));
  const keys = completions.map((c, i) => ({
    i,
    ok: grades[i].ok ? 1 : 0,
    base: baseScore(grades[i]),
    length: direction * wordCount(c),
    tie: rng.next(), // equally good replies are ordered at random, not by position
  }));
  keys.sort((a, b) => b.ok - a.ok || b.base - a.base || b.length - a.length || a.tie - b.tie);
  const ranking = keys.map((k) => k.i);
  let swaps = 0;
  if (!o.gold && o.noise > 0) {
    // Disjoint swaps: a reply moves at most one place, so noise stays local, as a tired trainer's would.
    for (let i = 0; i + 1 < ranking.length; ) {
      if (rng.chance(o.noise)) {
        [ranking[i], ranking[i + 1]] = [ranking[i + 1], ranking[i]];
        swaps++;
        i += 2;
      } else i += 1;
    }
  }
  return { ranking, grades, swaps };
}

/** One ranking with a seed of its own, so a line's ranking does not depend on the lines before it. */
export function rankWithSeed(
  prompt: readonly ChatMessage[],
  completions: readonly string[],
  meta: TaskMeta,
  options: Partial<RankerOptions>,
  seed: number,
  index: number,
): RankResult {
  return rankCompletions(prompt, completions, meta, options, new Rng(`rank:${seed}:${index}`));
}
