// End-to-end: the trainer console's Runs page against a real `parley serve` whose PARLEY_RUNS_DIR holds a
// small synthetic run (src/server/test-runs.ts). An admin sees the run's curves and eval table, the
// report link, the model versions with lineage, rescans after a checkpoint changes, and serves one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildWeb, launchBrowser, screenshotPath, startParley, type Browser, type Served } from './harness.ts';
import { writeSyntheticRun } from '../../src/server/test-runs.ts';

let server: Served;
let browser: Browser;
let page: Page;
const runsDir = mkdtempSync(join(tmpdir(), 'parley-web-runs-'));
const runDir = writeSyntheticRun(runsDir, 'alpha');

before(async () => {
  buildWeb();
  const saved = process.env.PARLEY_RUNS_DIR;
  process.env.PARLEY_RUNS_DIR = runsDir; // startParley passes its environment to the server
  try {
    server = await startParley();
  } finally {
    if (saved === undefined) delete process.env.PARLEY_RUNS_DIR;
    else process.env.PARLEY_RUNS_DIR = saved;
  }
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(runsDir, { recursive: true, force: true });
});

test('runs page: a run\'s curves and eval table, its report, and model versions with lineage', async () => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'New here? Sign up' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill('ada');
  await page.getByRole('textbox', { name: 'Password' }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('ada (admin)').waitFor();
  await page.getByRole('button', { name: 'Trainer console' }).click();
  await page.getByRole('tab', { name: 'Runs & models' }).click();

  const run = page.getByRole('article', { name: 'Run alpha' });
  // The newest run is open: its curves per stage (loss, reward, KL) and the eval table.
  for (const name of ['pretrain loss curve', 'ppo-1 reward curve', 'ppo-1 kl curve']) await run.getByRole('img', { name }).waitFor();
  const kl = run.getByRole('img', { name: 'ppo-1 kl curve' });
  assert.equal((await kl.locator('polyline').getAttribute('points'))!.split(' ').length, 6, 'one point per logged PPO step');
  assert.match(await run.locator('figure').filter({ hasText: 'ppo-1 kl:' }).innerText(), /ppo-1 kl: 0\.05000/);
  const table = run.getByRole('table', { name: 'Eval table' });
  const fact = table.getByRole('row').filter({ hasText: 'fact accuracy' }).first();
  assert.match(await fact.innerText(), /0\.930\s+0\.850\s+>= 0\.9\s+✓ met/);
  assert.match(await table.getByRole('row').filter({ hasText: 'false refusals' }).innerText(), /✗ short by 0\.0500/);
  await run.getByText(/win rate 0\.610 .* at KL 1\.48/).waitFor();
  assert.equal(await run.getByRole('link', { name: 'report' }).getAttribute('href'), '/api/runs/alpha/report');

  // Versions recorded at start-up, with lineage; a reward model is not offered for serving.
  const ppo = page.getByRole('article', { name: 'Model version alpha.ppo-1' });
  await ppo.getByText('pretrain:alpha.pretrain → sft:alpha.sft → ppo:alpha.ppo-1').waitFor();
  assert.equal(await page.getByRole('article', { name: 'Model version alpha.reward-1' }).getByRole('button', { name: 'Serve this version' }).count(), 0);
  await page.screenshot({ path: screenshotPath('runs-page') });

  // The run's PPO checkpoint becomes a real (servable) model; Rescan records it again, not twice.
  cpSync(server.model.dir, join(runDir, 'ppo-1'), { recursive: true });
  writeFileSync(join(runDir, 'ppo-1', 'parley.json'), JSON.stringify({ stage: 'ppo', parent: join(runDir, 'sft'), metrics: { score: 0.9 } }));
  await page.getByRole('button', { name: 'Rescan' }).click();
  await page.getByRole('status').filter({ hasText: '5 checkpoint(s) recorded' }).waitFor();
  await ppo.getByRole('cell', { name: '0.9000' }).waitFor();
  assert.equal(await page.getByRole('article', { name: /^Model version / }).count(), 5); // the run's four and the served model (PARLEY_MODEL_DIR) as "default"
  await ppo.getByRole('button', { name: 'Serve this version' }).click();
  await ppo.getByText('serving', { exact: true }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
});
