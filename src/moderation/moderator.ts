// The local moderator: loads a classifier from a model directory (the shipped one by default) and
// turns texts into OpenAI-shaped results.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Classifier } from './classifier.ts';
import { checkText, DEFAULT_MAX_CHARS } from './input.ts';
import { emptyResult, resultFromScores, type ModerationResult } from './taxonomy.ts';

/** models/moderation at the repository root. */
export const SHIPPED_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models/moderation');

export interface ModeratorOptions {
  /** Model directory; default PARLEY_MODERATION_MODEL or the shipped models/moderation. */
  modelDir?: string;
  /** A classifier already in memory (tests, training); wins over modelDir. */
  classifier?: Classifier;
  /** Longest text accepted, in UTF-16 code units. */
  maxChars?: number;
}

export interface Moderator {
  /** e.g. "parley-moderation-1.0.0", reported as `model` in responses. */
  readonly model: string;
  /** One result per input, in order. Throws UserError on bad input (see input.ts). */
  moderate(inputs: string[]): ModerationResult[];
}

export function createModerator(opts: ModeratorOptions = {}): Moderator {
  const dir = opts.modelDir ?? process.env.PARLEY_MODERATION_MODEL ?? SHIPPED_MODEL_DIR;
  const classifier = opts.classifier ?? Classifier.load(dir);
  const thresholds = classifier.info.thresholds;
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  return {
    model: `parley-moderation-${classifier.info.version}`,
    moderate(inputs: string[]): ModerationResult[] {
      if (!Array.isArray(inputs)) throw new TypeError('moderate() takes an array of strings');
      return inputs.map((raw, i) => {
        const text = checkText(raw, `input[${i}]`, maxChars);
        if (text.trim().length === 0) return emptyResult();
        return resultFromScores(roundScores(classifier.score(text)), thresholds);
      });
    },
  };
}

// Scores are reported with 6 decimals: more digits than float32 carries are noise.
function roundScores(s: Float32Array): number[] {
  return Array.from(s, (x) => Math.round(x * 1e6) / 1e6);
}

