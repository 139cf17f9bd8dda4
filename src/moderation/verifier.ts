// The second stage of the cascade (issue 7): a small transformer from Parley's own engine with a
// scalar head that answers "is this window harmful at all". The linear classifier (classifier.ts)
// scores every window; only the windows it flags (or brings near a policy threshold) go to the
// verifier, and a flag stands only if the verifier's probability of "unsafe" reaches its threshold.
// Categories still come from the linear model. Benign messages that the linear model passes cost
// nothing extra.
//
// Directory layout: MODEL_DIR/verifier/ is an HF-layout checkpoint (config.json with
// LlamaForSequenceClassification, model.safetensors in float32, parley.json with the threshold and
// provenance) with its own tokenizer.json and tokenizer_config.json, so it depends on no other model.
//
// Input: the normalised window text (normalize.ts: case, leetspeak, spacing undone), tokenised and
// cut to VERIFIER_MAX_TOKENS, between <|begin_of_text|> and <|end_of_turn|>; the score is read at the
// final <|end_of_turn|>. The engine's forward is synchronous once `initEngine()` has run, so
// `Classifier.score` and `moderate()` stay synchronous; only loading needs the engine started
// (moderator.ts: `openModerator`).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { LlamaModel } from '../engine/model.ts';
import { padBatch, score, scoreBackward } from '../engine/heads.ts';
import { loadModel, saveModel } from '../engine/load-model.ts';
import { poolThreads } from '../engine/ops.ts';
import { Trainer } from '../engine/trainer.ts';
import { bceWithLogits, sigmoid } from '../training/losses.ts';
import { loadTokenizer, saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { specialIds, type SpecialIds } from '../tokenizer/special-tokens.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { normalize } from './normalize.ts';
import { Rng } from './random.ts';

export const VERIFIER_SUBDIR = 'verifier';
export const VERIFIER_FORMAT = 'parley-moderation-verifier';
/** Tokens of window text kept (a window is at most two sentences; longer ones are cut). */
export const VERIFIER_MAX_TOKENS = 64;

export interface VerifierInfo {
  format: typeof VERIFIER_FORMAT;
  /** Probability of "unsafe" a flagged window needs for its flag to stand. */
  threshold: number;
  /** Windows whose highest linear category score reaches this are verified (the lowest default policy threshold). */
  verifyFrom: number;
  /** Provenance: base model, steps, validation numbers. */
  training: Record<string, unknown>;
}

export class Verifier {
  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: Tokenizer,
    readonly special: SpecialIds,
    public info: VerifierInfo,
  ) {
    if (!model.scalarHead) throw new Error('the verifier needs a scalar-head model');
  }

  /** Token ids of one window: <|begin_of_text|> normalised text <|end_of_turn|>. */
  ids(text: string): number[] {
    const body = this.tokenizer.encode(normalize(text)).slice(0, VERIFIER_MAX_TOKENS);
    return [this.special.begin, ...body, this.special.endOfTurn];
  }

  /** Raw scores (logits of "unsafe") of token sequences, right-padded in batches of `batch`. */
  logitsOfIds(seqs: number[][], batch = 16): Float32Array {
    const out = new Float32Array(seqs.length);
    for (let i = 0; i < seqs.length; i += batch) {
      const b = padBatch(seqs.slice(i, i + batch), this.special.pad);
      out.set(score(this.model, b, b.lastIndex), i);
    }
    return out;
  }

  /** Probability of "unsafe" for each window text. Synchronous. */
  probs(texts: string[]): Float32Array {
    const l = this.logitsOfIds(texts.map((t) => this.ids(t)));
    return l.map(sigmoid);
  }

  save(dir: string): void {
    saveModel(dir, this.model, {
      parley: { ...this.info },
      hfConfig: { bos_token_id: this.special.begin, eos_token_id: this.special.endOfTurn, pad_token_id: this.special.pad },
    });
    saveTokenizer(this.tokenizer, dir);
  }

  /** Whether a moderation model directory carries a verifier. */
  static present(modelDir: string): boolean {
    return existsSync(join(modelDir, VERIFIER_SUBDIR, 'config.json'));
  }

  /** Loads MODEL_DIR/verifier. The engine must be started (`await initEngine()`). */
  static load(dir: string): Verifier {
    if (!engineStarted()) {
      throw new UserError(`${dir} is a cascade with a neural verifier: start the engine first (\`await openModerator(...)\` or \`await initEngine()\` before createModerator)`);
    }
    const prov = join(dir, 'parley.json');
    const info = (existsSync(prov) ? JSON.parse(readFileSync(prov, 'utf8')) : {}) as VerifierInfo;
    if (info.format !== VERIFIER_FORMAT || typeof info.threshold !== 'number') {
      throw new UserError(`${prov}: expected {"format": "${VERIFIER_FORMAT}", "threshold": ...}`);
    }
    info.verifyFrom ??= 0.5;
    const { tokenizer } = loadTokenizer(dir);
    const { model } = loadModel(dir);
    if (!model.scalarHead) {
      model.dispose();
      throw new UserError(`${dir}: the verifier checkpoint has no scalar head`);
    }
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      model.dispose();
      throw new UserError(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens, the checkpoint ${model.config.vocabSize}`);
    }
    return new Verifier(model, tokenizer, specialIds(tokenizer), info);
  }

  /** A short digest of the weights and threshold (part of the cascade's version). */
  digest(): string {
    const h = createHash('sha256');
    for (const [name, t] of this.model.toTensors()) h.update(name).update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return h.update(String(this.info.threshold)).digest('hex').slice(0, 6);
  }

  dispose(): void {
    this.model.dispose();
  }
}

export function engineStarted(): boolean {
  try {
    poolThreads();
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Training: binary cross-entropy on windows of the moderation corpus.

/** One training window: its text, 1 = unsafe, and its loss weight. */
export interface VerifierExample {
  text: string;
  label: 0 | 1;
  weight: number;
}

export interface VerifierTrainOptions {
  seed: number;
  /** Optimizer steps (the run stops earlier when maxSeconds would pass). */
  steps: number;
  batch: number;
  lr: number;
  maxSeconds?: number;
  log?: (line: string) => void;
  /** Called every `every` steps with the step and the mean loss since the last call. */
  onLoss?: (step: number, loss: number) => void;
  every?: number;
  /** Early stopping: every `validateEvery` steps the weighted cross-entropy on these windows is
   *  measured, and the weights of the best measurement are the ones kept at the end. */
  validation?: VerifierExample[];
  validateEvery?: number;
}

/** Weighted binary cross-entropy of the verifier on `examples` (Σ w·BCE / Σ w); `ids` are their
 *  token ids when the caller already has them. */
export function verifierLoss(v: Verifier, examples: VerifierExample[], ids = examples.map((e) => v.ids(e.text))): number {
  const z = v.logitsOfIds(ids);
  let loss = 0, wsum = 0;
  examples.forEach((e, k) => {
    loss += e.weight * bceWithLogits(z[k], e.label);
    wsum += e.weight;
  });
  return loss / Math.max(wsum, 1e-12);
}

/**
 * Trains the verifier's model in place on `examples` with weighted binary cross-entropy
 * (loss = Σ w·BCE / Σ w per batch). Returns the mean loss of the first and last tenth of the steps.
 */
export function trainVerifier(v: Verifier, examples: VerifierExample[], o: VerifierTrainOptions): { first: number; last: number; steps: number; seconds: number; best?: { step: number; loss: number } } {
  if (examples.length === 0) throw new UserError('verifier: no training examples');
  const log = o.log ?? (() => {});
  const rng = new Rng(o.seed + 17);
  const order = examples.map((_, i) => i);
  rng.shuffle(order);
  const ids = examples.map((e) => v.ids(e.text));
  const warm = Math.min(20, Math.max(0, o.steps - 1));
  const trainer = new Trainer(v.model, { schedule: { kind: 'cosine', peakLr: o.lr, warmupSteps: warm, totalSteps: o.steps, minRatio: 0.1 }, adamw: { weightDecay: 0.01 } });
  const losses: number[] = [];
  const t0 = performance.now();
  let cursor = 0, window = 0, windowN = 0;
  let best: { step: number; loss: number; weights: ReturnType<typeof v.model.toTensors> } | undefined;
  let validated = 0;
  const validationIds = o.validation?.map((e) => v.ids(e.text));
  const validate = (step: number) => {
    if (!o.validation?.length || step === validated) return;
    validated = step;
    const loss = verifierLoss(v, o.validation, validationIds);
    const better = !best || loss < best.loss;
    log(`verifier step ${step}: validation loss ${loss.toFixed(4)}${better ? ' (best so far)' : ` (best ${best!.loss.toFixed(4)} at step ${best!.step})`}`);
    if (better) best = { step, loss, weights: v.model.toTensors() };
  };
  try {
    for (let s = 0; s < o.steps; s++) {
      const elapsed = (performance.now() - t0) / 1000;
      if (o.maxSeconds && s > 0 && elapsed + elapsed / s > o.maxSeconds) {
        log(`verifier: stopping after ${s} of ${o.steps} steps (the ${o.maxSeconds} s budget)`);
        break;
      }
      const picked: number[] = [];
      while (picked.length < Math.min(o.batch, examples.length)) {
        if (cursor >= order.length) {
          rng.shuffle(order);
          cursor = 0;
        }
        picked.push(order[cursor++]);
      }
      const r = trainer.customStep(() => {
        const b = padBatch(picked.map((i) => ids[i]), v.special.pad);
        const z = score(v.model, b, b.lastIndex);
        const wsum = picked.reduce((a, i) => a + examples[i].weight, 0);
        let loss = 0;
        const d = new Float32Array(picked.length);
        picked.forEach((i, k) => {
          const e = examples[i], w = e.weight / wsum, p = sigmoid(z[k]);
          loss += w * bceWithLogits(z[k], e.label);
          d[k] = w * (p - e.label);
        });
        scoreBackward(v.model, d);
        return loss;
      });
      losses.push(r.loss);
      window += r.loss;
      windowN++;
      const every = o.every ?? 100;
      if ((s + 1) % every === 0) {
        o.onLoss?.(s + 1, window / windowN);
        log(`verifier step ${s + 1}/${o.steps}: loss ${(window / windowN).toFixed(4)} lr ${r.lr.toExponential(2)}`);
        window = 0;
        windowN = 0;
      }
      if (o.validateEvery && (s + 1) % o.validateEvery === 0) validate(s + 1);
    }
    validate(losses.length);
  } finally {
    trainer.dispose();
  }
  if (best && best.step !== losses.length) {
    for (const [name, t] of best.weights) v.model.view(name).set(t.data);
    log(`verifier: keeping the weights of step ${best.step} (validation loss ${best.loss.toFixed(4)})`);
  }
  const tenth = Math.max(1, Math.floor(losses.length / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    first: mean(losses.slice(0, tenth)), last: mean(losses.slice(-tenth)), steps: losses.length, seconds: (performance.now() - t0) / 1000,
    ...(best ? { best: { step: best.step, loss: best.loss } } : {}),
  };
}
