// The classifier: multi-label logistic regression over hashed features of normalised text.
// A text of several sentences is scored sentence by sentence and pair by pair (windows()), and each
// category takes its highest score, so one threat inside a long friendly message is not averaged away.
//
// Model directory:
//   model.json          { format, version, categories, features, thresholds, training }
//   weights.safetensors weight F16 [dims, categories], bias F32 [categories]
// Flag thresholds are 0.5 for every category: thresholds tuned on a validation slice of the
// training templates measured no better on held-out templates, so the simpler rule stays.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { featurize, type FeatureConfig, type SparseVector } from './features.ts';
import { normalize } from './normalize.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { CATEGORIES } from './taxonomy.ts';
import { sigmoid } from '../training/losses.ts';
import { Verifier, VERIFIER_SUBDIR } from './verifier.ts';

export const MODEL_FORMAT = 'parley-moderation-logreg';
export const WINDOW_WORDS = 40;
/** The highest score a window the verifier rejects can keep (vetoScore). */
export const VETO_CAP = 0.25;
const C = CATEGORIES.length;
const VIOLENCE = CATEGORIES.indexOf('violence');
const CONJUNCTIONS: [number, number][] = [
  [CATEGORIES.indexOf('harassment/threatening'), CATEGORIES.indexOf('harassment')],
  [CATEGORIES.indexOf('hate/threatening'), CATEGORIES.indexOf('hate')],
];

export interface ModelInfo {
  format: typeof MODEL_FORMAT;
  /** Model version: bumped by training, recorded in results as `model`. */
  version: string;
  categories: string[];
  features: FeatureConfig;
  /** Per-category flag thresholds, in CATEGORIES order. */
  thresholds: number[];
  /** Provenance: seed, data sizes, epochs, held-out metrics summary. */
  training: Record<string, unknown>;
}

export class Classifier {
  /** The cascade's second stage (verifier.ts), when the model directory has one. */
  verifier: Verifier | null = null;

  constructor(
    readonly info: ModelInfo,
    /** [dims, C] row-major */
    readonly weight: Float32Array,
    /** [C] */
    readonly bias: Float32Array,
  ) {}

  static create(info: ModelInfo): Classifier {
    return new Classifier(info, new Float32Array(info.features.dims * C), new Float32Array(C));
  }

  /** Logits for one feature vector; `out` is [C]. */
  logits(x: SparseVector, out: Float32Array): Float32Array {
    out.set(this.bias);
    const w = this.weight;
    for (let i = 0; i < x.index.length; i++) {
      const row = x.index[i] * C;
      const v = x.value[i];
      for (let c = 0; c < C; c++) out[c] += v * w[row + c];
    }
    return out;
  }

  /** Scores in [0, 1] for one piece of text (not windowed). */
  scoreWindow(text: string, out = new Float32Array(C)): Float32Array {
    this.logits(featurize(normalize(text), this.info.features), out);
    for (let c = 0; c < C; c++) out[c] = sigmoid(out[c]);
    // The taxonomy defines the two /threatening categories as their parent plus violence: a
    // conjunction a linear model cannot form, so it is taken here, in the same window.
    for (const [sub, parent] of CONJUNCTIONS) out[sub] = Math.max(out[sub], Math.min(out[parent], out[VIOLENCE]));
    return out;
  }

  /** Scores in [0, 1] for a text of any length: the per-category maximum over its windows. With a
   *  verifier, the windows it rejects are scored down first (cascadeWindows). */
  score(text: string): Float32Array {
    if (!this.verifier) return this.linearScore(text);
    const best = new Float32Array(C);
    for (const s of this.cascadeWindows(windows(text)).scores) for (let c = 0; c < C; c++) if (s[c] > best[c]) best[c] = s[c];
    return best;
  }

  /** The linear model's scores alone (no verifier): the per-category maximum over the text's windows. */
  linearScore(text: string): Float32Array {
    const best = new Float32Array(C);
    const tmp = new Float32Array(C);
    for (const w of windows(text)) {
      this.scoreWindow(w, tmp);
      for (let c = 0; c < C; c++) if (tmp[c] > best[c]) best[c] = tmp[c];
    }
    return best;
  }

  /**
   * The cascade over the windows of one text (as windows() orders them: piece, pair, piece, ...).
   * A window whose highest linear score reaches the verifier's `verifyFrom` is a candidate. Each
   * candidate piece (sentence) is verified; a candidate pair window with a candidate piece in it
   * takes the verdict of its pieces (accepted if one of them is), since the flag of a pair nearly
   * always comes from one of its sentences; a candidate pair without one is verified itself. A
   * rejected window's scores are capped (vetoScore), so it flags no category under any threshold
   * above VETO_CAP. `probs[i]` is the verifier probability used for window i (NaN: not a candidate).
   */
  cascadeWindows(ws: string[]): { scores: Float32Array[]; probs: Float32Array } {
    const v = this.verifier;
    const scores = ws.map((w) => this.scoreWindow(w));
    const probs = new Float32Array(ws.length).fill(NaN);
    if (!v) return { scores, probs };
    const from = v.info.verifyFrom;
    const candidate = scores.map((s) => s.some((x) => x >= from));
    const paired = ws.length > 1;
    const own: number[] = [];
    for (let i = 0; i < ws.length; i++) {
      if (!candidate[i]) continue;
      const isPair = paired && i % 2 === 1;
      if (!isPair || !(candidate[i - 1] || candidate[i + 1])) own.push(i);
    }
    if (own.length === 0) return { scores, probs };
    const p = v.probs(own.map((i) => ws[i]));
    own.forEach((i, k) => (probs[i] = p[k]));
    for (let i = 1; i < ws.length; i += 2) {
      if (!paired || !candidate[i] || !Number.isNaN(probs[i])) continue;
      probs[i] = Math.max(candidate[i - 1] ? probs[i - 1] : 0, candidate[i + 1] ? probs[i + 1] : 0);
    }
    const tau = v.info.threshold;
    for (let i = 0; i < ws.length; i++) {
      if (candidate[i] && probs[i] < tau) vetoScore(scores[i], probs[i], tau);
    }
    return { scores, probs };
  }

  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const st = encodeSafetensors(
      {
        weight: { dtype: 'F16', shape: [this.info.features.dims, C], data: this.weight },
        bias: { dtype: 'F32', shape: [C], data: this.bias },
      },
      { format: MODEL_FORMAT, version: this.info.version },
    );
    writeFileSync(join(dir, 'weights.safetensors'), st);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(this.info, null, 2) + '\n');
    if (this.verifier) this.verifier.save(join(dir, VERIFIER_SUBDIR));
  }

  static load(dir: string): Classifier {
    const infoPath = join(dir, 'model.json');
    const wPath = join(dir, 'weights.safetensors');
    if (!existsSync(infoPath) || !existsSync(wPath)) {
      throw new UserError(`no moderation model in ${dir} (expected model.json and weights.safetensors; make one with \`parley train moderation --out ${dir}\`)`);
    }
    let info: ModelInfo;
    try {
      info = JSON.parse(readFileSync(infoPath, 'utf8'));
    } catch (e) {
      throw new UserError(`${infoPath}: not valid JSON (${(e as Error).message})`);
    }
    if (info.format !== MODEL_FORMAT) throw new UserError(`${infoPath}: format is ${info.format}, expected ${MODEL_FORMAT}`);
    if (info.categories.join() !== CATEGORIES.join()) throw new UserError(`${infoPath}: categories differ from this Parley's taxonomy`);
    const t = decodeSafetensors(readFileSync(wPath), wPath);
    const dims = info.features.dims;
    if (!t.weight || t.weight.data.length !== dims * C || !t.bias || t.bias.data.length !== C) {
      throw new UserError(`${wPath}: expected weight [${dims}, ${C}] and bias [${C}]`);
    }
    const classifier = new Classifier(info, t.weight.data, t.bias.data);
    // A directory with a verifier is a cascade; one without (older models) is the linear model alone.
    if (Verifier.present(dir)) classifier.verifier = Verifier.load(join(dir, VERIFIER_SUBDIR));
    return classifier;
  }
}

/**
 * Scores of a window the verifier rejected (probability p below its threshold tau): each capped at
 * VETO_CAP·p/tau, so they stay below every default flag and policy threshold (0.3 and up) and still
 * say how far the verifier was from accepting.
 */
export function vetoScore(s: Float32Array, p: number, tau: number): void {
  const cap = VETO_CAP * Math.max(0, Math.min(1, p / tau));
  for (let c = 0; c < s.length; c++) if (s[c] > cap) s[c] = cap;
}


/**
 * The pieces of a text that are scored: every sentence on its own (a sentence longer than
 * WINDOW_WORDS is cut into overlapping spans), and every pair of neighbouring pieces, so that a
 * threat split over two sentences is seen whole and one bad sentence is never diluted by the
 * friendly text around it.
 */
export function windows(text: string): string[] {
  const pieces: string[] = [];
  for (const s of text.split(/(?<=[.!?])\s+|\n+/)) {
    const words = s.split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words.length <= WINDOW_WORDS) {
      pieces.push(words.join(' '));
      continue;
    }
    const step = WINDOW_WORDS / 2;
    for (let i = 0; i < words.length; i += step) {
      pieces.push(words.slice(i, i + WINDOW_WORDS).join(' '));
      if (i + WINDOW_WORDS >= words.length) break;
    }
  }
  if (pieces.length === 0) return [''];
  const out = pieces.length === 1 ? pieces : [];
  if (pieces.length > 1) {
    for (let i = 0; i < pieces.length; i++) {
      out.push(pieces[i]);
      if (i + 1 < pieces.length) out.push(pieces[i] + ' ' + pieces[i + 1]);
    }
  }
  return out;
}
