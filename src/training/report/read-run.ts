// Everything the report card shows, read from a run directory (layout in src/training/README.md).
// Only state.json or metrics.jsonl is required; every other part is optional and shown when present,
// so a report can be rebuilt at any point of a run (`parley report --run DIR`).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { parseJsonl } from '../../world/jsonl.ts';
import { readState, readJson, type RunState } from '../run-dir.ts';
import type { EvalResult, CompareResult } from '../eval/result.ts';

export interface MetricsLine {
  stage: string;
  step: number;
  time?: string;
  values: Record<string, number>;
}

export interface StageCurves {
  stage: string;
  steps: MetricsLine[]; // step >= 0, in file order
  summary?: Record<string, number>; // the step -1 line
}

export interface ModelShape {
  dir: string;
  stage?: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  vocab: number;
  context: number;
  tied: boolean;
  parameters: number;
  bytes?: number; // model.safetensors
}

export interface RunData {
  dir: string;
  name: string;
  run?: { preset?: string; created?: string; config?: Record<string, unknown>; compare?: { beta?: number; n?: number } };
  state: RunState;
  stages: StageCurves[];
  evaluation?: EvalResult;
  comparison?: CompareResult; // eval/compare.json of `parley pipeline --compare`, while its step counts as finished
  dataStats?: { totals?: Record<string, number>; families?: Record<string, { sft: number; prompts: number; eval: number }>; seed?: number; scale?: number; files?: Record<string, { bytes: number; lines: number; tokens?: number }> };
  model?: ModelShape;
  notes?: string; // notes.md: what was tried, written by whoever ran it
}

/** metrics.jsonl lines; a malformed line names the file and line. */
export function readMetrics(file: string): MetricsLine[] {
  if (!existsSync(file)) return [];
  return parseJsonl(readFileSync(file, 'utf8'), file).map(({ line, value }) => {
    const o = value as Record<string, unknown>;
    if (!o || typeof o.stage !== 'string' || typeof o.step !== 'number') {
      throw new UserError(`${file}:${line}: a metrics line needs "stage" (string) and "step" (number)`);
    }
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) if (k !== 'stage' && k !== 'step' && typeof v === 'number') values[k] = v;
    return { stage: o.stage, step: o.step, time: typeof o.time === 'string' ? o.time : undefined, values };
  });
}

export function groupStages(lines: MetricsLine[]): StageCurves[] {
  const by = new Map<string, StageCurves>();
  for (const l of lines) {
    let s = by.get(l.stage);
    if (!s) by.set(l.stage, (s = { stage: l.stage, steps: [] }));
    if (l.step < 0) s.summary = l.values;
    else s.steps.push(l);
  }
  return [...by.values()];
}

/** Parameter count of a Llama config (config.json fields), scalar head excluded. */
export function parameterCount(c: { vocab: number; hidden: number; layers: number; heads: number; kvHeads: number; ffn: number; tied: boolean; headDim: number }): number {
  const qd = c.heads * c.headDim, kvd = c.kvHeads * c.headDim;
  const perLayer = c.hidden * qd * 2 + c.hidden * kvd * 2 + 3 * c.hidden * c.ffn + 2 * c.hidden;
  return c.vocab * c.hidden * (c.tied ? 1 : 2) + c.layers * perLayer + c.hidden;
}

export function readModelShape(dir: string): ModelShape | undefined {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) return undefined;
  const c = readJson<Record<string, number | boolean | undefined>>(cfgPath);
  const num = (k: string, fallback?: number) => (typeof c[k] === 'number' ? (c[k] as number) : fallback ?? NaN);
  const hidden = num('hidden_size'), heads = num('num_attention_heads');
  const shape = {
    vocab: num('vocab_size'), hidden, layers: num('num_hidden_layers'), heads, kvHeads: num('num_key_value_heads', heads),
    ffn: num('intermediate_size'), tied: c.tie_word_embeddings === true, headDim: num('head_dim', hidden / heads),
  };
  const weights = join(dir, 'model.safetensors');
  let stage: string | undefined;
  const pj = join(dir, 'parley.json');
  if (existsSync(pj)) stage = (readJson<{ stage?: unknown }>(pj).stage as string | undefined) ?? undefined;
  return {
    dir, stage, layers: shape.layers, hidden, heads, kvHeads: shape.kvHeads, ffn: shape.ffn, vocab: shape.vocab,
    context: num('max_position_embeddings'), tied: shape.tied, parameters: parameterCount(shape),
    bytes: existsSync(weights) ? statSync(weights).size : undefined,
  };
}

/** The policy the run ends with: the last PPO round's, else SFT, else pretraining. */
export function finalModelDir(runDir: string, state: RunState): string | undefined {
  const steps = state.steps;
  const ppo = Object.keys(steps).filter((k) => /^ppo-\d+$/.test(k)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  for (const k of [...ppo.reverse(), 'dpo', 'sft', 'pretrain']) if (steps[k]) return resolve(runDir, steps[k].out);
  return undefined;
}

export function readRun(runDir: string): RunData {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UserError(`report: no run directory ${runDir}`);
  const metricsFile = join(runDir, 'metrics.jsonl');
  if (!existsSync(join(runDir, 'state.json')) && !existsSync(metricsFile)) {
    throw new UserError(`report: ${runDir} is not a run directory (no state.json or metrics.jsonl; \`parley pipeline --out DIR\` makes one)`);
  }
  const state = readState(runDir);
  const opt = <T>(p: string): T | undefined => (existsSync(p) ? readJson<T>(p) : undefined);
  const evalPath = join(runDir, 'eval', 'eval.json');
  const finalDir = finalModelDir(runDir, state) ?? (opt<EvalResult>(evalPath)?.path);
  const notesPath = join(runDir, 'notes.md');
  return {
    dir: resolve(runDir),
    name: basename(resolve(runDir)),
    run: opt(join(runDir, 'run.json')),
    state,
    stages: groupStages(readMetrics(metricsFile)),
    evaluation: opt<EvalResult>(evalPath),
    // A comparison whose step was forgotten (e.g. --iterations raised without --compare) is stale.
    comparison: state.steps.compare ? opt<CompareResult>(join(runDir, 'eval', 'compare.json')) : undefined,
    dataStats: opt(join(runDir, 'data', 'stats.json')),
    model: finalDir ? readModelShape(finalDir) : undefined,
    notes: existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : undefined,
  };
}
