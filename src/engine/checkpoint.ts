// Hugging Face checkpoint directories: config.json + model.safetensors (or shards with
// model.safetensors.index.json), tokenizer.json, and our own parley.json (provenance).
// Tensor names are HF's, so real Llama/SmolLM/TinyLlama checkpoints load and ours load in transformers.
import {
  cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
  copyFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, asFloat } from './safetensors.ts';
import { parseHfConfig, type HfLlamaConfig } from './config.ts';

export type Tensor = { shape: number[]; data: Float32Array };

/** config.json with HF's names and defaults filled; validated and mapped by `parseHfConfig` in config.ts. */
export type { HfLlamaConfig };

export interface Checkpoint {
  /** config.json exactly as found (unknown fields included). */
  config: Record<string, unknown>;
  tensors: Map<string, Tensor>;
  tokenizerPath?: string;
  /** parley.json, when the checkpoint was written by us. */
  parley?: Record<string, unknown>;
}

export interface ExpectedTensor { name: string; shape: number[]; optional?: boolean }

const CONFIG = 'config.json';
const WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const TOKENIZER = 'tokenizer.json';
const PROVENANCE = 'parley.json';
/** A buffer HF keeps in some older Llama checkpoints; recomputed from rope_theta, so never needed. */
const IGNORED = /\.rotary_emb\.inv_freq$/;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** True for reward/value models: a `score` head on the last hidden state instead of (or beside) lm_head. */
export function hasScalarHead(config: HfLlamaConfig): boolean {
  return Array.isArray(config.architectures) && config.architectures.includes('LlamaForSequenceClassification');
}

/**
 * Every tensor a checkpoint of this config holds, with its HF name and [out, in] shape.
 * Optional ones: lm_head when tied (some exporters keep a copy) or on a scalar-head model, score.bias.
 */
export function expectedTensors(config: HfLlamaConfig): ExpectedTensor[] {
  const D = config.hidden_size, F = config.intermediate_size, V = config.vocab_size;
  const q = config.num_attention_heads * config.head_dim;
  const kv = config.num_key_value_heads * config.head_dim;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [V, D] }];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    out.push(
      { name: `${p}.input_layernorm.weight`, shape: [D] },
      { name: `${p}.self_attn.q_proj.weight`, shape: [q, D] },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kv, D] },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kv, D] },
      { name: `${p}.self_attn.o_proj.weight`, shape: [D, q] },
      { name: `${p}.post_attention_layernorm.weight`, shape: [D] },
      { name: `${p}.mlp.gate_proj.weight`, shape: [F, D] },
      { name: `${p}.mlp.up_proj.weight`, shape: [F, D] },
      { name: `${p}.mlp.down_proj.weight`, shape: [D, F] },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [D] });
  const scalar = hasScalarHead(config);
  out.push({ name: 'lm_head.weight', shape: [V, D], optional: config.tie_word_embeddings || scalar });
  if (scalar) {
    out.push({ name: 'score.weight', shape: [1, D] }, { name: 'score.bias', shape: [1], optional: true });
  }
  return out;
}

export interface TensorProblems {
  missing: string[];
  unexpected: string[];
  wrongShape: { name: string; expected: number[]; actual: number[] }[];
}

/** Compares what a checkpoint holds with what its config says it should hold. */
export function checkTensors(expected: ExpectedTensor[], actual: Map<string, { shape: number[] }>): TensorProblems {
  const problems: TensorProblems = { missing: [], unexpected: [], wrongShape: [] };
  const known = new Set<string>();
  for (const e of expected) {
    known.add(e.name);
    const t = actual.get(e.name);
    if (!t) {
      if (!e.optional) problems.missing.push(e.name);
    } else if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      problems.wrongShape.push({ name: e.name, expected: e.shape, actual: t.shape });
    }
  }
  for (const name of actual.keys()) if (!known.has(name) && !IGNORED.test(name)) problems.unexpected.push(name);
  return problems;
}

/** Throws a UserError listing every problem (by tensor name) if there is any. */
export function assertTensors(where: string, expected: ExpectedTensor[], actual: Map<string, { shape: number[] }>): void {
  const p = checkTensors(expected, actual);
  const lines: string[] = [];
  const list = (names: string[]) => names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length} in all)` : '');
  if (p.missing.length) lines.push(`missing tensors: ${list(p.missing)}`);
  if (p.wrongShape.length) {
    lines.push(`wrong shapes: ${list(p.wrongShape.map((w) => `${w.name} is [${w.actual.join(', ')}], config says [${w.expected.join(', ')}]`))}`);
  }
  if (p.unexpected.length) lines.push(`unexpected tensors: ${list(p.unexpected)}`);
  if (lines.length) throw new UserError(`${where}: ${lines.join('; ')}`);
}

/**
 * Loads an HF-layout checkpoint directory, converting F16/BF16 weights to float32. Unless
 * `check` is false, the tensors are checked against config.json (names and shapes) first.
 */
export function loadCheckpoint(dir: string, opts: { check?: boolean } = {}): Checkpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: checkpoint directory not found`);
  const configFile = join(dir, CONFIG);
  if (!existsSync(configFile)) throw new UserError(`${configFile}: missing (a checkpoint directory needs config.json)`);
  const config = readJson(configFile);
  if (!isObject(config)) throw new UserError(`${configFile}: config is not a JSON object`);

  const tensors = new Map<string, Tensor>();
  const single = join(dir, WEIGHTS), index = join(dir, INDEX);
  if (existsSync(single)) {
    readInto(tensors, single);
  } else if (existsSync(index)) {
    for (const [shard, names] of shardsOf(index)) readInto(tensors, join(dir, shard), names);
  } else {
    const hasBin = readdirSync(dir).some((f) => f.endsWith('.bin') || f.endsWith('.pt'));
    throw new UserError(`${dir}: no ${WEIGHTS} or ${INDEX}` +
      (hasBin ? ' (only PyTorch pickle weights are here; convert them to safetensors)' : ''));
  }
  if (opts.check !== false) {
    assertTensors(dir, expectedTensors(parseHfConfig(config, configFile)), tensors);
  }
  const result: Checkpoint = { config, tensors };
  if (existsSync(join(dir, TOKENIZER))) result.tokenizerPath = resolve(dir, TOKENIZER);
  if (existsSync(join(dir, PROVENANCE))) {
    const parley = readJson(join(dir, PROVENANCE));
    if (!isObject(parley)) throw new UserError(`${join(dir, PROVENANCE)}: not a JSON object`);
    result.parley = parley;
  }
  return result;
}

function readInto(tensors: Map<string, Tensor>, file: string, names?: string[]): void {
  if (!existsSync(file)) throw new UserError(`${file}: weights file missing`);
  const wanted = (names ?? [...readSafetensorsHeader(file).tensors.keys()]).filter((n) => !IGNORED.test(n));
  for (const [name, t] of readSafetensors(file, wanted)) {
    if (tensors.has(name)) throw new UserError(`${file}: tensor "${name}" appears in more than one weights file`);
    const f = asFloat(t, file, name);
    tensors.set(name, { shape: f.shape, data: f.data });
  }
}

/** Reads a shard index: which tensor names each shard file holds. */
function shardsOf(indexFile: string): Map<string, string[]> {
  const index = readJson(indexFile);
  if (!isObject(index) || !isObject(index.weight_map)) throw new UserError(`${indexFile}: no "weight_map" object`);
  const shards = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(index.weight_map)) {
    // A shard must sit beside the index: a path could read files outside the checkpoint.
    if (typeof shard !== 'string' || shard !== basename(shard) || shard === '..' || shard === '.') {
      throw new UserError(`${indexFile}: tensor "${name}" maps to ${JSON.stringify(shard)}, not a file name in this directory`);
    }
    const list = shards.get(shard) ?? [];
    list.push(name);
    shards.set(shard, list);
  }
  return shards;
}

export interface SaveExtra {
  /** Provenance written to parley.json: stage, parent checkpoint, dataset hashes, metrics… */
  parley?: Record<string, unknown>;
  /** A tokenizer.json to copy in. */
  tokenizerPath?: string;
}

/** Files a checkpoint save replaces; anything else already in the directory (reports, logs) is kept. */
function isCheckpointFile(name: string): boolean {
  return name === CONFIG || name === TOKENIZER || name === PROVENANCE || name === INDEX ||
    (name.startsWith('model') && name.endsWith('.safetensors'));
}

/**
 * Writes an HF-layout checkpoint with float32 weights. The tensors are checked against the config
 * first, and the directory is assembled under a temporary name and renamed into place, so a crash
 * leaves either the old checkpoint or the new one, never a mixture.
 */
export function saveCheckpoint(
  dir: string,
  config: Partial<HfLlamaConfig> & Record<string, unknown>,
  tensors: Map<string, Tensor>,
  extra: SaveExtra = {},
): void {
  const scalar = tensors.has('score.weight');
  const full: Record<string, unknown> = {
    ...parseHfConfig({ ...config, model_type: 'llama' }, `${dir}/${CONFIG}`),
    architectures: [scalar ? 'LlamaForSequenceClassification' : 'LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    torch_dtype: 'float32',
  };
  if (scalar) full.num_labels = 1;
  assertTensors(`saving ${dir}`, expectedTensors(full as HfLlamaConfig), tensors);

  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = `${target}.tmp-${stamp}`;
  mkdirSync(tmp);
  try {
    writeSafetensors(join(tmp, WEIGHTS), tensors, { format: 'pt' });
    writeFileSync(join(tmp, CONFIG), JSON.stringify(full, null, 2) + '\n');
    writeFileSync(join(tmp, PROVENANCE), JSON.stringify(extra.parley ?? {}, null, 2) + '\n');
    if (extra.tokenizerPath) copyFileSync(extra.tokenizerPath, join(tmp, TOKENIZER));
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new UserError(`${dir}: exists and is not a directory`);
      keepOtherFiles(target, tmp);
      const old = `${target}.old-${stamp}`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

// Brings non-checkpoint files of the old directory into the new one (hard links when possible: no copy).
function keepOtherFiles(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    if (isCheckpointFile(name)) continue;
    const src = join(from, name), dst = join(to, name);
    if (statSync(src).isDirectory()) cpSync(src, dst, { recursive: true });
    else {
      try { linkSync(src, dst); } catch { copyFileSync(src, dst); }
    }
  }
}
