// The training runs the server shows (`parley pipeline --out runs/NAME`, layout in src/training/README.md),
// found under one directory (PARLEY_RUNS_DIR, default ./runs). Read-only: nothing here writes a run.
// A run is named by its directory name, which must be a plain name (no `/`, no `..`) of a directory
// directly under the runs directory that holds a run.json; anything else is "not found", so a request
// can never reach a file outside a run.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/** Run names: what a directory made by `parley pipeline --out runs/NAME` is usually called. */
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function runsDirFromEnv(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.PARLEY_RUNS_DIR || 'runs');
}

export interface StepInfo {
  name: string; // e.g. "sft", "ppo-2"
  finished: string | null;
  seconds: number | null;
  out: string | null; // absolute path of the step's output
  metrics: Record<string, number>;
}

export interface RunInfo {
  name: string;
  dir: string;
  preset: string | null;
  created: string | null;
  steps: StepInfo[]; // finished steps, in the order state.json lists them
  hasEval: boolean;
  hasReport: boolean;
  /** Problems reading the run's files (a half-written run still lists, with what could be read). */
  problems: string[];
}

/** The run directory for `name`, or null when it is not a valid, existing run (run.json present). */
export function runDir(runsDir: string, name: string): string | null {
  if (!RUN_NAME.test(name) || name.includes('..')) return null;
  const dir = join(runsDir, name);
  if (!existsSync(join(dir, 'run.json')) || !statSync(dir).isDirectory()) return null;
  // A symlinked run pointing elsewhere is still refused: the real path must stay inside the runs directory.
  const real = realpathSync(dir);
  const root = realpathSync(runsDir);
  return real.startsWith(root + sep) ? real : null;
}

/** Names of every run under `runsDir`, sorted; [] when the directory does not exist. */
export function runNames(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && runDir(runsDir, d.name) !== null)
    .map((d) => d.name)
    .sort();
}

function readObject(path: string, problems: string[]): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    problems.push(`${path}: expected a JSON object`);
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
  }
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function readRunInfo(name: string, dir: string): RunInfo {
  const problems: string[] = [];
  const run = readObject(join(dir, 'run.json'), problems) ?? {};
  const state = readObject(join(dir, 'state.json'), problems);
  const steps: StepInfo[] = [];
  const recorded = state?.steps;
  if (recorded && typeof recorded === 'object') {
    for (const [step, r] of Object.entries(recorded as Record<string, Record<string, unknown>>)) {
      if (!r || typeof r !== 'object') continue;
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries((r.metrics ?? {}) as Record<string, unknown>)) if (num(v) !== null) metrics[k] = v as number;
      const out = str(r.out);
      steps.push({ name: step, finished: str(r.finished), seconds: num(r.seconds), out: out ? resolve(dir, out) : null, metrics });
    }
  } else if (state) {
    problems.push(`${join(dir, 'state.json')}: expected {"steps": {...}}`);
  }
  return {
    name, dir, preset: str(run.preset), created: str(run.created), steps,
    hasEval: existsSync(join(dir, 'eval', 'eval.json')),
    hasReport: existsSync(join(dir, 'report', 'report.html')),
    problems,
  };
}

/** Points for a plot: at most `max` of them, each the mean step and value of an equal share of the input. */
export function downsample(points: Array<[number, number]>, max: number): Array<[number, number]> {
  if (points.length <= max) return points;
  const out: Array<[number, number]> = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor((b * points.length) / max), to = Math.floor(((b + 1) * points.length) / max);
    let x = 0, y = 0;
    for (let i = from; i < to; i++) { x += points[i][0]; y += points[i][1]; }
    out.push([x / (to - from), y / (to - from)]);
  }
  return out;
}
