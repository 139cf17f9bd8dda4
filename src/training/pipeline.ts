// `parley pipeline`: data → tokenizer → pretrain → sft → (rankings → reward → ppo) × iterations →
// eval → report, in one run directory (layout in README.md). Resumable: a step counts as done once
// state.json lists it, which happens only after its output is in place (checkpoints and files are
// written under temporary names and renamed), so re-running continues with the first unfinished step.
// `compare` adds the standard alternatives to PPO: `dpo` after the last PPO round and a `compare`
// evaluation (DPO and best-of-n against SFT) after `eval`. The report is rewritten whenever an earlier
// step ran, so adding --compare (or --iterations) to a finished run updates it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../util/errors.ts';
import { initEngine } from '../engine/ops.ts';
import { readState, markFinished, writeJsonAtomic, readJson, numbersOnly } from './run-dir.ts';
import { getPreset, type Preset } from './presets.ts';
import type { Logger } from './progress.ts';

export interface PipelineOptions {
  out: string;
  preset: string;
  iterations?: number; // default: the preset's
  rankings?: string; // rankings people made (parley export rankings) instead of the simulated ranker
  fromSft?: boolean; // every PPO round starts from the SFT model (default: from the last policy)
  stepScale?: number; // multiplies every stage's step count (a lever for slower or faster machines)
  stopAfter?: string; // stop once this step is finished (tests, staged runs)
  compare?: CompareSettings | boolean; // add the DPO and best-of-n arms (true: the defaults)
  log?: Logger;
}

/** The comparison arms: DPO's β and best-of-n's n (the rest is sized from the preset's PPO settings). */
export interface CompareSettings { beta: number; n: number }
export const DEFAULT_COMPARE: CompareSettings = { beta: 0.1, n: 4 };

interface RunConfig { preset: string; config: Preset; iterations: number; created: string; compare?: CompareSettings }
type Resolved = PipelineOptions & { iterations: number; compare?: CompareSettings };

export function stepNames(iterations: number, compare = false): string[] {
  const names = ['data', 'tokenizer', 'pretrain', 'sft'];
  for (let i = 1; i <= iterations; i++) names.push(`rankings-${i}`, `reward-${i}`, `ppo-${i}`);
  return compare ? [...names, 'dpo', 'eval', 'compare', 'report'] : [...names, 'eval', 'report'];
}

function resolveCompare(c: PipelineOptions['compare']): CompareSettings | undefined {
  if (!c) return undefined;
  const s = { ...DEFAULT_COMPARE, ...(c === true ? {} : c) };
  if (!(s.beta > 0) || !Number.isFinite(s.beta)) throw new UserError(`--dpo-beta must be a number > 0, got ${s.beta}`);
  if (!Number.isInteger(s.n) || s.n < 2 || s.n > 64) throw new UserError(`--best-of must be a whole number from 2 to 64, got ${s.n}`);
  return s;
}

/** Forgets finished steps so that the next run redoes them (their inputs changed). */
function forgetSteps(dir: string, steps: string[]): void {
  const state = readState(dir);
  for (const s of steps) delete state.steps[s];
  writeJsonAtomic(join(dir, 'state.json'), state);
}

function scaled(preset: Preset, k: number): Preset {
  if (k === 1) return preset;
  const n = (x: number) => Math.max(1, Math.round(x * k));
  preset.pretrain.steps = n(preset.pretrain.steps);
  preset.sft.steps = n(preset.sft.steps);
  preset.ppo.steps = n(preset.ppo.steps);
  preset.rankings.prompts = Math.max(2, n(preset.rankings.prompts));
  return preset;
}

/** run.json: the first run fixes the preset; a re-run must ask for the same one (more iterations are fine). */
function openRun(o: Resolved): RunConfig {
  const path = join(o.out, 'run.json');
  if (existsSync(path)) {
    const prev = readJson<RunConfig>(path);
    if (prev.preset !== o.preset) throw new UserError(`${o.out} was started with --preset ${prev.preset}; resume it with the same preset or use another --out`);
    if (prev.iterations !== o.iterations) {
      // The eval and report describe the last policy, which changes with the number of rounds; DPO
      // learns from every round's rankings and best-of-n uses the last reward model.
      forgetSteps(o.out, ['dpo', 'eval', 'compare', 'report']);
      prev.iterations = o.iterations;
      writeJsonAtomic(path, prev);
    }
    if (o.compare && (prev.compare?.beta !== o.compare.beta || prev.compare?.n !== o.compare.n)) {
      if (prev.compare) forgetSteps(o.out, prev.compare.beta !== o.compare.beta ? ['dpo', 'compare', 'report'] : ['compare', 'report']);
      prev.compare = o.compare;
      writeJsonAtomic(path, prev);
    }
    return prev;
  }
  const run = { preset: o.preset, config: scaled(getPreset(o.preset), o.stepScale ?? 1), iterations: o.iterations, created: new Date().toISOString(), ...(o.compare ? { compare: o.compare } : {}) };
  mkdirSync(o.out, { recursive: true });
  writeJsonAtomic(path, run);
  return run;
}

/** Drops an unfinished attempt's lines of `stage` from metrics.jsonl before the step runs again. */
function forgetMetrics(runDir: string, stage: string): void {
  const p = join(runDir, 'metrics.jsonl');
  if (!existsSync(p)) return;
  const keep = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith(`{"stage":${JSON.stringify(stage)},`));
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, keep.length ? keep.join('\n') + '\n' : '');
  renameSync(tmp, p);
}

export async function runPipeline(o: PipelineOptions): Promise<Record<string, Record<string, number>>> {
  const log = o.log ?? ((l: string) => console.error(l));
  o = { ...o, iterations: o.iterations ?? getPreset(o.preset).iterations };
  const iterations = o.iterations!;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 20) throw new UserError(`--iterations must be a whole number from 1 to 20, got ${iterations}`);
  getPreset(o.preset); // an unknown preset fails before anything is written
  if (o.rankings && !existsSync(o.rankings)) throw new UserError(`--rankings: no such file ${o.rankings}`);
  const compare = resolveCompare(o.compare);
  const names = stepNames(iterations, !!compare);
  if (o.stopAfter && !names.includes(o.stopAfter)) throw new UserError(`--stop-after: no step "${o.stopAfter}" (steps: ${names.join(', ')})`);
  const run = openRun({ ...o, iterations, compare });
  const cfg = run.config;
  const dir = o.out;
  const at = (...p: string[]) => join(dir, ...p);
  const metricsPath = at('metrics.jsonl');
  await initEngine();

  const steps: Record<string, () => Promise<Record<string, number>> | Record<string, number>> = {
    data: async () => {
      const { loadWorld } = await import('../world/knowledge/index.ts');
      const { generateDataset } = await import('../world/dataset.ts');
      const { writeFilesAtomically } = await import('../world/jsonl.ts');
      const { files, stats } = generateDataset(loadWorld(), { seed: cfg.seed, scale: cfg.data.scale, log: (m) => log(`data: ${m}`) });
      mkdirSync(at('data'), { recursive: true });
      writeFilesAtomically(Object.fromEntries(Object.entries(files).map(([name, text]) => [at('data', name), text])));
      return numbersOnly(stats.totals);
    },
    tokenizer: async () => {
      const { trainTokenizer } = await import('../tokenizer/train.ts');
      const { saveTokenizer } = await import('../tokenizer/tokenizer-files.ts');
      const { SPECIAL_TOKENS } = await import('../tokenizer/special-tokens.ts');
      const { readSft } = await import('./datasets.ts');
      // Prose and the conversations' own text, so replies tokenize as compactly as the prose does.
      const chat = readSft(at('data', 'sft.jsonl')).flatMap((e) => e.messages.map((m) => m.content ?? '')).join('\n');
      const { progress } = await import('./progress.ts');
      const bar = progress('tokenizer', cfg.tokenizer.vocab, log);
      let tok;
      try {
        tok = trainTokenizer([readFileSync(at('data', 'pretrain.txt'), 'utf8'), chat], {
          vocabSize: cfg.tokenizer.vocab, specialTokens: SPECIAL_TOKENS, onProgress: (n) => bar.update(n, { vocab: n }),
        });
      } finally {
        bar.stop();
      }
      const tmp = at(`tokenizer.tmp-${process.pid}`);
      saveTokenizer(tok, tmp);
      rmSync(at('tokenizer'), { recursive: true, force: true });
      renameSync(tmp, at('tokenizer'));
      return { vocab: tok.vocabSize, merges: tok.spec.merges.length };
    },
    pretrain: async () => {
      const { runPretrain } = await import('./pretrain.ts');
      const p = cfg.pretrain;
      return runPretrain({ data: [at('data', 'pretrain.txt')], chat: p.mixChat ? [at('data', 'sft.jsonl')] : undefined, out: at('pretrain'), from: { tokenizer: at('tokenizer'), shape: cfg.model }, steps: p.steps, batch: p.batch, microBatch: p.microBatch, ctx: p.ctx, lr: p.lr, warmup: p.warmup, seed: cfg.seed, maxTokens: p.maxTokens, maxSeconds: p.maxMinutes && p.maxMinutes * 60, metricsPath, log });
    },
    sft: async () => {
      const { runSft } = await import('./sft.ts');
      const s = cfg.sft;
      return runSft({ model: at('pretrain'), data: at('data', 'sft.jsonl'), out: at('sft'), steps: s.steps, batch: s.batch, microBatch: s.microBatch, ctx: s.ctx, lr: s.lr, warmup: s.warmup, seed: cfg.seed, maxSeconds: s.maxMinutes && s.maxMinutes * 60, metricsPath, log });
    },
  };
  for (let i = 1; i <= iterations; i++) {
    const policyBefore = i === 1 ? at('sft') : at(`ppo-${i - 1}`);
    steps[`rankings-${i}`] = async () => {
      const out = at(`rankings-${i}.jsonl`);
      if (o.rankings) {
        // Rankings people made in the web app replace the simulated ranker (checked like any dataset).
        const { readRankings } = await import('./datasets.ts');
        const rows = readRankings(o.rankings);
        const { writeFilesAtomically } = await import('../world/jsonl.ts');
        writeFilesAtomically({ [out]: readFileSync(o.rankings) });
        return { prompts: rows.length, from_file: 1 };
      }
      const { collectRankings } = await import('./rankings.ts');
      const r = cfg.rankings;
      return collectRankings({ model: policyBefore, prompts: at('data', 'prompts.jsonl'), offset: (i - 1) * r.prompts, count: r.prompts, k: r.k, maxTokens: r.maxTokens, temperature: r.temperature, ctx: cfg.reward.ctx, ranker: { noise: r.noise, lengthPreference: r.lengthPreference }, seed: cfg.seed + i, out, log });
    };
    steps[`reward-${i}`] = async () => {
      const { runReward } = await import('./reward.ts');
      const r = cfg.reward;
      const files = Array.from({ length: i }, (_, j) => at(`rankings-${j + 1}.jsonl`)); // every ranking so far
      return runReward({ model: at('sft'), sft: at('sft'), rankings: files, prompts: at('data', 'prompts.jsonl'), out: at(`reward-${i}`), epochs: r.epochs, batch: r.batch, lr: r.lr, ctx: r.ctx, heldout: r.heldout, calibrationSamples: r.calibrationSamples, maxTokens: cfg.rankings.maxTokens, temperature: cfg.rankings.temperature, seed: cfg.seed + i, maxSeconds: r.maxMinutes && r.maxMinutes * 60, stage: `reward-${i}`, metricsPath, log });
    };
    steps[`ppo-${i}`] = async () => {
      const { runPpo } = await import('./ppo.ts');
      const start = i > 1 && cfg.fromLastPolicy && !o.fromSft ? at(`ppo-${i - 1}`) : at('sft');
      return runPpo({ model: start, ref: at('sft'), reward: at(`reward-${i}`), prompts: at('data', 'prompts.jsonl'), ptxData: cfg.ppo.ptxCoef > 0 ? at('data', 'pretrain.txt') : undefined, out: at(`ppo-${i}`), settings: { ...cfg.ppo, seed: cfg.ppo.seed + i }, stage: `ppo-${i}`, metricsPath, log });
    };
  }
  steps.eval = async () => {
    const mod = await import('./eval/pipeline-step.ts');
    return mod.runEvalStep({ runDir: dir, model: at(`ppo-${iterations}`), against: at('sft'), rewardModel: at(`reward-${iterations}`), limit: cfg.eval.limit, maxTokens: cfg.eval.maxTokens, log });
  };
  if (compare) {
    steps.dpo = async () => {
      // DPO from the SFT model on the pairs of every round's rankings, given PPO's budget: as many
      // optimizer steps as PPO's policy updates (steps × epochs), PPO's batch, learning rate and time limit.
      const { writeRankingPairs, runDpo } = await import('./dpo.ts');
      const pairs = at('dpo-pairs.jsonl');
      writeRankingPairs(Array.from({ length: iterations }, (_, j) => at(`rankings-${j + 1}.jsonl`)), pairs);
      const p = cfg.ppo;
      return runDpo({ model: at('sft'), data: pairs, out: at('dpo'), beta: compare.beta, steps: p.steps * p.epochs, batch: p.prompts, microBatch: p.microBatch, lr: p.lr, ctx: p.ctx, seed: cfg.seed, maxSeconds: p.maxSeconds, stage: 'dpo', metricsPath, log });
    };
    steps.compare = async () => {
      const { runCompareStep } = await import('./eval/compare.ts');
      return runCompareStep({ runDir: dir, sft: at('sft'), dpo: at('dpo'), rewardModel: at(`reward-${iterations}`), evalFile: at('data', 'eval.jsonl'), limit: cfg.eval.limit, maxTokens: cfg.eval.maxTokens, n: compare.n, log });
    };
  }
  steps.report = async () => {
    // Written by the evaluation helper (src/training/report/); looked up at run time.
    const file = new URL('./report/pipeline-step.ts', import.meta.url);
    if (!existsSync(file)) throw new UserError('the report step needs src/training/report/pipeline-step.ts (writeRunReport), which is not there');
    const mod = (await import(pathToFileURL(file.pathname).href)) as { writeRunReport(o: { runDir: string; outDir: string; log: Logger }): unknown };
    const r = await mod.writeRunReport({ runDir: dir, outDir: at('report'), log });
    return numbersOnly((r && typeof r === 'object' ? r : {}) as Record<string, unknown>);
  };

  const done: Record<string, Record<string, number>> = {};
  let ran = false; // a step ran in this invocation: the report (always last) is written again
  for (const name of names) {
    const state = readState(dir);
    if (state.steps[name] && !(name === 'report' && ran)) {
      log(`pipeline: ${name} already finished (${state.steps[name].finished}), skipping`);
      done[name] = state.steps[name].metrics;
    } else {
      log(`pipeline: ${name} …`);
      forgetMetrics(dir, name);
      const started = Date.now();
      ran = true;
      const metrics = numbersOnly(await steps[name]());
      const out = name === 'data' ? 'data' : name.startsWith('rankings-') ? `${name}.jsonl` : name;
      markFinished(dir, name, { finished: new Date().toISOString(), seconds: (Date.now() - started) / 1000, out, metrics });
      done[name] = metrics;
      log(`pipeline: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    if (o.stopAfter === name) {
      log(`pipeline: stopping after ${name} as asked; run again to continue`);
      break;
    }
  }
  return done;
}
