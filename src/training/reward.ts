// Stage 3, the reward model: a copy of the SFT model whose language-model head is replaced by a scalar
// head on the last token (the reply's <|end_of_turn|>). Trained on rankings of K replies per prompt:
// each ranking is one batch element whose K replies get one forward pass each, and its loss is
// −1/C(K,2)·Σ log σ(r_w − r_l) over all its pairs (losses.ts). Afterwards the head's gain and bias are
// set so that replies sampled from the SFT model score mean 0 and standard deviation 1, which keeps
// PPO's KL coefficient meaningful whatever the raw scale. Held-out rankings give pairwise accuracy.
import { UserError } from '../util/errors.ts';
import { LlamaModel } from '../engine/model.ts';
import { padBatch, score, scoreBackward } from '../engine/heads.ts';
import { Trainer } from '../engine/trainer.ts';
import { Rng } from '../engine/sampling.ts';
import { SCORE_WEIGHT, SCORE_BIAS } from '../engine/params.ts';
import { LM_HEAD, scalarConfig, withScalarHead } from '../engine/scalar-head.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../tokenizer/special-tokens.ts';
import { renderConversation } from '../tokenizer/chat.ts';
import type { ChatMessage } from '../providers/types.ts';
import { readRankings, readPrompts, type RankingExample } from './datasets.ts';
import { rankingLoss } from './losses.ts';
import { shuffle } from './lm-loop.ts';
import { sampleReplies } from './rollout.ts';
import { loadPolicy, saveStageCheckpoint, datasetHashes } from './checkpoints.ts';
import { MetricsLog } from './run-dir.ts';
import { progress, type Logger } from './progress.ts';

/** Ids of prompt + one assistant reply, cut from the left to `ctx` tokens (keeping the reply's end). */
export function replyIds(tokenizer: Tokenizer, special: SpecialIds, prompt: ChatMessage[], reply: string, ctx: number): number[] {
  const ids = Array.from(renderConversation(tokenizer, [...prompt, { role: 'assistant', content: reply }]).ids);
  return ids.length <= ctx ? ids : [special.begin, ...ids.slice(ids.length - ctx + 1)];
}

/** Reward-model scores of (prompt, reply) pairs, in chunks of `batch`. */
export function scoreReplies(rm: LlamaModel, tokenizer: Tokenizer, special: SpecialIds, items: Array<{ prompt: ChatMessage[]; reply: string }>, ctx: number, batch = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < items.length; i += batch) {
    const seqs = items.slice(i, i + batch).map((it) => replyIds(tokenizer, special, it.prompt, it.reply, ctx));
    const b = padBatch(seqs, special.pad);
    out.push(...score(rm, b, b.lastIndex));
  }
  return out;
}

/** A scalar-head model without the lm_head an older untied checkpoint kept (the same model otherwise). */
export function withoutLmHead(m: LlamaModel): LlamaModel {
  if (!m.scalarHead || m.config.tieWordEmbeddings) return m;
  const tensors = m.toTensors();
  tensors.delete(LM_HEAD);
  const out = LlamaModel.fromTensors(scalarConfig(m.config), tensors, { scalarHead: true }, 'reward model');
  m.dispose();
  return out;
}

function rankingAccuracy(rm: LlamaModel, tok: Tokenizer, special: SpecialIds, rows: RankingExample[], ctx: number): number {
  let right = 0, pairs = 0;
  for (const r of rows) {
    const s = scoreReplies(rm, tok, special, r.completions.map((c) => ({ prompt: r.prompt, reply: c })), ctx);
    const l = rankingLoss(s, r.ranking, r.completions);
    right += l.accuracy * l.pairs;
    pairs += l.pairs;
  }
  return pairs ? right / pairs : 0;
}

/**
 * Sets the scalar head so that `raw` (scores of replies sampled from the SFT model) would have mean 0 and
 * standard deviation 1: score' = gain·score + bias, folded into score.weight and score.bias.
 */
export function calibrateHead(rm: LlamaModel, raw: number[]): { gain: number; bias: number; mean: number; std: number } {
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length);
  const gain = 1 / Math.max(std, 1e-3); // a model that scores every sample alike keeps a bounded scale
  const bias = -mean * gain;
  const w = rm.view(SCORE_WEIGHT), b0 = rm.view(SCORE_BIAS);
  for (let i = 0; i < w.length; i++) w[i] *= gain;
  b0[0] = b0[0] * gain + bias;
  return { gain, bias, mean, std };
}

export interface RewardOptions {
  model: string; // the SFT checkpoint to start from (or a reward model to continue)
  sft?: string; // the model whose samples calibrate the scores (default: `model`)
  tokenizer?: string;
  rankings: string[];
  prompts?: string; // prompts to sample calibration replies for (default: the rankings' prompts)
  out: string;
  epochs: number;
  batch: number; // rankings per optimizer step
  lr: number;
  ctx: number;
  heldout: number; // share of rankings held out (0..0.5)
  calibrationSamples: number;
  maxTokens: number; // per calibration reply
  temperature: number;
  seed: number;
  maxSeconds?: number; // training stops when another step would pass this budget
  stage?: string;
  metricsPath?: string;
  log?: Logger;
}

export function runReward(o: RewardOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  const stage = o.stage ?? 'reward';
  if (o.rankings.length === 0) throw new UserError('reward: no rankings files given');
  const all = o.rankings.flatMap((f) => readRankings(f)); // K >= 2 checked here, before any model loads
  const calPrompts = o.prompts ? readPrompts(o.prompts).map((p) => p.prompt) : all.map((r) => r.prompt);
  if (!(o.heldout >= 0 && o.heldout <= 0.5)) throw new UserError(`reward: held-out share must be in [0, 0.5], got ${o.heldout}`);
  const rng = new Rng(o.seed);
  const rows = shuffle(all.slice(), rng);
  const nHeld = all.length >= 4 ? Math.max(1, Math.round(rows.length * o.heldout)) : 0;
  const held = rows.splice(0, nHeld);
  const started = Date.now();

  const p = loadPolicy(o.model, o.tokenizer);
  const continuing = p.model.scalarHead;
  const rm = continuing ? withoutLmHead(p.model) : withScalarHead(p.model, o.seed);
  if (!continuing) p.model.dispose();
  const { tokenizer, special } = p;
  const ctx = Math.min(o.ctx, rm.config.maxPositionEmbeddings);
  try {
    const accBefore = held.length ? rankingAccuracy(rm, tokenizer, special, held, ctx) : NaN;
    const steps = Math.max(1, Math.ceil((rows.length * o.epochs) / o.batch));
    const trainer = new Trainer(rm, { schedule: { kind: 'cosine', peakLr: o.lr, warmupSteps: Math.min(10, steps - 1), totalSteps: steps, minRatio: 0.1 } });
    const metrics = new MetricsLog(o.metricsPath, stage);
    log(`${stage}: ${rows.length} rankings (${held.length} held out), ${steps} steps of ${o.batch}, held-out pairwise accuracy ${accBefore.toFixed(3)}`);
    const bar = progress(stage, steps, log);
    let cursor = 0, lastLoss = NaN, stepsDone = 0;
    const loopStart = performance.now(); // sub-millisecond: a tiny model's step can take less than 1 ms
    try {
      for (let s = 0; s < steps; s++) {
        const elapsed = (performance.now() - loopStart) / 1000;
        if (o.maxSeconds && s > 0 && elapsed + elapsed / s > o.maxSeconds) {
          log(`${stage}: stopping after ${s} of ${steps} steps: the next would pass the ${(o.maxSeconds / 60).toFixed(1)} min budget`);
          break;
        }
        stepsDone = s + 1;
        const picked: RankingExample[] = [];
        while (picked.length < Math.min(o.batch, rows.length)) {
          if (cursor >= rows.length) { shuffle(rows, rng); cursor = 0; }
          picked.push(rows[cursor++]);
        }
        let acc = 0;
        const r = trainer.customStep(() => {
          let loss = 0;
          for (const ex of picked) {
            // One batch element: the K replies of this prompt, one forward pass each (one [K, T] batch).
            const b = padBatch(ex.completions.map((c) => replyIds(tokenizer, special, ex.prompt, c, ctx)), special.pad);
            const scores = score(rm, b, b.lastIndex);
            const l = rankingLoss(scores, ex.ranking);
            scoreBackward(rm, Array.from(l.dScores, (d) => d / picked.length));
            loss += l.loss / picked.length;
            acc += l.accuracy / picked.length;
          }
          return loss;
        });
        lastLoss = r.loss;
        metrics.log(s, { loss: r.loss, accuracy: acc, lr: r.lr, grad_norm: r.gradNorm });
        bar.update(s + 1, { loss: r.loss, acc });
      }
    } finally {
      bar.stop();
      trainer.dispose();
    }
    const accAfter = held.length ? rankingAccuracy(rm, tokenizer, special, held, ctx) : NaN;

    // Calibration on fresh replies of the SFT model.
    const sftModel = o.sft && o.sft !== o.model ? loadPolicy(o.sft, o.tokenizer).model : null;
    const sampler = sftModel ?? (continuing ? null : loadPolicy(o.model, o.tokenizer).model);
    let gain = 1, bias = 0, mean = 0, std = 1;
    if (sampler && o.calibrationSamples > 0) {
      const picks = shuffle(calPrompts.slice(), rng).slice(0, o.calibrationSamples);
      const replies = sampleReplies(sampler, tokenizer, special, picks, 1, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed + 101, maxContext: ctx });
      sampler.dispose();
      const raw = scoreReplies(rm, tokenizer, special, replies.map((r) => ({ prompt: picks[r.promptIndex], reply: r.text })), ctx);
      ({ gain, bias, mean, std } = calibrateHead(rm, raw));
    } else if (sampler) sampler.dispose();
    const seconds = (Date.now() - started) / 1000;
    const summary = { loss: lastLoss, steps: stepsDone, planned_steps: steps, heldout_accuracy_before: accBefore, heldout_accuracy: accAfter, heldout_rankings: held.length, rankings: rows.length, gain, bias, raw_mean: mean, raw_std: std, seconds };
    metrics.log(-1, summary);
    log(`${stage}: held-out pairwise accuracy ${accBefore.toFixed(3)} → ${accAfter.toFixed(3)}; calibration raw mean ${mean.toFixed(3)} std ${std.toFixed(3)} (${seconds.toFixed(0)} s)`);
    saveStageCheckpoint(o.out, rm, p.tokenizerDir, special, {
      stage: 'reward', parent: o.model, datasets: datasetHashes([...o.rankings, o.prompts]), metrics: summary,
      config: { epochs: o.epochs, batch: o.batch, lr: o.lr, ctx, heldout: o.heldout, seed: o.seed, sft: o.sft ?? o.model },
      calibration: { gain, bias, samples: o.calibrationSamples, rawMean: mean, rawStd: std },
    }, p.hfConfig);
    return summary;
  } finally {
    rm.dispose();
  }
}
