// Stage 4, PPO against the reward model (InstructGPT / Ziegler et al.). Each step:
//   1. sample one reply per prompt from the policy at `temperature` (rollout.ts);
//   2. score it: the reward model on (prompt, final text), minus a penalty if it never ended its turn;
//   3. per-token reward = −β·(log π − log π_SFT) at every sampled token, plus the score at the last;
//      log-probs of both models are taken at the sampling temperature;
//   4. values from the value model (initialised from the reward model), GAE with γ = 1, λ = 0.95,
//      advantages whitened over the batch;
//   5. `epochs` updates of the clipped policy objective (and, with `ptxCoef`, the pretraining loss
//      mixed in: PPO-ptx), and of the clipped value loss on a separate value model;
//   6. β adapts towards `targetKl` over `horizon` (or stays fixed).
import { UserError } from '../util/errors.ts';
import type { LlamaModel } from '../engine/model.ts';
import { tokenLogprobs, tokenLogprobsBackward, tokenScores, scoreBackward, lmLoss, type LmBatch } from '../engine/heads.ts';
import { Trainer } from '../engine/trainer.ts';
import { Rng } from '../engine/sampling.ts';
import { loadModel } from '../engine/load-model.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../tokenizer/special-tokens.ts';
import type { ChatMessage } from '../providers/types.ts';
import { gae, whiten, clippedPolicyLoss, clippedValueLoss, tokenRewards, KlController } from './losses.ts';
import { sampleReplies, type Rollout } from './rollout.ts';
import { shuffle } from './lm-loop.ts';
import { scoreReplies } from './reward.ts';
import { readPrompts, readText } from './datasets.ts';
import { packStream, toBatch, type Row } from './packing.ts';
import { loadPolicy, checkpointVocab, checkpointHasScalarHead, saveStageCheckpoint, datasetHashes } from './checkpoints.ts';
import { MetricsLog } from './run-dir.ts';
import { progress, type Logger } from './progress.ts';

export interface PpoSettings {
  steps: number;
  prompts: number; // rollouts per step
  maxTokens: number;
  temperature: number;
  lr: number;
  valueLr: number;
  epochs: number; // updates per rollout batch
  clip: number; // ratio clip and value clip
  beta: number; // initial KL coefficient
  targetKl?: number; // adaptive β when set (nats per reply)
  horizon: number;
  gamma: number;
  lambda: number;
  unfinishedPenalty: number; // subtracted from the score of a reply that never reached <|end_of_turn|>
  ptxCoef: number; // 0 = no pretraining mix
  ctx: number;
  microBatch: number;
  seed: number;
  maxSeconds?: number; // stop early (with a log line) when another step would overrun this budget
}

export const DEFAULT_PPO: PpoSettings = {
  steps: 20, prompts: 16, maxTokens: 48, temperature: 1, lr: 1e-5, valueLr: 5e-5, epochs: 2, clip: 0.2, beta: 0.05,
  horizon: 10000, gamma: 1, lambda: 0.95, unfinishedPenalty: 1, ptxCoef: 0, ctx: 256, microBatch: 8, seed: 0,
};

export type Scorer = (items: Array<{ prompt: ChatMessage[]; rollout: Rollout }>) => number[];

interface Experience {
  ids: number[];
  rows: number[]; // positions t whose target ids[t+1] was sampled
  oldLogp: number[];
  oldValues: number[];
  advantages: number[];
  returns: number[];
}

/** The [B, T] batch of some experiences: targets only at sampled positions (the rest −1). */
function expBatch(exps: Experience[], pad: number): { B: number; T: number; ids: Int32Array; targets: Int32Array } {
  const B = exps.length, T = Math.max(...exps.map((e) => e.ids.length)) - 1;
  const ids = new Int32Array(B * T).fill(pad), targets = new Int32Array(B * T).fill(-1);
  exps.forEach((e, b) => {
    for (let t = 0; t < Math.min(T, e.ids.length); t++) ids[b * T + t] = e.ids[t];
    for (const t of e.rows) targets[b * T + t] = e.ids[t + 1];
  });
  return { B, T, ids, targets };
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export interface PpoModels {
  policy: LlamaModel;
  ref: LlamaModel; // the SFT model: the KL anchor
  value: LlamaModel; // a scalar-head model
  tokenizer: Tokenizer;
  special: SpecialIds;
}

export interface PpoStepLog {
  score: number; kl: number; entropy: number; length: number; clip_frac: number; value_loss: number;
  policy_loss: number; beta: number; reward: number; unfinished: number; ptx_loss: number; value_clip_frac: number;
}

/**
 * The PPO loop on loaded models; `scorer` gives each rollout's score (the reward model in the
 * pipeline, any function in tests). Returns one log per step; the policy and value models are updated in place.
 */
export function ppoTrain(
  m: PpoModels, prompts: ChatMessage[][], scorer: Scorer, s: PpoSettings,
  opts: { ptxRows?: Row[]; metrics?: MetricsLog; log?: Logger; label?: string } = {},
): PpoStepLog[] {
  if (prompts.length === 0) throw new UserError('ppo: no prompts to sample from');
  const log = opts.log ?? ((l: string) => console.error(l));
  const rng = new Rng(s.seed);
  const order = shuffle(prompts.map((_, i) => i), rng);
  const schedule = (lr: number) => ({ kind: 'constant' as const, peakLr: lr, warmupSteps: 0, totalSteps: Math.max(1, s.steps * s.epochs), minRatio: 1 });
  const pTrainer = new Trainer(m.policy, { schedule: schedule(s.lr) });
  const vTrainer = new Trainer(m.value, { schedule: schedule(s.valueLr) });
  const kl = new KlController(s.beta, s.targetKl, s.horizon);
  const logs: PpoStepLog[] = [];
  const bar = progress(opts.label ?? 'ppo', s.steps, log);
  let cursor = 0, ptxCursor = 0;
  const started = Date.now();
  try {
    for (let step = 0; step < s.steps; step++) {
      const elapsed = (Date.now() - started) / 1000;
      if (s.maxSeconds && step > 0 && elapsed + elapsed / step > s.maxSeconds) {
        log(`${opts.label ?? 'ppo'}: stopping after ${step} of ${s.steps} steps: the next would pass the ${(s.maxSeconds / 60).toFixed(1)} min budget`);
        break;
      }
      // 1–2. Rollouts and their scores.
      const batchPrompts: ChatMessage[][] = [];
      for (let i = 0; i < s.prompts; i++) {
        if (cursor >= order.length) { shuffle(order, rng); cursor = 0; }
        batchPrompts.push(prompts[order[cursor++]]);
      }
      const rollouts = sampleReplies(m.policy, m.tokenizer, m.special, batchPrompts, 1, { maxTokens: s.maxTokens, temperature: s.temperature, seed: s.seed * 1000003 + step * 7919, maxContext: s.ctx });
      const rawScores = scorer(rollouts.map((r) => ({ prompt: batchPrompts[r.promptIndex], rollout: r })));
      const scores = rawScores.map((x, i) => x - (rollouts[i].complete ? 0 : s.unfinishedPenalty));

      // 3–4. Log-probs (policy, reference), values, per-token rewards, GAE.
      const exps: Experience[] = rollouts.map((r) => {
        const rows: number[] = [];
        for (let t = 1; t < r.ids.length; t++) if (r.actions[t]) rows.push(t - 1);
        return { ids: r.ids.slice(0, s.ctx + 1), rows: rows.filter((t) => t < s.ctx), oldLogp: [], oldValues: [], advantages: [], returns: [] };
      });
      let klSum = 0, entSum = 0, nTok = 0;
      for (const group of chunks(exps, s.microBatch)) {
        const b = expBatch(group, m.special.pad);
        const pol = tokenLogprobs(m.policy, b, s.temperature);
        const ref = tokenLogprobs(m.ref, b, s.temperature);
        const vals = tokenScores(m.value, b);
        group.forEach((e, g) => {
          e.oldLogp = e.rows.map((t) => pol.logprobs[g * b.T + t]);
          e.oldValues = e.rows.map((t) => vals[g * b.T + t]);
          const refLogp = e.rows.map((t) => ref.logprobs[g * b.T + t]);
          for (const t of e.rows) entSum += pol.entropy[g * b.T + t];
          nTok += e.rows.length;
          const sc = scores[exps.indexOf(e)];
          const { rewards, kl: k } = tokenRewards(e.oldLogp, refLogp, kl.beta, sc);
          klSum += k;
          const { advantages, returns } = gae(rewards, e.oldValues, s.gamma, s.lambda);
          e.advantages = Array.from(advantages);
          e.returns = Array.from(returns);
        });
      }
      const flat = whiten(Float64Array.from(exps.flatMap((e) => e.advantages)));
      let k = 0;
      for (const e of exps) e.advantages = e.advantages.map(() => flat[k++]);
      const live = exps.filter((e) => e.rows.length > 0);
      const total = live.reduce((a, e) => a + e.rows.length, 0);

      // 5. Clipped policy and value updates (PPO-ptx adds the pretraining loss to the policy's).
      let policyLoss = 0, valueLoss = 0, clipFrac = 0, vClip = 0, ptxLoss = 0;
      for (let epoch = 0; epoch < s.epochs && total > 0; epoch++) {
        let pl = 0, cf = 0, px = 0;
        pTrainer.customStep(() => {
          for (const group of chunks(live, s.microBatch)) {
            const b = expBatch(group, m.special.pad);
            const cur = tokenLogprobs(m.policy, b, s.temperature);
            const dLogp = new Float32Array(b.B * b.T);
            group.forEach((e, g) => {
              const logp = e.rows.map((t) => cur.logprobs[g * b.T + t]);
              const r = clippedPolicyLoss(logp, e.oldLogp, e.advantages, s.clip);
              const w = e.rows.length / total; // the loss is a mean over every sampled token of the batch
              pl += r.loss * w;
              cf += r.clipFrac * w;
              e.rows.forEach((t, i) => (dLogp[g * b.T + t] = r.dLogp[i] * e.rows.length / total));
            });
            tokenLogprobsBackward(m.policy, dLogp);
          }
          if (s.ptxCoef > 0 && opts.ptxRows?.length) {
            const rows: Row[] = [];
            for (let i = 0; i < Math.min(s.microBatch, opts.ptxRows.length); i++) rows.push(opts.ptxRows[ptxCursor++ % opts.ptxRows.length]);
            const T = rows[0].ids.length - 1;
            const batch: LmBatch = toBatch(rows, T);
            const weight = Array.from(batch.weights!).reduce((a, b) => a + b, 0);
            const r = lmLoss(m.policy, batch, { grad: true, normalizer: weight / s.ptxCoef });
            px = r.loss;
            return pl + s.ptxCoef * r.loss;
          }
          return pl;
        });
        let vl = 0, vc = 0;
        vTrainer.customStep(() => {
          for (const group of chunks(live, s.microBatch)) {
            const b = expBatch(group, m.special.pad);
            const vals = tokenScores(m.value, b);
            const dV = new Float32Array(b.B * b.T);
            group.forEach((e, g) => {
              const r = clippedValueLoss(e.rows.map((t) => vals[g * b.T + t]), e.oldValues, e.returns, s.clip);
              vl += (r.loss * e.rows.length) / total;
              vc += (r.clipFrac * e.rows.length) / total;
              e.rows.forEach((t, i) => (dV[g * b.T + t] = r.dValues[i] * e.rows.length / total));
            });
            scoreBackward(m.value, dV);
          }
          return vl;
        });
        policyLoss = pl; clipFrac = cf; valueLoss = vl; vClip = vc; ptxLoss = px;
      }

      // 6. Logs and the KL coefficient.
      const n = rollouts.length;
      const entry: PpoStepLog = {
        score: rawScores.reduce((a, b) => a + b, 0) / n,
        reward: scores.reduce((a, b) => a + b, 0) / n,
        kl: klSum / n,
        entropy: nTok ? entSum / nTok : 0,
        length: rollouts.reduce((a, r) => a + r.actions.reduce((x, y) => x + y, 0), 0) / n,
        unfinished: rollouts.filter((r) => !r.complete).length / n,
        clip_frac: clipFrac, value_loss: valueLoss, value_clip_frac: vClip, policy_loss: policyLoss, ptx_loss: ptxLoss,
        beta: kl.beta,
      };
      kl.update(entry.kl, s.prompts);
      logs.push(entry);
      opts.metrics?.log(step, { ...entry });
      bar.update(step + 1, { score: entry.score, kl: entry.kl });
    }
  } finally {
    bar.stop();
    pTrainer.dispose();
    vTrainer.dispose();
  }
  return logs;
}

export interface PpoOptions {
  model: string; // the policy to start from (the SFT model, or the last policy)
  ref: string; // the SFT model (KL anchor)
  reward: string; // reward model checkpoint
  value?: string; // value model to start from (default: the reward model)
  tokenizer?: string;
  prompts: string;
  ptxData?: string; // text for PPO-ptx
  out: string;
  settings: PpoSettings;
  maxPrompts?: number;
  stage?: string;
  metricsPath?: string;
  log?: Logger;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function runPpo(o: PpoOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  const stage = o.stage ?? 'ppo';
  const prompts = readPrompts(o.prompts).slice(0, o.maxPrompts).map((p) => p.prompt);
  const ptxText = o.settings.ptxCoef > 0 && o.ptxData ? readText(o.ptxData) : undefined;
  if (o.settings.ptxCoef > 0 && !o.ptxData) throw new UserError('ppo: --ptx-coef needs --ptx-data (a text file)');
  // Vocabularies must agree across all four checkpoints before anything heavy is loaded.
  const vocab = checkpointVocab(o.model);
  for (const [what, dir] of [['reference', o.ref], ['reward model', o.reward], ['value model', o.value ?? o.reward]] as const) {
    const v = checkpointVocab(dir);
    if (v !== vocab) throw new UserError(`ppo: the ${what} ${dir} has vocab_size ${v} but the policy ${o.model} has ${vocab}`);
  }
  if (!checkpointHasScalarHead(o.reward)) throw new UserError(`ppo: ${o.reward} has no scalar head: it is not a reward model`);
  if (!checkpointHasScalarHead(o.value ?? o.reward)) throw new UserError(`ppo: ${o.value} has no scalar head: it cannot be a value model`);
  if (checkpointHasScalarHead(o.model) || checkpointHasScalarHead(o.ref)) throw new UserError('ppo: the policy and the reference must be language models, not scalar-head models');
  const p = loadPolicy(o.model, o.tokenizer);
  const ref = loadModel(o.ref).model;
  const rm = loadModel(o.reward).model;
  const value = loadModel(o.value ?? o.reward).model;
  const started = Date.now();
  try {
    const ctx = Math.min(o.settings.ctx, p.model.config.maxPositionEmbeddings);
    const settings = { ...o.settings, ctx };
    const ptxRows = ptxText ? packStream(p.tokenizer.encode(ptxText.slice(0, 400_000)), Math.min(ctx, 128)) : undefined;
    const scorer: Scorer = (items) => scoreReplies(rm, p.tokenizer, p.special, items.map((i) => ({ prompt: i.prompt, reply: i.rollout.text })), ctx);
    const metrics = new MetricsLog(o.metricsPath, stage);
    log(`${stage}: ${prompts.length} prompts, ${settings.steps} steps of ${settings.prompts} rollouts, β ${settings.beta}${settings.targetKl ? ` → target KL ${settings.targetKl}` : ' (fixed)'}`);
    const logs = ppoTrain({ policy: p.model, ref, value, tokenizer: p.tokenizer, special: p.special }, prompts, scorer, settings, { ptxRows, metrics, log, label: stage });
    const q = Math.max(1, Math.floor(logs.length / 4));
    const summary = {
      score_first: mean(logs.slice(0, q).map((l) => l.score)),
      score_last: mean(logs.slice(-q).map((l) => l.score)),
      kl_last: mean(logs.slice(-q).map((l) => l.kl)),
      entropy_last: mean(logs.slice(-q).map((l) => l.entropy)),
      length_last: mean(logs.slice(-q).map((l) => l.length)),
      unfinished_last: mean(logs.slice(-q).map((l) => l.unfinished)),
      beta_final: logs.length ? logs[logs.length - 1].beta : settings.beta,
      steps: logs.length,
      seconds: (Date.now() - started) / 1000,
    };
    metrics.log(-1, summary);
    log(`${stage}: score ${summary.score_first.toFixed(3)} → ${summary.score_last.toFixed(3)}, KL ${summary.kl_last.toFixed(3)}, length ${summary.length_last.toFixed(1)} (${summary.seconds.toFixed(0)} s)`);
    saveStageCheckpoint(o.out, p.model, p.tokenizerDir, p.special, {
      stage: 'ppo', parent: o.model, datasets: datasetHashes([o.prompts, o.ptxData]), metrics: summary,
      config: { ...settings, ref: o.ref, reward: o.reward },
    }, p.hfConfig);
    return summary;
  } finally {
    for (const mdl of [p.model, ref, rm, value]) mdl.dispose();
  }
}
