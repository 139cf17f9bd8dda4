// Every checkpoint a training run produced (and models/default, the shipped model) becomes a model
// version in the store, with its lineage from the checkpoint's parley.json (parent, stage, metrics).
// Ids are stable names — "<run>.<step>" (e.g. "small.ppo-2") and "default" — so a re-scan updates the
// versions it recorded before instead of adding new ones; a checkpoint already recorded under another
// id (by path) keeps that id. The run directories are only read.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Store } from '../store/store.ts';
import { readRunInfo, runDir, runNames } from './runs-dir.ts';

export interface ScanResult {
  recorded: string[]; // version ids, parents before children
  problems: string[]; // checkpoints skipped, and why
}

interface Found {
  id: string;
  path: string;
  stage: string;
  parentPath: string | null;
  metrics: Record<string, unknown> | null;
}

function readProvenance(dir: string): { stage?: unknown; parent?: unknown; metrics?: unknown } | null {
  const p = join(dir, 'parley.json');
  if (!existsSync(p)) return null;
  const v = JSON.parse(readFileSync(p, 'utf8'));
  return v && typeof v === 'object' ? v : null;
}

function checkpointAt(id: string, dir: string, fallbackStage: string, problems: string[]): Found | null {
  if (!existsSync(join(dir, 'config.json'))) return null; // data files, rankings, eval: not checkpoints
  let prov;
  try {
    prov = readProvenance(dir);
  } catch (err) {
    problems.push(`${join(dir, 'parley.json')}: ${(err as Error).message}`);
    return null;
  }
  const metrics = prov?.metrics && typeof prov.metrics === 'object' && !Array.isArray(prov.metrics) ? (prov.metrics as Record<string, unknown>) : null;
  return {
    id, path: resolve(dir),
    stage: typeof prov?.stage === 'string' ? prov.stage : fallbackStage,
    parentPath: typeof prov?.parent === 'string' ? resolve(prov.parent) : null,
    metrics,
  };
}

/** The checkpoints under `runsDir` (in each run's step order) and at `defaultModelDir`, unrecorded. */
export function findCheckpoints(runsDir: string, defaultModelDir: string | null): { found: Found[]; problems: string[] } {
  const found: Found[] = [];
  const problems: string[] = [];
  for (const name of runNames(runsDir)) {
    const dir = runDir(runsDir, name);
    if (!dir) continue;
    const info = readRunInfo(name, dir);
    problems.push(...info.problems);
    for (const step of info.steps) {
      if (!step.out || !step.out.startsWith(dir + sep)) continue; // a step's output outside its run is not the run's
      const c = checkpointAt(`${name}.${step.name}`, step.out, step.name.replace(/-\d+$/, ''), problems);
      if (c) found.push(c);
    }
  }
  if (defaultModelDir) {
    const c = checkpointAt('default', defaultModelDir, 'default', problems);
    if (c) found.push(c);
  }
  return { found, problems };
}

/** Records every checkpoint found as a model version; idempotent. */
export async function registerRunVersions(store: Store, runsDir: string, defaultModelDir: string | null): Promise<ScanResult> {
  const { found, problems } = findCheckpoints(runsDir, defaultModelDir);
  const idByPath = new Map<string, string>();
  for (let cursor: string | null | undefined = undefined; ;) {
    const page = await store.modelVersions.list({ limit: 1000, cursor: cursor ?? undefined });
    for (const v of page.items) idByPath.set(resolve(v.path), v.id);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  for (const c of found) if (!idByPath.has(c.path)) idByPath.set(c.path, c.id);
  // Parents first, so a parent's id is settled (and recorded) before its children name it.
  const recorded: string[] = [];
  const done = new Set<string>();
  const byPath = new Map(found.map((c) => [c.path, c]));
  const record = async (c: Found, seen: Set<string>): Promise<void> => {
    if (done.has(c.path) || seen.has(c.path)) return;
    seen.add(c.path);
    const parent = c.parentPath ? byPath.get(c.parentPath) : undefined;
    if (parent) await record(parent, seen);
    const id = idByPath.get(c.path)!;
    await store.modelVersions.record({ id, path: c.path, parentId: c.parentPath ? idByPath.get(c.parentPath) ?? null : null, stage: c.stage, metrics: c.metrics });
    done.add(c.path);
    recorded.push(id);
  };
  for (const c of found) await record(c, new Set());
  return { recorded, problems };
}
