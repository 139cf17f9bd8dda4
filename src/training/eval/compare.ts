// The comparison arms of `parley pipeline --compare`: the two standard alternatives to PPO, evaluated on
// the same held-out prompts as the main eval (same file, same per-family limit, same reply length):
//   dpo        the DPO model's greedy replies; KL(DPO ‖ SFT) measured on them exactly as the main eval
//              measures PPO's (kl.ts)
//   best-of-n  n samples of the SFT model (temperature 1 by default), the reward model's favourite kept;
//              its KL to SFT is the analytic figure log n − (n−1)/n (no trained model to measure)
// Each arm is graded per family and judged against the SFT model's greedy replies by the simulated
// ranker in gold mode; the reward model scores every arm's replies. Writes eval/compare.json.
import { join, resolve } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { initEngine } from '../../engine/ops.ts';
import { loadPolicy, type LoadedPolicy } from '../checkpoints.ts';
import { bestOfNKlBound } from '../best-of-n.ts';
import { writeJsonAtomic } from '../run-dir.ts';
import type { Logger } from '../progress.ts';
import { readEvalSet, limitPerFamily, familyCounts } from './eval-set.ts';
import { aggregate, summarizeFamilies } from './metrics.ts';
import { gradeEvalReplies, type EvalReply } from './replies.ts';
import { replies, rewardScores, meanOf } from './evaluate.ts';
import { winRate } from './win-rate.ts';
import { replyKl } from './kl.ts';
import { flatCompareMetrics, type CompareResult, type ModelEval } from './result.ts';

export interface CompareOptions {
  sft: string; // the baseline and best-of-n's sampler
  dpo: string; // the DPO model
  rewardModel: string; // best-of-n's judge (the run's last reward model)
  evalFile: string; // eval.jsonl
  limit?: number; // prompts per family, as in the main eval
  n?: number; // best-of-n samples, default 4
  maxTokens?: number; // per assistant turn, default 64
  temperature?: number; // best-of-n sampling temperature, default 1
  seed?: number;
  batch?: number;
  log?: Logger;
}

export const COMPARE_JSON = join('eval', 'compare.json');

function wholeAtLeast(v: number, min: number, what: string): number {
  if (!Number.isInteger(v) || v < min) throw new UserError(`compare: ${what} must be a whole number >= ${min}, got ${v}`);
  return v;
}

export async function runComparison(o: CompareOptions): Promise<CompareResult> {
  const log = o.log ?? ((l: string) => console.error(l));
  const started = Date.now();
  const n = wholeAtLeast(o.n ?? 4, 2, 'best-of-n n');
  const maxTokens = wholeAtLeast(o.maxTokens ?? 64, 1, 'max tokens');
  const batch = wholeAtLeast(o.batch ?? 16, 1, 'batch');
  const temperature = o.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new UserError(`compare: best-of-n needs a sampling temperature > 0, got ${temperature}`);
  const seed = o.seed ?? 0;
  const items = limitPerFamily(readEvalSet(o.evalFile), o.limit);
  if (items.length === 0) throw new UserError(`compare: the eval set ${o.evalFile} has no prompts`);

  await initEngine();
  const loaded: LoadedPolicy[] = [];
  const load = (dir: string, scalar: boolean, what: string) => {
    const p = loadPolicy(dir);
    loaded.push(p);
    if (p.model.scalarHead !== scalar) throw new UserError(`compare: ${dir} ${scalar ? 'has no scalar head: it is not a reward model' : 'is a reward/value model, not a language model'} (the ${what})`);
    return p;
  };
  try {
    const sft = load(o.sft, false, 'SFT model');
    const dpo = load(o.dpo, false, 'DPO model');
    const rm = load(o.rewardModel, true, 'reward model');
    for (const [p, dir] of [[dpo, o.dpo], [rm, o.rewardModel]] as const) {
      if (p.tokenizer.vocabSize !== sft.tokenizer.vocabSize) throw new UserError(`compare: ${dir} and the SFT model ${o.sft} use different tokenizers`);
    }
    log(`compare: ${items.length} prompts; DPO and best-of-${n} against SFT`);
    const greedy = { maxTokens, temperature: 0, seed, batch };
    const texts = (rs: EvalReply[]) => rs.map((r) => r.rollout.text);
    const evalOf = (path: string, p: LoadedPolicy, rs: EvalReply[], scores?: number[]): ModelEval => {
      const graded = gradeEvalReplies(items, rs);
      return { path: resolve(path), metrics: aggregate(graded), families: summarizeFamilies(graded), meanRewardScore: meanOf(scores ?? rewardScores(rm.model, p, items, rs)) };
    };

    const sftReplies = replies(`compare sft ${o.sft}`, sft, items, greedy, log);
    const dpoReplies = replies(`compare dpo ${o.dpo}`, dpo, items, greedy, log);
    const kl = replyKl(dpo.model, sft.model, dpoReplies.map((r) => r.rollout), sft.special.pad, Math.min(8, batch));
    const bon = replies(`compare best-of-${n}`, sft, items, { maxTokens, temperature, seed: seed + 1, batch, bestOf: { n, rewardModel: rm.model } }, log);

    const result: CompareResult = {
      data: { file: resolve(o.evalFile), prompts: items.length, families: familyCounts(items) },
      settings: { maxTokens, seed, batch, n, temperature, rewardModel: resolve(o.rewardModel) },
      sft: evalOf(o.sft, sft, sftReplies),
      dpo: { ...evalOf(o.dpo, dpo, dpoReplies), comparison: { ...winRate(items, texts(dpoReplies), texts(sftReplies), seed), kl: kl.mean, klPerToken: kl.perToken } },
      bestOfN: {
        ...evalOf(o.sft, sft, bon, bon.map((r) => r.rewardScore!)),
        n, temperature,
        comparison: { ...winRate(items, texts(bon), texts(sftReplies), seed), klBound: bestOfNKlBound(n) },
        meanSampleScore: meanOf(bon.flatMap((r) => r.sampleScores ?? [])),
      },
      seconds: 0,
    };
    result.seconds = (Date.now() - started) / 1000;
    const c = result;
    log(`compare: win rate vs SFT — DPO ${c.dpo.comparison.winRate.toFixed(3)} at KL ${c.dpo.comparison.kl.toFixed(2)}, best-of-${n} ${c.bestOfN.comparison.winRate.toFixed(3)} at KL ≤ ${c.bestOfN.comparison.klBound.toFixed(2)} (${result.seconds.toFixed(0)} s)`);
    return result;
  } finally {
    for (const l of loaded) l.model.dispose();
  }
}

/** The pipeline's `compare` step: runs the comparison and keeps it in <runDir>/eval/compare.json. */
export async function runCompareStep(o: CompareOptions & { runDir: string }): Promise<Record<string, number>> {
  const result = await runComparison(o);
  writeJsonAtomic(join(o.runDir, COMPARE_JSON), result);
  return flatCompareMetrics(result);
}
