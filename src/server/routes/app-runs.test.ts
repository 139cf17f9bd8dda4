// The Runs page's routes on every store backend: runs listed from PARLEY_RUNS_DIR, curves per stage
// downsampled, the eval table with targets, the report served sandboxed, checkpoints recorded as model
// versions with their lineage (at start-up, and again on rescan without duplicates), roles, and no
// path outside a run directory reachable.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../../store/test-backends.ts';
import { AppClient, startTestServer, type TestServer } from '../test-support.ts';
import { SYNTHETIC, writeSyntheticRun } from '../test-runs.ts';
import { registerRunVersions } from '../run-versions.ts';

/** Every file under dir with its size and mtime, to show the server wrote nothing. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => join(d.parentPath, d.name))
    .map((p) => `${p} ${statSync(p).size} ${statSync(p).mtimeMs}`)
    .sort();
}

for (const backend of testBackends()) {
  describe(`runs and model versions on ${backend.name}`, () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-runs-'));
    const runsDir = join(root, 'runs');
    let s: TestServer;
    let admin: AppClient;
    let trainer: AppClient;
    let user: AppClient;
    let before0: string[];

    before(async () => {
      writeSyntheticRun(runsDir, 'alpha');
      mkdirSync(join(runsDir, 'junk', 'sft'), { recursive: true }); // no run.json: not a run
      writeFileSync(join(root, 'secret.txt'), 'outside the runs directory');
      mkdirSync(join(root, 'elsewhere'));
      writeFileSync(join(root, 'elsewhere', 'run.json'), '{}');
      symlinkSync(join(root, 'elsewhere'), join(runsDir, 'linked')); // a run.json, but outside: refused
      before0 = snapshot(runsDir);
      const saved = process.env.PARLEY_RUNS_DIR, savedModel = process.env.PARLEY_MODEL_DIR;
      process.env.PARLEY_RUNS_DIR = runsDir;
      process.env.PARLEY_MODEL_DIR = join(root, 'no-shipped-model'); // the repository's models/default is not this test's
      try {
        s = await startTestServer(backend);
      } finally {
        if (saved === undefined) delete process.env.PARLEY_RUNS_DIR;
        else process.env.PARLEY_RUNS_DIR = saved;
        if (savedModel === undefined) delete process.env.PARLEY_MODEL_DIR;
        else process.env.PARLEY_MODEL_DIR = savedModel;
      }
      admin = await AppClient.signUp(s.url, 'root');
      trainer = await AppClient.signUp(s.url, 'tina');
      user = await AppClient.signUp(s.url, 'ursula');
      await admin.call('PATCH', `/api/admin/users/${(trainer as any).user.id}`, { role: 'trainer' });
    });
    after(async () => {
      await s.stop();
      rmSync(root, { recursive: true, force: true });
    });

    it('records every checkpoint of a run as a model version with its lineage at start-up', async () => {
      const versions = (await admin.call('GET', '/api/model-versions')).json.items as any[];
      const byId = new Map(versions.map((v) => [v.id, v]));
      assert.deepEqual(versions.map((v) => v.id).sort(), ['alpha.ppo-1', 'alpha.pretrain', 'alpha.reward-1', 'alpha.sft']);
      assert.equal(byId.get('alpha.pretrain').parentId, null);
      assert.equal(byId.get('alpha.sft').parentId, 'alpha.pretrain');
      assert.equal(byId.get('alpha.reward-1').parentId, 'alpha.sft');
      assert.equal(byId.get('alpha.ppo-1').parentId, 'alpha.sft');
      assert.equal(byId.get('alpha.ppo-1').stage, 'ppo');
      assert.deepEqual(byId.get('alpha.ppo-1').metrics, { score: 0.58, kl: 0.72 });
      assert.equal(byId.get('alpha.ppo-1').path, join(runsDir, 'alpha', 'ppo-1'));
    });

    it('rescans without duplicating, and picks up new runs (admins only)', async () => {
      assert.equal((await trainer.call('POST', '/api/runs/rescan', {})).status, 403);
      const again = await admin.call('POST', '/api/runs/rescan', {});
      assert.equal(again.status, 200);
      assert.equal(again.json.recorded.length, 4);
      writeSyntheticRun(runsDir, 'beta', { withEval: false });
      await admin.call('POST', '/api/runs/rescan', {});
      const ids = ((await admin.call('GET', '/api/model-versions')).json.items as any[]).map((v) => v.id);
      assert.equal(ids.length, 8, ids.join(', '));
      assert.equal(new Set(ids).size, 8);
      assert.ok(ids.includes('beta.ppo-1'));
      before0 = snapshot(runsDir);
    });

    it('lists the runs (trainers and admins), not directories without run.json or outside the runs directory', async () => {
      assert.equal((await user.call('GET', '/api/runs')).status, 403);
      const r = await trainer.call('GET', '/api/runs');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.items.map((x: any) => x.name), ['alpha', 'beta']);
      const alpha = r.json.items[0];
      assert.equal(alpha.preset, 'tiny');
      assert.deepEqual(alpha.steps.map((x: any) => x.name), ['pretrain', 'sft', 'reward-1', 'ppo-1', 'data']);
      assert.equal(alpha.hasEval, true);
      assert.equal(alpha.hasReport, true);
      assert.equal(r.json.items[1].hasEval, false);
      assert.equal((await trainer.call('GET', '/api/runs/alpha')).json.steps[3].out, join(runsDir, 'alpha', 'ppo-1'));
    });

    it('gives each stage its curves, downsampled for plotting', async () => {
      const r = await trainer.call('GET', '/api/runs/alpha/metrics');
      assert.equal(r.status, 200);
      const stages = new Map((r.json.stages as any[]).map((x) => [x.stage, x]));
      assert.deepEqual([...stages.keys()], ['pretrain', 'sft', 'reward-1', 'ppo-1']);
      const pretrain = stages.get('pretrain');
      assert.equal(pretrain.steps, SYNTHETIC.pretrainSteps);
      const loss = pretrain.curves.find((c: any) => c.key === 'loss');
      assert.equal(loss.points.length, 200, 'downsampled to 200 points by default');
      assert.ok(!pretrain.curves.some((c: any) => c.key === 'lr' || c.key === 'tokens'), 'bookkeeping fields are not curves');
      // 300 steps in 200 buckets: bucket 1 holds steps 1 and 2, so its point is their mean.
      assert.equal(loss.points[1][0], 1.5);
      assert.ok(Math.abs(loss.points[1][1] - (6 - 0.015)) < 1e-9, 'each point is the mean of its share of steps');
      const ppo = stages.get('ppo-1');
      assert.deepEqual(ppo.curves.slice(0, 3).map((c: any) => c.key), ['score', 'reward', 'kl']);
      assert.deepEqual(ppo.curves.find((c: any) => c.key === 'kl').points.at(-1), [5, SYNTHETIC.finalPpoKl]);
      assert.deepEqual(stages.get('reward-1').summary, { heldout_accuracy: 0.74 });
      const fewer = await trainer.call('GET', '/api/runs/alpha/metrics?points=50');
      assert.equal(fewer.json.stages[0].curves[0].points.length, 50);
      const bad = await trainer.call('GET', '/api/runs/alpha/metrics?points=1');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.param, 'points');
    });

    it('gives the eval table with the targets, or 404 when the run has none', async () => {
      const r = await trainer.call('GET', '/api/runs/alpha/eval');
      assert.equal(r.status, 200);
      const fact = r.json.rows.find((x: any) => x.key === 'factAccuracy');
      assert.equal(fact.value, SYNTHETIC.factAccuracy);
      assert.equal(fact.against, 0.85);
      assert.equal(fact.target.met, true);
      const win = r.json.targets.find((t: any) => t.key === 'winRate');
      assert.deepEqual([win.actual, win.met], [SYNTHETIC.winRate, true]);
      assert.equal(r.json.targets.find((t: any) => t.key === 'falseRefusalRate').met, false);
      assert.equal(r.json.comparison.kl, 1.48);
      const none = await trainer.call('GET', '/api/runs/beta/eval');
      assert.equal(none.status, 404);
      assert.match(none.json.error.message, /eval\.json/);
    });

    it('serves the report as a sandboxed static page', async () => {
      const r = await fetch(`${s.url}/api/runs/alpha/report`, { headers: { cookie: trainer.cookie } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type')!, /^text\/html/);
      assert.match(r.headers.get('content-security-policy')!, /^sandbox;.*default-src 'none'/);
      assert.match(await r.text(), /Run report card/);
      assert.equal((await trainer.call('GET', '/api/runs/beta/report')).status, 404);
      assert.equal((await user.call('GET', '/api/runs/alpha/report')).status, 403);
    });

    it('refuses paths outside a run directory', async () => {
      for (const path of [
        '/api/runs/..%2Fsecret.txt/metrics', '/api/runs/..%2F..%2Fetc/eval', '/api/runs/%2E%2E/metrics', '/api/runs/../secret.txt',
        '/api/runs/junk/metrics', '/api/runs/linked/metrics', '/api/runs/linked', '/api/runs/alpha%2F..%2F..%2Fsecret.txt/report',
        '/api/runs/nonexistent/eval',
      ]) {
        const r = await trainer.call('GET', path);
        assert.equal(r.status, 404, `${path} → ${r.status} ${JSON.stringify(r.json)}`);
      }
      assert.deepEqual(snapshot(runsDir), before0, 'the server wrote nothing in the runs directory');
    });
  });
}

describe('registering run versions', () => {
  it('records models/default with the run checkpoint it came from as parent, and a bad parley.json as a problem', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-runs-'));
    const store = await testBackends()[0].open();
    try {
      const runsDir = join(root, 'runs');
      const run = writeSyntheticRun(runsDir, 'small', { withEval: false });
      const shipped = join(root, 'models', 'default');
      mkdirSync(shipped, { recursive: true });
      writeFileSync(join(shipped, 'config.json'), '{}');
      writeFileSync(join(shipped, 'parley.json'), JSON.stringify({ stage: 'ppo', parent: join(run, 'ppo-1'), metrics: { kl: 1 } }));
      writeFileSync(join(run, 'reward-1', 'parley.json'), '{not json');
      // Recorded before under another id: the scan keeps that id rather than adding a second version.
      await store.modelVersions.record({ id: 'hand-made', path: join(run, 'sft'), parentId: null, stage: 'sft', metrics: null });
      const r = await registerRunVersions(store, runsDir, shipped);
      assert.deepEqual(r.recorded, ['small.pretrain', 'hand-made', 'small.ppo-1', 'default']);
      assert.equal(r.problems.length, 1);
      assert.match(r.problems[0], /reward-1.*parley\.json/);
      assert.equal((await store.modelVersions.get('default'))!.parentId, 'small.ppo-1');
      assert.equal((await store.modelVersions.get('small.ppo-1'))!.parentId, 'hand-made');
      assert.equal((await registerRunVersions(store, join(root, 'missing'), null)).recorded.length, 0, 'no runs directory: nothing, no error');
    } finally {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
