// Loading and saving the checkpoints the stages pass along. Every load checks, before any weights are
// read, that the tokenizer fits the model (its ids must be inside the model's vocabulary) and that it
// has Parley's chat tokens; every save writes the HF layout with tokenizer files and parley.json.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import { loadTokenizer } from '../tokenizer/tokenizer-files.ts';
import { specialIds, type SpecialIds } from '../tokenizer/special-tokens.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { LlamaModel } from '../engine/model.ts';
import { loadModel, saveModel } from '../engine/load-model.ts';
import { fileHash } from './run-dir.ts';

export interface LoadedPolicy {
  model: LlamaModel;
  tokenizer: Tokenizer;
  special: SpecialIds;
  tokenizerDir: string; // where tokenizer.json was read from
  hfConfig: Record<string, unknown>;
  parley?: Record<string, unknown>;
}

/** Reads a tokenizer and checks it against a model vocabulary size; names both when they disagree. */
export function checkedTokenizer(tokenizerDir: string, vocabSize: number, modelDir: string): { tokenizer: Tokenizer; special: SpecialIds } {
  const { tokenizer } = loadTokenizer(tokenizerDir);
  if (tokenizer.vocabSize !== vocabSize) {
    throw new UserError(
      `tokenizer ${join(tokenizerDir, 'tokenizer.json')} has ${tokenizer.vocabSize} tokens but the checkpoint ${modelDir} has vocab_size ${vocabSize}: they were not trained together`,
    );
  }
  let special: SpecialIds;
  try {
    special = specialIds(tokenizer);
  } catch (e) {
    throw new UserError(`${tokenizerDir}: ${(e as Error).message}`);
  }
  return { tokenizer, special };
}

/** The vocab_size a checkpoint declares, read from config.json alone (no weights). */
export function checkpointVocab(dir: string): number {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) throw new UserError(`${dir} is not a checkpoint: no config.json`);
  let v: unknown;
  try {
    v = (JSON.parse(readFileSync(p, 'utf8')) as { vocab_size?: unknown }).vocab_size;
  } catch (e) {
    throw new UserError(`${p}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new UserError(`${p}: "vocab_size" must be a positive integer`);
  return v;
}

/** Whether a checkpoint's config.json declares a scalar head (a reward or value model), read without the weights. */
export function checkpointHasScalarHead(dir: string): boolean {
  checkpointVocab(dir);
  const arch = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { architectures?: unknown }).architectures;
  return Array.isArray(arch) && arch.includes('LlamaForSequenceClassification');
}

/** A checkpoint and its tokenizer (its own tokenizer.json unless `tokenizerDir` is given), checked first. */
export function loadPolicy(dir: string, tokenizerDir?: string): LoadedPolicy {
  const vocab = checkpointVocab(dir);
  const tokDir = tokenizerDir ?? dir;
  if (!existsSync(join(tokDir, 'tokenizer.json'))) {
    throw new UserError(`no tokenizer.json in ${tokDir}${tokenizerDir ? '' : ' (give the tokenizer with --tokenizer DIR)'}`);
  }
  const { tokenizer, special } = checkedTokenizer(tokDir, vocab, dir);
  const { model, hfConfig, parley } = loadModel(dir);
  return { model, tokenizer, special, tokenizerDir: tokDir, hfConfig, parley };
}

export interface Provenance {
  stage: string;
  parent: string | null;
  datasets: Record<string, string>; // file → sha256
  metrics: Record<string, number>;
  config: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Hashes of the dataset files a stage read, for parley.json. */
export function datasetHashes(files: Array<string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) if (f) out[f] = fileHash(f);
  return out;
}

/** Saves an HF-layout checkpoint (atomically, by the engine) with the tokenizer files and provenance. */
export function saveStageCheckpoint(dir: string, model: LlamaModel, tokenizerDir: string, special: SpecialIds, prov: Provenance, hfConfig: Record<string, unknown> = {}): void {
  const parley = { ...prov, parent: prov.parent ? resolve(prov.parent) : null, created: new Date().toISOString() };
  saveModel(dir, model, {
    parley,
    tokenizerPath: join(tokenizerDir, 'tokenizer.json'),
    hfConfig: { ...hfConfig, bos_token_id: special.begin, eos_token_id: special.endOfTurn, pad_token_id: special.pad },
  });
  const tc = join(tokenizerDir, 'tokenizer_config.json');
  if (existsSync(tc) && resolve(tc) !== resolve(join(dir, 'tokenizer_config.json'))) copyFileSync(tc, join(dir, 'tokenizer_config.json'));
}
