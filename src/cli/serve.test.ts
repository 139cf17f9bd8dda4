// `parley serve` as `npm start` runs it: a child process with an empty data directory.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../store/test-backends.ts';
import { startTestServer } from '../server/test-support.ts';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

it('starts with no configuration, says no trained model is installed, still serves an upstream, and stops on SIGTERM', async () => {
  const upstream = await startTestServer(testBackends()[0]);
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'parley-serve-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1'], {
    env: {
      ...process.env, PORT: String(port), PARLEY_DATA: data, PARLEY_MODEL_DIR: '', DATABASE_URL: '',
      PARLEY_OPENAI_BASE_URL: `${upstream.url}/v1`, PARLEY_OPENAI_MODELS: 'upstream-echo=scripted',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const deadline = Date.now() + 30_000;
    while (!out.includes('listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    // Once `parley pipeline` has produced models/default, serve loads it instead of printing the notice.
    const trained = existsSync('models/default/config.json');
    if (!trained) assert.match(out, /No trained model is installed.*parley pipeline/s);
    assert.match(out, new RegExp(`listening on http://127.0.0.1:${port}`));
    const models = await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json();
    assert.ok(models.data.some((m: { id: string }) => m.id === 'upstream-echo'));
    assert.equal(models.data.length, trained ? 2 : 1);
    const chat = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'upstream-echo', messages: [{ role: 'user', content: 'through serve' }] }),
    });
    assert.equal((await chat.json()).choices[0].message.content, 'Echo: through serve');
    assert.equal((await (await fetch(`http://127.0.0.1:${port}/health`)).json()).database, 'sqlite');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const code = await exited;
    await upstream.stop();
    assert.equal(code, 0, out);
  }
});
