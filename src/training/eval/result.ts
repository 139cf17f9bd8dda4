// The result of an evaluation (what `parley eval --json` prints and eval/eval.json holds), and its
// headline numbers as one flat object. Types and plain functions only, so the report can read results
// without loading the engine.
import type { EvalMetrics, FamilySummary } from './metrics.ts';
import type { WinRate } from './win-rate.ts';

export interface ModelEval {
  path: string;
  metrics: EvalMetrics;
  families: Partial<Record<string, FamilySummary>>;
  meanRewardScore?: number; // the reward model's mean score of the replies
}

export interface EvalResult extends ModelEval {
  data: { file: string | null; seed: number | null; prompts: number; families: Record<string, number> };
  settings: { maxTokens: number; temperature: number; seed: number; batch: number; bestOf: number; rewardModel: string | null };
  bestOf?: { n: number; meanSampleScore: number; meanChosenScore: number; klBound: number };
  against?: ModelEval & { comparison: WinRate & { kl: number; klPerToken: number } };
  seconds: number;
}

/** The headline numbers as one flat object (the pipeline's step metrics, the report's table). */
export function flatMetrics(r: EvalResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.metrics)) if (Number.isFinite(v)) out[k] = v;
  if (r.meanRewardScore !== undefined && Number.isFinite(r.meanRewardScore)) out.meanRewardScore = r.meanRewardScore;
  if (r.against) {
    const c = r.against.comparison;
    for (const [k, v] of Object.entries({ winRate: c.winRate, kl: c.kl, klPerToken: c.klPerToken })) if (Number.isFinite(v)) out[k] = v;
    for (const [k, v] of Object.entries(r.against.metrics)) if (Number.isFinite(v)) out[`against_${k}`] = v;
  }
  return out;
}

/**
 * The comparison arms of `parley pipeline --compare` (eval/compare.json): DPO and best-of-n beside the SFT
 * model, on the same prompts as the main eval, each judged against the SFT model's greedy replies.
 */
export interface CompareResult {
  data: { file: string; prompts: number; families: Record<string, number> };
  settings: { maxTokens: number; seed: number; batch: number; n: number; temperature: number; rewardModel: string };
  sft: ModelEval; // greedy replies: the baseline every win rate is measured against
  dpo: ModelEval & { comparison: WinRate & { kl: number; klPerToken: number } }; // greedy; KL(DPO ‖ SFT) measured on its replies
  bestOfN: ModelEval & {
    n: number;
    temperature: number;
    comparison: WinRate & { klBound: number }; // KL to SFT: the analytic figure log n − (n−1)/n
    meanSampleScore: number; // the reward model's mean score over all n samples
  };
  seconds: number;
}

/** The comparison's headline numbers as one flat object (the pipeline's `compare` step metrics). */
export function flatCompareMetrics(r: CompareResult): Record<string, number> {
  const out: Record<string, number> = { n: r.bestOfN.n };
  const put = (prefix: string, m: ModelEval, extra: Record<string, number>) => {
    for (const [k, v] of Object.entries({ ...m.metrics, ...extra })) if (Number.isFinite(v)) out[`${prefix}_${k}`] = v;
    if (m.meanRewardScore !== undefined && Number.isFinite(m.meanRewardScore)) out[`${prefix}_meanRewardScore`] = m.meanRewardScore;
  };
  put('sft', r.sft, {});
  put('dpo', r.dpo, { winRate: r.dpo.comparison.winRate, kl: r.dpo.comparison.kl, klPerToken: r.dpo.comparison.klPerToken });
  put('bon', r.bestOfN, { winRate: r.bestOfN.comparison.winRate, klBound: r.bestOfN.comparison.klBound, meanSampleScore: r.bestOfN.meanSampleScore });
  return out;
}
