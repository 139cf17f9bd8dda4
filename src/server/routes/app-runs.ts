// The trainer console's Runs page: the training runs under PARLEY_RUNS_DIR (default ./runs) with their
// curves per stage (downsampled for plotting), eval table with the targets, and report.html; and the
// checkpoints they produced recorded as model versions with lineage (at start-up and on an admin's
// rescan). Read-only on the run directories. Wire it in buildApp with `registerAppRuns(app, ctx)`.
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { downsample, readRunInfo, runDir, runNames, runsDirFromEnv } from '../runs-dir.ts';
import { registerRunVersions } from '../run-versions.ts';
import { localModelDirFromEnv } from '../../providers/registry.ts';
import { UserError } from '../../util/errors.ts';

const TRAINERS = ['trainer', 'admin'] as const;
const metricsQuery = z.object({ points: z.coerce.number().int().min(2).max(5000).optional() });

// The report is a static page with inline CSS and SVG and no scripts: served sandboxed (no scripts, no
// same-origin access to the app's cookies or API) in case a run directory holds something else.
const REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// The served local model (PARLEY_MODEL_DIR, else models/default) is recorded as the version "default".
export function registerAppRuns(app: FastifyInstance, ctx: ServerContext, runsDir = runsDirFromEnv(), defaultModelDir = localModelDirFromEnv()): void {
  const rescan = () => registerRunVersions(ctx.store, runsDir, defaultModelDir);

  // At start-up (the app's first listen or ready()): record what the runs produced since last time.
  app.addHook('onReady', async () => {
    try {
      const r = await rescan();
      for (const p of r.problems) console.error(`runs: ${p}`);
    } catch (err) {
      console.error(`runs: cannot record model versions from ${runsDir}: ${(err as Error).message}`);
    }
  });

  const run = (req: { params: unknown }) => {
    const name = (req.params as { id: string }).id;
    const dir = runDir(runsDir, name);
    if (!dir) throw notFound('run');
    return { name, dir };
  };
  // A run's files are training output, not the caller's input: unreadable ones are the run's problem.
  const readOrFail = async <T>(what: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (err instanceof UserError) throw new ApiError(422, `${what}: ${err.message}`, 'invalid_run');
      throw err;
    }
  };

  app.get('/api/runs', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    return { runsDir, items: runNames(runsDir).map((name) => readRunInfo(name, runDir(runsDir, name)!)) };
  });

  app.get('/api/runs/:id', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const { name, dir } = run(req);
    return readRunInfo(name, dir);
  });

  // { stages: [{ stage, summary, curves: [{ key, points: [[step, value], ...] }] }] }, at most `points` per curve.
  app.get('/api/runs/:id/metrics', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const { dir } = run(req);
    const q = parse(metricsQuery, req.query, 'query');
    const max = q.points ?? 200;
    return readOrFail('metrics.jsonl', async () => {
      const { readMetrics, groupStages } = await import('../../training/report/read-run.ts');
      const { stageCurves } = await import('../../training/report/summary.ts');
      const stages = groupStages(readMetrics(join(dir, 'metrics.jsonl')));
      return {
        stages: stages.map((s) => ({
          stage: s.stage,
          steps: s.steps.length,
          summary: s.summary ?? null,
          curves: stageCurves(s).map((c) => ({ key: c.key, points: downsample(c.points, max) })),
        })),
      };
    });
  });

  // The eval table of eval/eval.json: per metric its value (and the compared model's), and the targets.
  app.get('/api/runs/:id/eval', async (req) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const { dir } = run(req);
    if (!existsSync(join(dir, 'eval', 'eval.json'))) throw new ApiError(404, 'this run has no eval/eval.json yet (the pipeline\'s eval step writes it)', 'not_found');
    return readOrFail('eval/eval.json', async () => {
      const { readRun } = await import('../../training/report/read-run.ts');
      const { summarize } = await import('../../training/report/summary.ts');
      const data = readRun(dir);
      const s = summarize(data);
      return { model: data.evaluation?.path ?? null, targets: s.targets, met: s.met, measured: s.measured, rows: s.evalRows, comparison: s.comparison ?? null };
    });
  });

  app.get('/api/runs/:id/report', async (req, reply) => {
    await ctx.auth.app(req, [...TRAINERS]);
    const { dir } = run(req);
    if (!existsSync(join(dir, 'report', 'report.html'))) throw new ApiError(404, 'this run has no report/report.html yet (`parley report --run DIR` writes it)', 'not_found');
    reply.headers({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': REPORT_CSP, 'x-content-type-options': 'nosniff' });
    return readFileSync(join(dir, 'report', 'report.html'));
  });

  app.post('/api/runs/rescan', async (req) => {
    await ctx.auth.app(req, ['admin']);
    return rescan();
  });
}
