// Best-of-n: sample n replies per prompt from a policy and keep the one the reward model scores
// highest — the standard baseline PPO is compared against (no training; KL to the policy is at most
// log n − (n−1)/n). Sampling (and the calculator loop) is rollout.ts's; scoring is reward.ts's.
import { UserError } from '../util/errors.ts';
import type { LlamaModel } from '../engine/model.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../tokenizer/special-tokens.ts';
import type { ChatMessage } from '../providers/types.ts';
import { sampleReplies, type Rollout, type SampleOptions } from './rollout.ts';
import { scoreReplies } from './reward.ts';

export interface BestOfNOptions extends SampleOptions {
  n: number;
}

export interface BestOfN {
  chosen: Rollout;
  index: number; // which of the n samples (0..n-1)
  scores: number[]; // reward-model score of each sample, [n]
  candidates: Rollout[]; // [n]
}

/** Index of the highest score; the first one on a tie (so n = 1 and equal scores keep sample 0). */
export function pickBest(scores: ArrayLike<number>): number {
  if (scores.length === 0) throw new Error('pickBest: no scores');
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best] || Number.isNaN(scores[best])) best = i;
  return best;
}

/** The usual figure for best-of-n's KL to its policy, log n − (n−1)/n (an upper bound, Beirami et al. 2024). */
export function bestOfNKlBound(n: number): number {
  return Math.log(n) - (n - 1) / n;
}

/** For each prompt, n samples of `policy` and the reward model's favourite. */
export function bestOfN(
  policy: LlamaModel, rewardModel: LlamaModel, tokenizer: Tokenizer, special: SpecialIds, prompts: ChatMessage[][], o: BestOfNOptions,
): BestOfN[] {
  if (!Number.isInteger(o.n) || o.n < 1) throw new UserError(`best-of-n: n must be a whole number >= 1, got ${o.n}`);
  if (o.n > 1 && !(o.temperature > 0)) throw new UserError(`best-of-n: n = ${o.n} samples at temperature 0 are all the same reply; use a temperature > 0`);
  if (!rewardModel.scalarHead) throw new UserError('best-of-n: the reward model has no scalar head (score.weight); give a checkpoint from `parley train reward`');
  if (policy.scalarHead) throw new UserError('best-of-n: the policy is a reward/value model (it has a scalar head); give a language model');
  if (rewardModel.config.vocabSize !== policy.config.vocabSize) {
    throw new UserError(`best-of-n: the policy's vocabulary (${policy.config.vocabSize}) differs from the reward model's (${rewardModel.config.vocabSize}): they do not share a tokenizer`);
  }
  if (prompts.length === 0) return [];
  const rollouts = sampleReplies(policy, tokenizer, special, prompts, o.n, o); // prompt-major: prompt i's samples at i·n …
  const ctx = rewardModel.config.maxPositionEmbeddings;
  const scores = scoreReplies(rewardModel, tokenizer, special, rollouts.map((r) => ({ prompt: prompts[r.promptIndex], reply: r.text })), ctx);
  return prompts.map((_, i) => {
    const candidates = rollouts.slice(i * o.n, (i + 1) * o.n);
    const s = scores.slice(i * o.n, (i + 1) * o.n);
    const index = pickBest(s);
    return { chosen: candidates[index], index, scores: s, candidates };
  });
}
