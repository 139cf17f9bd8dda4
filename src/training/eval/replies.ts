// The eval replies of one model: batched sampling through rollout.ts (which also runs the calculator
// when the model calls it), plain or best-of-n, then graded by the world's graders.
import type { LlamaModel } from '../../engine/model.ts';
import type { Tokenizer } from '../../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../../tokenizer/special-tokens.ts';
import { gradeReply } from '../../world/index.ts';
import { wordCount } from '../../world/text.ts';
import { sampleReplies, type Rollout } from '../rollout.ts';
import { bestOfN } from '../best-of-n.ts';
import type { EvalItem } from './eval-set.ts';
import type { GradedReply } from './metrics.ts';

export interface ReplyOptions {
  maxTokens: number; // per assistant turn
  temperature: number; // 0 = greedy
  seed: number;
  batch: number; // sequences generated together
  bestOf?: { n: number; rewardModel: LlamaModel };
}

export interface EvalReply {
  rollout: Rollout;
  rewardScore?: number; // the reward model's score of this reply (best-of-n: the chosen one's)
  sampleScores?: number[]; // best-of-n: every sample's score
}

export function generateEvalReplies(model: LlamaModel, tokenizer: Tokenizer, special: SpecialIds, items: EvalItem[], o: ReplyOptions): EvalReply[] {
  const prompts = items.map((it) => it.prompt);
  const sample = { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, maxContext: model.config.maxPositionEmbeddings, batch: o.batch };
  if (o.bestOf) {
    return bestOfN(model, o.bestOf.rewardModel, tokenizer, special, prompts, { ...sample, n: o.bestOf.n })
      .map((b) => ({ rollout: b.chosen, rewardScore: b.scores[b.index], sampleScores: b.scores }));
  }
  return sampleReplies(model, tokenizer, special, prompts, 1, sample).map((rollout) => ({ rollout }));
}

export function gradeEvalReplies(items: EvalItem[], replies: EvalReply[]): GradedReply[] {
  return items.map((it, i) => {
    const r = replies[i].rollout;
    let tokens = 0;
    for (const a of r.actions) tokens += a;
    return {
      family: it.meta.task,
      intent: it.meta.intent,
      grade: gradeReply(it.prompt, r.text, it.meta),
      words: wordCount(r.text),
      tokens,
      toolCalls: r.toolCalls,
      complete: r.complete,
    };
  });
}
