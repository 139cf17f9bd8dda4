// DPO (Rafailov et al. 2023), the standard alternative to a reward model + PPO: from preference pairs
// {"prompt","chosen","rejected"}, minimise −log σ(β·((log π(y_c) − log π_ref(y_c)) − (log π(y_r) − log π_ref(y_r))))
// where log π(y) sums the log-probs of the reply's trained tokens (the chat format's assistant mask).
// The reference is the starting model (normally the SFT model), frozen.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../util/errors.ts';
import type { LlamaModel } from '../engine/model.ts';
import { tokenLogprobs, tokenLogprobsBackward } from '../engine/heads.ts';
import { Trainer } from '../engine/trainer.ts';
import { Rng } from '../engine/sampling.ts';
import { loadModel } from '../engine/load-model.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../tokenizer/special-tokens.ts';
import { renderConversation } from '../tokenizer/chat.ts';
import { readPairs, readRankings, type PairExample, type RankingExample } from './datasets.ts';
import { dpoLoss } from './losses.ts';
import { shuffle } from './lm-loop.ts';
import { loadPolicy, saveStageCheckpoint, datasetHashes } from './checkpoints.ts';
import { MetricsLog } from './run-dir.ts';
import { progress, type Logger } from './progress.ts';
import type { ChatMessage } from '../providers/types.ts';

interface Seq { ids: number[]; rows: number[] } // rows: positions t whose target ids[t+1] is a reply token

function replySeq(tok: Tokenizer, special: SpecialIds, prompt: ChatMessage[], reply: ChatMessage[], ctx: number): Seq {
  const r = renderConversation(tok, [...prompt, ...reply]);
  const promptLen = renderConversation(tok, prompt).ids.length;
  let ids = Array.from(r.ids), mask = Array.from(r.mask);
  for (let i = 0; i < promptLen; i++) mask[i] = 0; // only the reply's own tokens count
  if (ids.length > ctx + 1) {
    const cut = ids.length - ctx; // keep the end (the reply); the first token stays <|begin_of_text|>
    ids = [special.begin, ...ids.slice(cut + 1)];
    mask = [0, ...mask.slice(cut + 1)];
  }
  const rows: number[] = [];
  for (let t = 1; t < ids.length; t++) if (mask[t]) rows.push(t - 1);
  return { ids, rows };
}

/** Summed log-probs of each sequence's reply tokens; keeps the activations for a backward. */
function sums(m: LlamaModel, seqs: Seq[], pad: number): { sums: number[]; B: number; T: number } {
  const B = seqs.length, T = Math.max(...seqs.map((s) => s.ids.length)) - 1;
  const ids = new Int32Array(B * T).fill(pad), targets = new Int32Array(B * T).fill(-1);
  seqs.forEach((s, b) => {
    for (let t = 0; t < Math.min(T, s.ids.length); t++) ids[b * T + t] = s.ids[t];
    for (const t of s.rows) targets[b * T + t] = s.ids[t + 1];
  });
  const { logprobs } = tokenLogprobs(m, { B, T, ids, targets });
  return { sums: seqs.map((s, b) => s.rows.reduce((a, t) => a + logprobs[b * T + t], 0)), B, T };
}

export interface DpoOptions {
  model: string;
  ref?: string; // default: the starting model
  tokenizer?: string;
  data: string;
  out: string;
  beta: number;
  steps: number;
  batch: number; // pairs per step
  microBatch: number; // pairs per forward pass
  lr: number;
  ctx: number;
  seed: number;
  maxSeconds?: number; // stop (with a log line) when another step would pass this budget
  stage?: string;
  metricsPath?: string;
  log?: Logger;
}

/**
 * Preference pairs from rankings: every ordered pair of a ranking (best first), C(k,2) per prompt for k
 * ordered replies — the same pairs the reward model's loss sums over. Identical replies make no pair.
 */
export function rankingPairs(rows: RankingExample[]): Array<{ prompt: ChatMessage[]; chosen: string; rejected: string }> {
  const out: Array<{ prompt: ChatMessage[]; chosen: string; rejected: string }> = [];
  for (const r of rows) {
    for (let i = 0; i < r.ranking.length; i++) {
      for (let j = i + 1; j < r.ranking.length; j++) {
        const chosen = r.completions[r.ranking[i]], rejected = r.completions[r.ranking[j]];
        if (chosen !== rejected) out.push({ prompt: r.prompt, chosen, rejected });
      }
    }
  }
  return out;
}

/** Writes the pairs of every rankings file as one pairs JSONL (atomically); returns the pair count. */
export function writeRankingPairs(rankingFiles: string[], out: string): number {
  const pairs = rankingFiles.flatMap((f) => rankingPairs(readRankings(f)));
  if (pairs.length === 0) throw new UserError(`dpo: the rankings ${rankingFiles.join(', ')} give no pair of different replies`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  renameSync(tmp, out);
  return pairs.length;
}

export function runDpo(o: DpoOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  const stage = o.stage ?? 'dpo';
  if (!(o.beta > 0)) throw new UserError(`dpo: β must be > 0, got ${o.beta}`);
  if (o.maxSeconds !== undefined && !(o.maxSeconds > 0)) throw new UserError(`dpo: the time budget must be > 0 seconds, got ${o.maxSeconds}`);
  const pairs = readPairs(o.data);
  const p = loadPolicy(o.model, o.tokenizer);
  const ref = loadModel(o.ref ?? o.model).model;
  const started = Date.now();
  try {
    if (p.model.scalarHead) throw new UserError(`dpo: ${o.model} has a scalar head; DPO trains a language model`);
    const ctx = Math.min(o.ctx, p.model.config.maxPositionEmbeddings);
    const data = pairs.map((x: PairExample) => ({
      chosen: replySeq(p.tokenizer, p.special, x.prompt, x.chosen, ctx),
      rejected: replySeq(p.tokenizer, p.special, x.prompt, x.rejected, ctx),
    })).filter((d) => d.chosen.rows.length > 0 && d.rejected.rows.length > 0);
    if (data.length === 0) throw new UserError(`${o.data}: no pair has reply tokens to compare`);
    // The reference's log-probs never change: compute them once.
    const refSums: Array<[number, number]> = [];
    for (let i = 0; i < data.length; i += o.microBatch) {
      const group = data.slice(i, i + o.microBatch);
      const s = sums(ref, [...group.map((d) => d.chosen), ...group.map((d) => d.rejected)], p.special.pad).sums;
      group.forEach((_, g) => refSums.push([s[g], s[group.length + g]]));
    }
    const rng = new Rng(o.seed);
    const order = shuffle(data.map((_, i) => i), rng);
    const trainer = new Trainer(p.model, { schedule: { kind: 'cosine', peakLr: o.lr, warmupSteps: Math.min(5, o.steps - 1), totalSteps: o.steps, minRatio: 0.1 } });
    const metrics = new MetricsLog(o.metricsPath, stage);
    const bar = progress(stage, o.steps, log);
    let cursor = 0, lastAcc = 0, lastLoss = NaN, lastMargin = 0, stepsDone = 0;
    const loopStart = performance.now(); // sub-millisecond: a tiny model's step can take less than 1 ms
    try {
      for (let step = 0; step < o.steps; step++) {
        const elapsed = (performance.now() - loopStart) / 1000;
        if (o.maxSeconds && step > 0 && elapsed + elapsed / step > o.maxSeconds) {
          log(`${stage}: stopping after ${step} of ${o.steps} steps: the next would pass the ${(o.maxSeconds / 60).toFixed(2)} min budget`);
          break;
        }
        stepsDone = step + 1;
        const picked: number[] = [];
        while (picked.length < Math.min(o.batch, data.length)) {
          if (cursor >= order.length) { shuffle(order, rng); cursor = 0; }
          picked.push(order[cursor++]);
        }
        let acc = 0, margin = 0;
        const r = trainer.customStep(() => {
          let loss = 0;
          for (let i = 0; i < picked.length; i += o.microBatch) {
            const group = picked.slice(i, i + o.microBatch);
            const seqs = [...group.map((j) => data[j].chosen), ...group.map((j) => data[j].rejected)];
            const { sums: s, B, T } = sums(p.model, seqs, p.special.pad);
            const dLogp = new Float32Array(B * T);
            group.forEach((j, g) => {
              const l = dpoLoss(s[g], s[group.length + g], refSums[j][0], refSums[j][1], o.beta);
              loss += l.loss / picked.length;
              margin += l.margin / picked.length;
              if (l.margin > 0) acc++;
              for (const t of seqs[g].rows) dLogp[g * T + t] = l.dChosen / picked.length;
              for (const t of seqs[group.length + g].rows) dLogp[(group.length + g) * T + t] = l.dRejected / picked.length;
            });
            tokenLogprobsBackward(p.model, dLogp);
          }
          return loss;
        });
        acc /= picked.length;
        lastAcc = acc; lastLoss = r.loss; lastMargin = margin;
        metrics.log(step, { loss: r.loss, accuracy: acc, margin, lr: r.lr });
        bar.update(step + 1, { loss: r.loss, acc });
      }
    } finally {
      bar.stop();
      trainer.dispose();
    }
    const summary = { loss: lastLoss, accuracy: lastAcc, margin: lastMargin, pairs: data.length, steps: stepsDone, planned_steps: o.steps, seconds: (Date.now() - started) / 1000 };
    metrics.log(-1, summary);
    saveStageCheckpoint(o.out, p.model, p.tokenizerDir, p.special, {
      stage: 'dpo', parent: o.model, datasets: datasetHashes([o.data]), metrics: summary,
      config: { beta: o.beta, steps: o.steps, batch: o.batch, lr: o.lr, ctx, seed: o.seed, ref: o.ref ?? o.model, ...(o.maxSeconds ? { maxSeconds: o.maxSeconds } : {}) },
    }, p.hfConfig);
    return summary;
  } finally {
    p.model.dispose();
    ref.dispose();
  }
}
