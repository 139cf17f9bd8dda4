// The run directory of `parley pipeline` (layout in README.md): state.json lists the finished steps,
// metrics.jsonl collects every stage's logged numbers. Every JSON file is written under a temporary
// name and renamed, so a crash leaves the previous version, never half a file.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { UserError } from '../util/errors.ts';

export interface StepRecord {
  finished: string; // ISO time
  seconds: number;
  out: string; // path of the step's output, relative to the run directory
  metrics: Record<string, number>;
}

export interface RunState {
  steps: Record<string, StepRecord>;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UserError(`${path}: cannot read JSON (${(e as Error).message})`);
  }
}

export function readState(runDir: string): RunState {
  const p = join(runDir, 'state.json');
  if (!existsSync(p)) return { steps: {} };
  const s = readJson<RunState>(p);
  if (!s || typeof s.steps !== 'object') throw new UserError(`${p}: expected {"steps": {...}}`);
  return s;
}

export function markFinished(runDir: string, step: string, record: StepRecord): void {
  const s = readState(runDir);
  s.steps[step] = record;
  writeJsonAtomic(join(runDir, 'state.json'), s);
}

/** Numbers only: metrics lines carry numbers besides "stage", "step" and "time". */
export function numbersOnly(o: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = round(v);
  return out;
}

function round(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(6));
}

/** Appends {"stage","step","time",...numbers} lines to a metrics.jsonl (or nowhere when path is undefined). */
export class MetricsLog {
  constructor(readonly path: string | undefined, readonly stage: string) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }
  log(step: number, values: Record<string, number>): void {
    if (!this.path) return;
    const line = { stage: this.stage, step, time: new Date().toISOString(), ...numbersOnly(values) };
    appendFileSync(this.path, JSON.stringify(line) + '\n');
  }
}

/** "sha256:<hex>" of a file's bytes (dataset hashes in parley.json). */
export function fileHash(path: string): string {
  return 'sha256:' + createHash('sha256').update(readFileSync(path)).digest('hex');
}
