// TEST-ONLY: what the browser tests run against — the web app built into web/dist (rebuilt when a
// source is newer), a real `parley serve` process on a free port with its own data directory and the
// script model, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeScriptModel, type ScriptModel } from './script-model.ts';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');
const webDir = join(repoRoot, 'web');
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** Builds web/dist unless it is newer than every source of the web app. */
export function buildWeb(): void {
  const index = join(webDir, 'dist', 'index.html');
  const sources = Math.max(newestMtime(join(webDir, 'src')), newestMtime(join(webDir, 'index.html')), newestMtime(join(webDir, 'vite.config.ts')));
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Served {
  url: string;
  /** The server's PARLEY_DATA (its SQLite database). */
  dataDir: string;
  model: ScriptModel;
  logFile: string;
  stop(): Promise<void>;
}

/** `parley serve` as a user runs it (npm start), on the script model, with the shipped content filter. */
export async function startParley(): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-web-'));
  // 8 zero-weight layers of width 512: a token costs real compute, so long replies run for seconds.
  const model = await makeScriptModel(dir, { layers: 8, dim: 512, ffn: 1024 });
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'serve'], {
    cwd: repoRoot,
    stdio: ['ignore', log, log],
    env: {
      ...process.env, PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA: join(dir, 'data'), PARLEY_MODEL_DIR: model.dir,
      PARLEY_BATCH_SIZE: '4', PARLEY_THREADS: '1', PARLEY_KV_CACHE_MB: '512', DATABASE_URL: '',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parley serve exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`parley serve did not answer /health within 60 s:\n${readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, model, logFile, dataDir: join(dir, 'data'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile, the flags CI uses, and clipboard access for the copy buttons. */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, `${name}.png`);
}
