// `parley train moderation`: build the corpus, add confirmed reports, train, evaluate on the
// held-out templates (clean and obfuscated), save the model and write report.json and report.md.

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FORMAT, type Classifier, type ModelInfo } from './classifier.ts';
import { buildCorpus, DEFAULT_CORPUS, EVERYDAY_GROUPS, splitValidation, type CorpusOptions, type Example } from './corpus.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { DEFAULT_FEATURES } from './features.ts';
import { obfuscate } from './obfuscate.ts';
import { Rng } from './random.ts';
import { CATEGORIES, type Category } from './taxonomy.ts';
import { DEFAULT_TRAIN, trainClassifier, type TrainOptions } from './trainer.ts';
import { buildVerifier, DEFAULT_CASCADE, type CascadeOptions, type ThresholdChoice } from './cascade.ts';
import { initEngine } from '../engine/ops.ts';

export interface PipelineOptions {
  seed: number;
  epochs?: number;
  dims?: number;
  /** Corpus size knobs (tests use a small corpus). */
  corpus?: Partial<Omit<CorpusOptions, 'seed'>>;
  /** Calibration target: the share of the validation part's safe texts (corpus.ts: isValidation)
   *  that the model may flag (see calibrationShift; default DEFAULT_FLAG_TARGET; 0: no calibration). */
  flagTarget?: number;
  /** Confirmed reports as examples (reports.ts). */
  reports?: Example[];
  log?: (line: string) => void;
}

export interface TrainReport {
  version: string;
  seed: number;
  trainExamples: number;
  /** Whether the harmful vocabulary slots were split too (corpus.ts). */
  splitVocabulary: boolean;
  reportExamples: number;
  heldoutExamples: number;
  /** The per-category logit shifts subtracted from the biases (calibrationShift), when the model was calibrated. */
  calibration?: { target: number; shifts: number[]; valSafe: number };
  heldout: Evaluation;
  /** The held-out unsafe texts with words disguised (leet, spacing, ...): recall of "flagged". */
  obfuscatedRecall: number;
  /** Held-out safe texts (including benign twins) that were flagged. */
  safeFalsePositiveRate: number;
  /** Messages of about 200 words made of held-out safe texts (everyday requests and hard benign
   *  twins, joined as sentences) that were flagged: a long message has many windows to trip on. */
  longSafeFalsePositiveRate: number;
  /** The same kind of 200-word messages made only of held-out ordinary text (everyday requests,
   *  WordNet examples and definitions, encyclopedic prose; no benign twins): what a pasted document
   *  or a long question looks like. */
  longPlainFalsePositiveRate: number;
  /** Held-out unsafe texts flagged with one of their own categories (short messages). */
  shortCategoryRecall: number;
  /** 200-word messages of held-out safe texts with one held-out unsafe text inserted as a sentence,
   *  flagged with one of that text's categories: one harmful sentence must not be diluted. */
  longHarmfulRecall: number;
  trainSeconds: number;
  /** The cascade's second stage (cascade.ts, verifier.ts), when one was trained: the numbers above
   *  are then the cascade's, and `linearStage` holds the linear model's alone on the same draws. */
  verifier?: VerifierReport;
  linearStage?: HeldoutMeasures;
}

export interface VerifierReport {
  base: string;
  threshold: number;
  verifyFrom: number;
  trainWindows: number;
  hardNegatives: number;
  steps: number;
  lossFirst: number;
  lossLast: number;
  seconds: number;
  validation: ThresholdChoice;
}

/** The linear model with its report; also the training examples and held-out set it used, and its
 *  held-out measures alone (what runCascadePipeline builds on). */
export function runPipeline(opts: PipelineOptions): { classifier: Classifier; report: TrainReport; train: Example[]; heldoutSet: Example[]; measures: HeldoutMeasures } {
  const log = opts.log ?? (() => {});
  const corpus = buildCorpus({ ...DEFAULT_CORPUS, ...opts.corpus, seed: opts.seed });
  const reports = opts.reports ?? [];
  const train = [...corpus.train, ...reports];
  log(`corpus: ${corpus.train.length} training examples, ${reports.length} from reports, ${corpus.heldout.length} held out`);
  const t0 = performance.now();
  const features = { ...DEFAULT_FEATURES, dims: opts.dims ?? DEFAULT_FEATURES.dims };
  const trainOpts = { ...DEFAULT_TRAIN, seed: opts.seed, epochs: opts.epochs ?? DEFAULT_TRAIN.epochs, features };
  const info: Omit<ModelInfo, 'features'> = { format: MODEL_FORMAT, version: '', categories: [...CATEGORIES], thresholds: CATEGORIES.map(() => 0.5), training: {} };
  const target = opts.flagTarget ?? DEFAULT_FLAG_TARGET;
  const calibration = target > 0 ? calibrationShift(train, target, trainOpts, info) : undefined;
  if (calibration) log(`calibration: per-category logit lines ${calibration.shifts.map((x) => x.toFixed(2)).join(' ')} flag ${(target * 100).toFixed(1)}% of the validation part's ${calibration.valSafe} safe texts`);
  const classifier = trainClassifier(train, { ...trainOpts, onEpoch: (e, loss) => log(`epoch ${e}: loss ${loss.toFixed(5)}`) }, info);
  if (calibration) for (let c = 0; c < classifier.bias.length; c++) classifier.bias[c] -= calibration.shifts[c];
  const trainSeconds = (performance.now() - t0) / 1000;
  const m = measure(classifier, corpus.heldout, opts.seed);
  // The version names the weights: the same seed and data give the same version.
  const digest = createHash('sha256').update(new Uint8Array(classifier.weight.buffer)).update(new Uint8Array(classifier.bias.buffer)).digest('hex');
  const version = `1.${digest.slice(0, 10)}`;
  const report: TrainReport = {
    version,
    seed: opts.seed,
    trainExamples: corpus.train.length,
    splitVocabulary: opts.corpus?.splitVocabulary ?? false,
    reportExamples: reports.length,
    heldoutExamples: corpus.heldout.length,
    ...(calibration ? { calibration: { target, ...calibration } } : {}),
    ...m,
    trainSeconds: Math.round(trainSeconds * 10) / 10,
  };
  classifier.info.version = version;
  classifier.info.training = {
    seed: opts.seed,
    epochs: opts.epochs ?? DEFAULT_TRAIN.epochs,
    trainExamples: report.trainExamples,
    reportExamples: report.reportExamples,
    heldoutFlaggedF1: round(m.heldout.flagged.f1),
    ...(calibration ? { calibration: { target, shifts: calibration.shifts.map(round), valSafe: calibration.valSafe } } : {}),
  };
  return { classifier, report, train, heldoutSet: corpus.heldout, measures: m };
}

/**
 * Where the flag line goes (the default target was chosen by measurement; src/moderation/README.md
 * says how far the held-out rate lands from it). The trainer weights positives up (trainer.ts), which puts the 0.5 line
 * where about 5% of unseen safe phrasings are flagged, and a 200-word message of twenty sentences
 * then trips on one of them more often than not (issue 7). Calibration moves the line to an
 * explicit target instead: a probe model is trained without the validation part of the training
 * templates (corpus.ts: isValidation; the held-out templates are never used), each validation safe
 * text gets its logit per category (highest over windows), and each category gets the line above which
 * the same share of those texts lie, that share chosen so that `target` of the texts cross at least
 * one line (categories whose safe texts score low get a low line, and so more recall, for the same
 * budget). The final model, trained on everything, has each line subtracted from its category's
 * bias, so its scores, flags and the policy's thresholds all move together.
 */
export const DEFAULT_FLAG_TARGET = 0.006;

export function calibrationShift(train: Example[], target: number, trainOpts: TrainOptions, info: Omit<ModelInfo, 'features'>): { shifts: number[]; valSafe: number } {
  const { fit, val } = splitValidation(train);
  const probe = trainClassifier(fit, trainOpts, info);
  const logit = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
  const rows = val.filter((e) => e.labels.length === 0).map((e) => Array.from(probe.linearScore(e.text), logit));
  if (rows.length === 0) return { shifts: CATEGORIES.map(() => 0), valSafe: 0 };
  // Each category's line sits where the same share q of the validation safe texts lie above it; q is
  // the largest share whose union (texts above any line) stays within the target.
  const sorted = CATEGORIES.map((_, c) => rows.map((r) => r[c]).sort((a, b) => b - a));
  const linesAt = (q: number) => sorted.map((col) => col[Math.min(col.length - 1, Math.floor(q * col.length))]);
  const union = (lines: number[]) => rows.filter((r) => r.some((x, c) => x > lines[c])).length / rows.length;
  let lo = 0, hi = target;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (union(linesAt(mid)) <= target) lo = mid;
    else hi = mid;
  }
  return { shifts: linesAt(lo), valSafe: rows.length };
}

/**
 * `parley train moderation`: the linear model (runPipeline), then the verifier on the same training
 * examples (cascade.ts), then the cascade measured on the same held-out draws as the linear model
 * alone. `verifier: false` keeps the linear model only.
 */
export async function runCascadePipeline(
  opts: PipelineOptions & { verifier?: Partial<Omit<CascadeOptions, 'seed'>> | false },
): Promise<{ classifier: Classifier; report: TrainReport }> {
  const { classifier, report, train, heldoutSet, measures: linearStage } = runPipeline(opts);
  if (opts.verifier === false) return { classifier, report };
  const log = opts.log ?? (() => {});
  await initEngine();
  const b = buildVerifier(classifier, train, { ...DEFAULT_CASCADE, ...opts.verifier, seed: opts.seed, log });
  classifier.verifier = b.verifier;
  const m = measure(classifier, heldoutSet, opts.seed);
  const v = b.verifier.info;
  const cascade: TrainReport = {
    ...report,
    ...m,
    version: `${report.version}+v${b.verifier.digest()}`,
    linearStage,
    verifier: {
      base: String(v.training.base), threshold: v.threshold, verifyFrom: v.verifyFrom, trainWindows: b.trainExamples,
      hardNegatives: b.hardNegatives, steps: b.loss.steps, lossFirst: b.loss.first, lossLast: b.loss.last,
      seconds: Math.round(b.loss.seconds), validation: b.choice,
    },
  };
  return { classifier, report: cascade };
}

/** The held-out measurements of a classifier (a cascade when it has a verifier). */
export type HeldoutMeasures = Pick<TrainReport, 'heldout' | 'obfuscatedRecall' | 'safeFalsePositiveRate' | 'longSafeFalsePositiveRate' | 'longPlainFalsePositiveRate' | 'shortCategoryRecall' | 'longHarmfulRecall'>;

/** Held-out numbers of `classifier` (the same random draws for the same seed, whatever the model). */
export function measure(classifier: Classifier, heldoutSet: Example[], seed: number): HeldoutMeasures {
  const thresholds = classifier.info.thresholds;
  const flags = (text: string) => {
    const s = classifier.score(text);
    return new Set(CATEGORIES.filter((_, i) => s[i] >= thresholds[i])) as Set<Category>;
  };
  const heldout = evaluate(heldoutSet, flags);
  const rng = new Rng(seed + 7);
  const unsafe = heldoutSet.filter((e) => e.labels.length > 0);
  const obfuscatedRecall = unsafe.filter((e) => flags(obfuscate(e.text, rng)).size > 0).length / unsafe.length;
  const safe = heldoutSet.filter((e) => e.labels.length === 0);
  const safeFalsePositiveRate = safe.filter((e) => flags(e.text).size > 0).length / safe.length;
  const longSafe = longSafeMessages(safe, 200, rng);
  const longSafeFalsePositiveRate = longSafe.filter((t) => flags(t).size > 0).length / longSafe.length;
  const plain = safe.filter((e) => PLAIN_SOURCE.test(e.source));
  const longPlainFalsePositiveRate = longSafeMessages(plain, 200, rng).filter((t) => flags(t).size > 0).length / 200;
  const hit = (text: string, labels: Category[]) => {
    const got = flags(text);
    return labels.some((c) => got.has(c));
  };
  const shortCategoryRecall = unsafe.filter((e) => hit(e.text, e.labels)).length / unsafe.length;
  const longHarmful = withHarmfulSentence(longSafe, unsafe, rng);
  const longHarmfulRecall = longHarmful.filter((m) => hit(m.text, m.labels)).length / longHarmful.length;
  return { heldout, obfuscatedRecall, safeFalsePositiveRate, longSafeFalsePositiveRate, longPlainFalsePositiveRate, shortCategoryRecall, longHarmfulRecall };
}

/** `n` messages of about 200 words, each a run of randomly picked safe texts as sentences. */
export function longSafeMessages(safe: Example[], n: number, rng: Rng): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    let words = 0;
    while (words < 200) {
      const t = rng.pick(safe).text.replace(/[.!?]*$/, '.');
      parts.push(t[0].toUpperCase() + t.slice(1));
      words += t.split(' ').length;
    }
    out.push(parts.join(' '));
  }
  return out;
}

/** Sources of ordinary held-out text: everyday requests by domain, WordNet and the world's prose. */
export const PLAIN_SOURCE = new RegExp(`^(${['everyday', ...EVERYDAY_GROUPS.map((g) => g.name), 'wordnet', 'wordnet-harm', 'world-prose'].join('|')})(#|$)`);

/** Each message with one unsafe text inserted between two of its sentences, at a random place. */
export function withHarmfulSentence(messages: string[], unsafe: Example[], rng: Rng): { text: string; labels: Category[] }[] {
  return messages.map((m) => {
    const parts = m.split(/(?<=[.!?])\s+/);
    const u = rng.pick(unsafe);
    const t = u.text.replace(/[.!?]*$/, '.');
    parts.splice(rng.int(parts.length + 1), 0, t[0].toUpperCase() + t.slice(1));
    return { text: parts.join(' '), labels: u.labels };
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The per-category table printed by the CLI and written to report.md. */
export function formatTable(r: TrainReport): string {
  const rows = CATEGORIES.map((c) => {
    const m = r.heldout.perCategory[c];
    return `| ${c} | ${m.support} | ${m.precision.toFixed(3)} | ${m.recall.toFixed(3)} | ${m.f1.toFixed(3)} |`;
  });
  const f = r.heldout.flagged;
  return [
    '| category | held-out positives | precision | recall | F1 |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    `| **any (flagged)** | ${f.support} | ${f.precision.toFixed(3)} | ${f.recall.toFixed(3)} | ${f.f1.toFixed(3)} |`,
  ].join('\n');
}

export function writeReport(dir: string, r: TrainReport): void {
  writeFileSync(join(dir, 'report.json'), JSON.stringify(r, null, 2) + '\n');
  const md = [
    `# Moderation classifier ${r.version}`,
    '',
    `Trained by \`parley train moderation --seed ${r.seed}\` on ${r.trainExamples} generated examples` +
      (r.reportExamples ? ` and ${r.reportExamples} confirmed reports` : '') +
      ` in ${r.trainSeconds} s. Evaluated on ${r.heldoutExamples} examples from templates held out of training` +
      ' (every fourth template of each group), filled with people, groups, places and other slot values training never used' +
      (r.splitVocabulary ? ' and with harmful words training never used either (the strict split),' : ' (the harmful vocabulary itself is shared),') +
      ' so the numbers measure phrasings the model never saw.',
    '',
    formatTable(r),
    '',
    ...(r.calibration
      ? [`Calibrated (\`--flag-target ${r.calibration.target}\`): a probe model trained without a validation part of the training templates got one logit line per category such that ${(r.calibration.target * 100).toFixed(1)}% of that part's ${r.calibration.valSafe} safe texts cross any of them (${CATEGORIES.map((c, i) => `${c} ${r.calibration!.shifts[i].toFixed(2)}`).join(', ')}), and each line was subtracted from its category's bias.`, '']
      : []),
    `- Held-out unsafe texts with disguised words (leetspeak, spacing, repeats, look-alike letters): ${(r.obfuscatedRecall * 100).toFixed(1)}% still flagged (undisguised: ${(r.heldout.flagged.recall * 100).toFixed(1)}%).`,
    `- Held-out safe texts (everyday requests and benign twins) flagged: ${(r.safeFalsePositiveRate * 100).toFixed(1)}%.`,
    `- Messages of about 200 words made of held-out safe texts (ordinary text and hard benign twins) flagged: ${(r.longSafeFalsePositiveRate * 100).toFixed(1)}%.`,
    `- Messages of about 200 words made of held-out ordinary text only (everyday requests, WordNet, prose; no twins) flagged: ${(r.longPlainFalsePositiveRate * 100).toFixed(1)}%.`,
    `- The same 200-word safe messages with one held-out unsafe text inserted, flagged with one of its categories: ${(r.longHarmfulRecall * 100).toFixed(1)}% (the unsafe texts alone: ${(r.shortCategoryRecall * 100).toFixed(1)}%).`,
    '',
    ...(r.verifier && r.linearStage ? verifierSection(r, r.verifier, r.linearStage) : []),
  ].join('\n');
  writeFileSync(join(dir, 'report.md'), md);
}

function verifierSection(r: TrainReport, v: VerifierReport, lin: HeldoutMeasures): string[] {
  const pc = (x: number) => `${(x * 100).toFixed(1)}%`;
  const row = (name: string, m: HeldoutMeasures) =>
    `| ${name} | ${m.heldout.flagged.precision.toFixed(3)} | ${m.heldout.flagged.recall.toFixed(3)} | ${pc(m.safeFalsePositiveRate)} | ${pc(m.longSafeFalsePositiveRate)} | ${pc(m.longPlainFalsePositiveRate)} | ${pc(m.longHarmfulRecall)} | ${m.heldout.perCategory['hate/threatening'].recall.toFixed(3)} | ${m.heldout.perCategory['harassment/threatening'].recall.toFixed(3)} |`;
  const val = v.validation;
  return [
    '## The cascade: linear model, then a neural verifier',
    '',
    `The numbers above are the cascade's: the linear model scores every window, and the windows whose highest score reaches ${v.verifyFrom} go to a verifier (${v.base}, a scalar head, binary cross-entropy; \`verifier/\`), whose rejection caps the window's scores below every default threshold. ` +
      `It trained ${v.steps} steps in ${v.seconds} s on ${v.trainWindows} windows of the training templates (${v.hardNegatives} hard negatives: safe texts the linear model flags), loss ${v.lossFirst.toFixed(3)} -> ${v.lossLast.toFixed(3)}. ` +
      `Its threshold ${v.threshold.toFixed(3)} was chosen on a validation part of the training templates the verifier never saw (${val.valUnsafe} unsafe, ${val.valSafe} safe): recall there ${val.linearRecall.toFixed(3)} -> ${val.cascadeRecall.toFixed(3)}, safe flagged ${pc(val.linearSafeFlagged)} -> ${pc(val.cascadeSafeFlagged)}, verifier AUC ${val.auc.toFixed(3)}.`,
    '',
    '| held out | precision | recall | safe texts flagged | 200-word safe messages flagged | ordinary-text messages flagged | long + 1 unsafe | hate/threatening recall | harassment/threatening recall |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('linear model alone', lin),
    row(`cascade (${r.version})`, r),
    '',
  ];
}
