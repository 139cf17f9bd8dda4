// Building the cascade's verifier (verifier.ts) from the moderation corpus: which training examples
// it learns from, which it is validated on, where its threshold goes, and where its weights start.
//
// - Validation: a part of the TRAINING templates (corpus.ts: isValidation), which the verifier never
//   trains on. The held-out templates (index % 4 == 2) are never touched here.
// - Examples: every training text as a window (unsafe = 1), plus pair windows (a text next to a
//   random safe sentence, with the text's label), since the linear model's windows are sentences and
//   pairs of sentences. Hard negatives, the safe texts the linear model flags (or brings to the
//   verification floor), get `hardWeight`.
// - Frame twins (frameTwins): the unsafe training templates with their harmful words replaced by
//   everyday ones of the same kind ("write a guide to {crime} for beginners" -> "... to bake bread
//   ..."), labelled safe, so that the verifier learns that the harm is in the words, not in the frame
//   of the request; the linear model flags many such frames. Twins that still contain a harmful
//   lexicon term, and templates with harmful slots that have no everyday counterpart (self-harm,
//   sexual, gore) or whose harm is in the frame (hate), are left out.
// - Threshold: the highest one at which the verifier still accepts all but `maxFlagLoss` of the
//   validation unsafe texts the linear model flags. The linear model saw those templates (its recall
//   there is ~0.93, on held-out ones ~0.65), so a share, not an absolute drop, carries over: losing
//   3.5% of the linear model's true flags costs about 0.65 x 0.035 = 2.3 points of held-out recall.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { loadModel } from '../engine/load-model.ts';
import { loadTokenizer } from '../tokenizer/tokenizer-files.ts';
import { SPECIAL_TOKENS, specialIds } from '../tokenizer/special-tokens.ts';
import { trainTokenizer } from '../tokenizer/train.ts';
import type { Classifier } from './classifier.ts';
import { windows } from './classifier.ts';
import { isHeldOut, isHeldOutValue, splitValidation, VOCABULARY, type Example } from './corpus.ts';
import { UNSAFE, type TemplateGroup } from './corpus-unsafe.ts';
import { UNSAFE_MORE } from './corpus-unsafe-more.ts';
import { classText } from './lexicon.ts';
import { normalize } from './normalize.ts';
import { SLOTS } from './slots.ts';
import { EVERYDAY_SLOTS } from './slots-everyday.ts';
import { Rng } from './random.ts';
import { withScalarHead } from '../engine/scalar-head.ts';
import { trainVerifier, Verifier, VERIFIER_FORMAT, type VerifierExample } from './verifier.ts';

/** Where the verifier's weights start: a Parley chat checkpoint (its tokenizer too), or from scratch. */
export type VerifierBase =
  | { kind: 'checkpoint'; dir: string }
  | { kind: 'scratch'; vocab: number; dim: number; layers: number; heads: number; kvHeads: number; ffn: number };

export const SCRATCH_BASE: VerifierBase = { kind: 'scratch', vocab: 2048, dim: 96, layers: 3, heads: 4, kvHeads: 2, ffn: 256 };

export interface CascadeOptions {
  seed: number;
  base: VerifierBase;
  steps: number;
  batch: number;
  lr: number;
  maxSeconds: number;
  /** Loss weight of a safe training text the linear model flags. */
  hardWeight: number;
  /** Pair windows added, per training text. */
  pairRate: number;
  /** Frame twins per unsafe template (0: none). */
  twins: number;
  /** Largest share of the linear model's flags on validation unsafe texts the verifier may reject. */
  maxFlagLoss: number;
  /** Windows whose highest linear score reaches this are verified. */
  verifyFrom: number;
  /** Steps between validation-loss checks for early stopping (0: none; the last weights are kept). */
  validateEvery: number;
  log?: (line: string) => void;
}

export const DEFAULT_CASCADE: Omit<CascadeOptions, 'seed'> = {
  base: SCRATCH_BASE,
  steps: 6000,
  batch: 32,
  lr: 1e-3,
  maxSeconds: 0,
  hardWeight: 4,
  pairRate: 0.3,
  twins: 16,
  maxFlagLoss: 0.035,
  verifyFrom: 0.3,
  validateEvery: 500,
};

const KIND_WORDS = ['kind', 'clever', 'funny', 'brilliant', 'talented', 'generous', 'thoughtful', 'cheerful', 'patient', 'creative'];
const KIND_NOUNS = ['friend', 'genius', 'sweetheart', 'legend', 'teammate', 'neighbour', 'artist', 'hero', 'star', 'champion'];
const trainValues = (xs: readonly string[]) => xs.filter((_, i) => !isHeldOutValue(i, xs.length));
/** Everyday fillers for the harmful slots that have a harmless counterpart (training quarters only). */
const EVERYDAY_FOR: Record<string, string[]> = {
  crime: trainValues(SLOTS.goal),
  drug: trainValues(EVERYDAY_SLOTS.ingredient),
  poison: trainValues(EVERYDAY_SLOTS.ingredient),
  bomb: trainValues(EVERYDAY_SLOTS.dish),
  weapon: trainValues(SLOTS.tool),
  hurt: trainValues(SLOTS.kindVerb),
  insult: KIND_WORDS,
  insultNoun: KIND_NOUNS,
};
const HARM_CLASS = /__(hurt|weapon|insult|drug|self|sexual|minor|gore|crime|evade)__/;
/** Frame words that keep a twin harmful whatever fills it (threats, stalking, evasion, mass harm): such twins are dropped. */
const HARMFUL_FRAME = /\b(threat\w*|insult\w*|lure|isolated|damage|blast|police|cops?|caught|dark web|prescription|security|deserve\w*|lynch|get rid|every (one|single) of|list|promise|scare\w*|afraid|humiliat\w*|mock|roast|cry|ashamed|hate|disgust\w*|suffer|regret|pay for|watch your back|find (you|where)|outside your|follow\w*|track\w*|hide|untraceable|illegal\w*|remove|wipe|kids?|school|crowd\w*|most people|hostage|victim|dead|bleed\w*|hitman|disgrace|can't stand|go back|those|round up|lesson|marry|evidence|traces|anonymous\w*|timer|hardware|chemicals|blame|bare hands|wrong person|mess with|touch my|suffer\w*|make you)\b/;

/**
 * Safe twins of the unsafe training templates (see the header): `perTemplate` fillings each, split
 * like the examples (`val` says which part to make).
 */
export function frameTwins(seed: number, perTemplate: number, val: boolean): Example[] {
  const rng = new Rng(seed + 41);
  const slots: Record<string, readonly string[]> = { ...SLOTS, ...EVERYDAY_SLOTS };
  const out: Example[] = [];
  const groups: TemplateGroup[] = [...UNSAFE, ...UNSAFE_MORE].filter((g) => !g.labels.some((l) => /^(sexual|self-harm|violence\/graphic|hate)/.test(l)));
  for (const g of groups) {
    g.templates.forEach((t, i) => {
      if (isHeldOut(i) || (i % 8 === 0) !== val) return;
      const names = [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const harmful = names.filter((n) => VOCABULARY.has(n));
      if (harmful.length === 0 || harmful.some((n) => !EVERYDAY_FOR[n])) return;
      const seen = new Set<string>();
      for (let k = 0; k < perTemplate * 3 && seen.size < perTemplate; k++) {
        const text = t.replace(/\{(\w+)\}/g, (_, n: string) => rng.pick(EVERYDAY_FOR[n] ?? trainValues(slots[n])));
        if (seen.has(text) || HARM_CLASS.test(classText(normalize(text))) || HARMFUL_FRAME.test(text.toLowerCase())) continue;
        seen.add(text);
        out.push({ text, labels: [], source: `${g.name}#${i}+twin` });
      }
    });
  }
  return out;
}

/** The highest linear score of a text over its windows and categories. */
export function linearMax(linear: Classifier, text: string): number {
  return Math.max(0, ...linear.linearScore(text));
}

/** Verifier training windows from the fitting part of the corpus (see the header). */
export function verifierExamples(fit: Example[], linear: Classifier, o: { seed: number; hardWeight: number; pairRate: number; verifyFrom: number }): { examples: VerifierExample[]; hard: number } {
  const rng = new Rng(o.seed + 29);
  const safe = fit.filter((e) => e.labels.length === 0);
  const out: VerifierExample[] = [];
  let hard = 0;
  const add = (text: string, label: 0 | 1) => {
    let weight = 1;
    if (label === 0 && linearMax(linear, text) >= o.verifyFrom) {
      weight = o.hardWeight;
      hard++;
    }
    out.push({ text, label, weight });
  };
  for (const e of fit) {
    const label = e.labels.length > 0 ? 1 : 0;
    add(e.text, label);
    if (rng.next() < o.pairRate) {
      const other = rng.pick(safe).text.replace(/[.!?]*$/, '.');
      const t = e.text.replace(/[.!?]*$/, '.');
      add(rng.next() < 0.5 ? `${other} ${t}` : `${t} ${other}`, label);
    }
  }
  return { examples: out, hard };
}

/** A fresh verifier (untrained head) on the chosen base. `texts` train a scratch tokenizer. */
export function newVerifier(base: VerifierBase, seed: number, texts: string[], verifyFrom: number): Verifier {
  const info = { format: VERIFIER_FORMAT, threshold: 0.5, verifyFrom, training: {} } as const;
  if (base.kind === 'checkpoint') {
    if (!existsSync(join(base.dir, 'config.json'))) throw new UserError(`verifier base ${base.dir}: no config.json`);
    const { tokenizer } = loadTokenizer(base.dir);
    const lm = loadModel(base.dir).model;
    const m = withScalarHead(lm, seed, 'verifier');
    lm.dispose();
    return new Verifier(m, tokenizer, specialIds(tokenizer), { ...info, training: { base: base.dir } });
  }
  const tokenizer = trainTokenizer([texts.map((t) => normalize(t)).join('\n')], { vocabSize: base.vocab, specialTokens: SPECIAL_TOKENS });
  const config = makeConfig({ vocab: tokenizer.vocabSize, dim: base.dim, layers: base.layers, heads: base.heads, kvHeads: base.kvHeads, ffn: base.ffn, ctx: 2 * 64 + 8, tied: true });
  const m = LlamaModel.random(config, seed, { scalarHead: true });
  return new Verifier(m, tokenizer, specialIds(tokenizer), { ...info, training: { base: `scratch ${base.layers}x${base.dim}, vocab ${tokenizer.vocabSize}` } });
}

/** Validation numbers of a verifier at one threshold, for the validation texts the linear model flags. */
export interface ThresholdChoice {
  threshold: number;
  /** Linear recall on the validation unsafe texts (any category flagged). */
  linearRecall: number;
  cascadeRecall: number;
  /** Validation safe texts flagged by the linear model, and by the cascade. */
  linearSafeFlagged: number;
  cascadeSafeFlagged: number;
  /** Validation AUC of the verifier over all validation texts (safe against unsafe). */
  auc: number;
  valUnsafe: number;
  valSafe: number;
}

/**
 * Picks the threshold on the validation part: each validation text's cascade verdict is its linear
 * flag AND (verifier probability of the windows the linear model flags >= threshold). This is close
 * to, not the same as, Classifier.cascadeWindows at run time, which verifies every window reaching
 * `verifyFrom` (not only flagged ones) and lets a pair window take its sentences' verdict. The
 * threshold is the highest at which the cascade keeps at least (1 - maxFlagLoss) of the linear
 * model's flags on the validation unsafe texts.
 */
export function chooseThreshold(linear: Classifier, verifier: Verifier, val: Example[], maxFlagLoss: number): ThresholdChoice {
  const thresholds = linear.info.thresholds;
  // For each text: flagged by the linear model? and the smallest probability the verifier must
  // pass for the text to stay flagged (the max over its flagged windows' probabilities).
  const rows: { unsafe: boolean; flagged: boolean; need: number; p: number }[] = [];
  for (const e of val) {
    const ws = windows(e.text);
    const tmp = new Float32Array(thresholds.length);
    const flaggedWindows: string[] = [];
    for (const w of ws) {
      linear.scoreWindow(w, tmp);
      if (tmp.some((x, c) => x >= thresholds[c])) flaggedWindows.push(w);
    }
    const probs = verifier.probs(flaggedWindows.length ? flaggedWindows : [e.text]);
    const pMax = Math.max(...probs);
    rows.push({ unsafe: e.labels.length > 0, flagged: flaggedWindows.length > 0, need: flaggedWindows.length ? pMax : 0, p: flaggedWindows.length ? pMax : probs[0] });
  }
  const unsafe = rows.filter((r) => r.unsafe), safe = rows.filter((r) => !r.unsafe);
  const linearRecall = unsafe.filter((r) => r.flagged).length / unsafe.length;
  const at = (t: number) => ({
    recall: unsafe.filter((r) => r.flagged && r.need >= t).length / unsafe.length,
    fp: safe.filter((r) => r.flagged && r.need >= t).length / safe.length,
  });
  const candidates = [...new Set(unsafe.filter((r) => r.flagged).map((r) => r.need))].sort((a, b) => b - a);
  let threshold = 0;
  for (const t of candidates) {
    if (at(t).recall >= linearRecall * (1 - maxFlagLoss)) {
      threshold = t;
      break;
    }
  }
  // Halfway down to the next lower probability, so the threshold does not sit on one example.
  const below = candidates.find((t) => t < threshold);
  if (below !== undefined) threshold = (threshold + below) / 2;
  const chosen = at(threshold);
  return {
    threshold,
    linearRecall,
    cascadeRecall: chosen.recall,
    linearSafeFlagged: safe.filter((r) => r.flagged).length / safe.length,
    cascadeSafeFlagged: chosen.fp,
    auc: auc(safe.map((r) => r.p), unsafe.map((r) => r.p)),
    valUnsafe: unsafe.length,
    valSafe: safe.length,
  };
}

/** Probability that a random unsafe score exceeds a random safe one (ties count half). */
export function auc(neg: number[], pos: number[]): number {
  const all = [...neg.map((s) => ({ s, pos: false })), ...pos.map((s) => ({ s, pos: true }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k].pos) rankSum += rank;
    i = j;
  }
  const nPos = pos.length, nNeg = neg.length;
  return nPos && nNeg ? (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg) : NaN;
}

export interface CascadeBuild {
  verifier: Verifier;
  choice: ThresholdChoice;
  trainExamples: number;
  hardNegatives: number;
  loss: { first: number; last: number; steps: number; seconds: number };
}

/** Trains a verifier for `linear` on the training examples and sets its threshold on their validation part. */
export function buildVerifier(linear: Classifier, train: Example[], o: CascadeOptions): CascadeBuild {
  const log = o.log ?? (() => {});
  const split = splitValidation(train);
  const fit = [...split.fit, ...frameTwins(o.seed, o.twins, false)];
  const val = [...split.val, ...frameTwins(o.seed, o.twins, true)];
  const { examples, hard } = verifierExamples(fit, linear, o);
  // Early stopping on windows of the validation part (a sample, so a check costs seconds).
  const validation = o.validateEvery ? new Rng(o.seed + 31).shuffle(verifierExamples(val, linear, o).examples).slice(0, 3000) : undefined;
  log(`verifier: ${examples.length} training windows (${hard} hard negatives, weight ${o.hardWeight}), ${val.length} validation texts`);
  const verifier = newVerifier(o.base, o.seed, fit.map((e) => e.text), o.verifyFrom);
  const loss = trainVerifier(verifier, examples, { seed: o.seed, steps: o.steps, batch: o.batch, lr: o.lr, maxSeconds: o.maxSeconds || undefined, log, every: 500, validation, validateEvery: o.validateEvery || undefined });
  const choice = chooseThreshold(linear, verifier, val, o.maxFlagLoss);
  verifier.info = {
    ...verifier.info,
    threshold: choice.threshold,
    training: {
      ...verifier.info.training,
      seed: o.seed,
      steps: loss.steps,
      batch: o.batch,
      lr: o.lr,
      hardWeight: o.hardWeight,
      pairRate: o.pairRate,
      twins: o.twins,
      trainWindows: examples.length,
      hardNegatives: hard,
      lossFirst: round(loss.first),
      lossLast: round(loss.last),
      ...(loss.best ? { bestStep: loss.best.step, bestValidationLoss: round(loss.best.loss) } : {}),
      seconds: Math.round(loss.seconds),
      validation: Object.fromEntries(Object.entries(choice).map(([k, v]) => [k, round(v)])),
    },
  };
  log(`verifier: threshold ${choice.threshold.toFixed(3)}; validation recall ${choice.linearRecall.toFixed(3)} -> ${choice.cascadeRecall.toFixed(3)}, safe flagged ${(choice.linearSafeFlagged * 100).toFixed(2)}% -> ${(choice.cascadeSafeFlagged * 100).toFixed(2)}%, AUC ${choice.auc.toFixed(4)}`);
  return { verifier, choice, trainExamples: examples.length, hardNegatives: hard, loss };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
