// The local moderator: loads a classifier from a model directory (the shipped one by default) and
// turns texts into OpenAI-shaped results.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Classifier } from './classifier.ts';
import { initEngine } from '../engine/ops.ts';
import { Verifier } from './verifier.ts';
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

/**
 * A moderator from a model directory. Synchronous, and so is moderate(); a directory with a neural
 * verifier (a cascade, verifier.ts) needs the engine started first: use openModerator, or
 * `await initEngine()` before calling this.
 */
export function createModerator(opts: ModeratorOptions = {}): Moderator {
  const dir = modelDirOf(opts);
  const classifier = opts.classifier ?? Classifier.load(dir);
  const thresholds = classifier.info.thresholds;
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  return {
    model: `parley-moderation-${classifier.info.version}${classifier.verifier ? `+v${classifier.verifier.digest()}` : ''}`,
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

/** createModerator after starting the engine when the directory holds a verifier (the engine's
 *  start is asynchronous; its forward pass, and so moderate(), is synchronous). */
export async function openModerator(opts: ModeratorOptions = {}): Promise<Moderator> {
  if (!opts.classifier && Verifier.present(modelDirOf(opts))) await initEngine();
  return createModerator(opts);
}

function modelDirOf(opts: ModeratorOptions): string {
  return opts.modelDir ?? process.env.PARLEY_MODERATION_MODEL ?? SHIPPED_MODEL_DIR;
}

// Scores are reported with 6 decimals: more digits than float32 carries are noise.
function roundScores(s: Float32Array): number[] {
  return Array.from(s, (x) => Math.round(x * 1e6) / 1e6);
}

