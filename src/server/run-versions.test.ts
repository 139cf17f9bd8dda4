// A real `tiny` pipeline run (one round, a few seconds) read by the Runs routes: guards against the
// pipeline's files drifting from what the server reads (state.json outputs, parley.json parents,
// metrics.jsonl stages, eval/eval.json, report/report.html).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shutdownEngine } from '../engine/ops.ts';
import { runPipeline } from '../training/pipeline.ts';
import { testBackends } from '../store/test-backends.ts';
import { AppClient, startTestServer } from './test-support.ts';

const root = mkdtempSync(join(tmpdir(), 'parley-real-run-'));
after(async () => {
  rmSync(root, { recursive: true, force: true });
  await shutdownEngine();
});

test('a tiny pipeline run: its checkpoints become versions with lineage, its curves and eval table are served', async () => {
  const runsDir = join(root, 'runs');
  await runPipeline({ out: join(runsDir, 'tiny'), preset: 'tiny', iterations: 1, log: () => {} });
  const saved = process.env.PARLEY_RUNS_DIR, savedModel = process.env.PARLEY_MODEL_DIR;
  process.env.PARLEY_RUNS_DIR = runsDir;
  process.env.PARLEY_MODEL_DIR = join(root, 'no-shipped-model'); // the repository's models/default is not this test's
  const s = await startTestServer(testBackends()[0]).finally(() => {
    if (saved === undefined) delete process.env.PARLEY_RUNS_DIR;
    else process.env.PARLEY_RUNS_DIR = saved;
    if (savedModel === undefined) delete process.env.PARLEY_MODEL_DIR;
    else process.env.PARLEY_MODEL_DIR = savedModel;
  });
  try {
    const admin = await AppClient.signUp(s.url, 'root');
    const versions = new Map(((await admin.call('GET', '/api/model-versions')).json.items as any[]).map((v) => [v.id, v]));
    assert.deepEqual([...versions.keys()].sort(), ['tiny.ppo-1', 'tiny.pretrain', 'tiny.reward-1', 'tiny.sft']);
    assert.deepEqual(
      ['tiny.pretrain', 'tiny.sft', 'tiny.reward-1', 'tiny.ppo-1'].map((id) => [versions.get(id).stage, versions.get(id).parentId]),
      [['pretrain', null], ['sft', 'tiny.pretrain'], ['reward', 'tiny.sft'], ['ppo', 'tiny.sft']],
    );
    assert.equal(typeof versions.get('tiny.sft').metrics.heldoutAfter, 'number', 'the stage summary from parley.json');

    const stages = new Map(((await admin.call('GET', '/api/runs/tiny/metrics')).json.stages as any[]).map((x) => [x.stage, x]));
    const keys = (stage: string) => stages.get(stage).curves.map((c: any) => c.key);
    assert.ok(keys('pretrain').includes('loss') && keys('sft').includes('loss'));
    assert.ok(keys('ppo-1').includes('kl') && keys('ppo-1').includes('reward'), keys('ppo-1').join(', '));

    const table = (await admin.call('GET', '/api/runs/tiny/eval')).json;
    assert.equal(table.targets.length, 9);
    assert.equal(typeof table.comparison.winRate, 'number');
    assert.ok(table.rows.some((r: any) => r.key === 'factAccuracy' && typeof r.value === 'number'));
    assert.equal((await fetch(`${s.url}/api/runs/tiny/report`, { headers: { cookie: admin.cookie } })).status, 200);
  } finally {
    await s.stop();
  }
});
