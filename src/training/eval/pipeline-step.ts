// The pipeline's `eval` step: evaluates the final policy (against the SFT model when given) and keeps
// the full result in the run directory, where the report reads it:
//   eval/eval.json      the EvalResult (per-family metrics, win rate, KL)
//   eval/replies.jsonl  every prompt, reply and grade, for reading what the model actually said
import { join } from 'node:path';
import { writeJsonAtomic } from '../run-dir.ts';
import type { Logger } from '../progress.ts';
import { runEval, flatMetrics, type EvalOptions } from './evaluate.ts';

export interface EvalStepOptions {
  runDir: string;
  model: string; // the final policy
  against?: string; // usually the SFT model
  evalFile?: string; // default: <runDir>/data/eval.jsonl
  limit?: number; // prompts per family
  rewardModel?: string;
  maxTokens?: number;
  log?: Logger;
}

export const EVAL_JSON = join('eval', 'eval.json');

export async function runEvalStep(o: EvalStepOptions): Promise<Record<string, number>> {
  const opts: EvalOptions = {
    model: o.model, against: o.against, data: o.evalFile ?? join(o.runDir, 'data', 'eval.jsonl'), limit: o.limit,
    rewardModel: o.rewardModel, maxTokens: o.maxTokens, repliesOut: join(o.runDir, 'eval', 'replies.jsonl'), log: o.log,
  };
  const result = await runEval(opts);
  writeJsonAtomic(join(o.runDir, EVAL_JSON), result);
  return flatMetrics(result);
}
