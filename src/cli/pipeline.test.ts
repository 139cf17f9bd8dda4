// The training commands' wiring: `parley train <stage>` and `parley pipeline` parse their flags and
// stop on bad input with the CLI's plain message (exit 2, no stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'parley-train-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function parley(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts'), ...args], { encoding: 'utf8' });
}

test('parley train reward refuses rankings with K < 2 and parley pipeline an unknown preset, writing nothing', () => {
  const f = join(dir, 'r.jsonl');
  writeFileSync(f, JSON.stringify({ prompt: [{ role: 'user', content: 'hi' }], completions: ['a'], ranking: [0] }) + '\n');
  const r = parley(['train', 'reward', '--model', join(dir, 'none'), '--data', f, '--out', join(dir, 'rm'), '--epochs', '1']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^parley: .*r\.jsonl:1: a ranking needs K >= 2 completions, got 1\n$/);
  const p = parley(['pipeline', '--out', join(dir, 'run'), '--preset', 'huge']);
  assert.equal(p.status, 2, p.stderr);
  assert.match(p.stderr, /parley: unknown preset "huge" \(one of tiny, small, default\)/);
  const k = parley(['train', 'ppo', '--model', 'm', '--reward', 'r', '--data', f, '--out', join(dir, 'p'), '--clip', 'wide']);
  assert.equal(k.status, 2);
  assert.match(k.stderr, /--clip: "wide" is not a number/);
  const c = parley(['pipeline', '--out', join(dir, 'run'), '--preset', 'tiny', '--compare', '--best-of', '1']);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /--best-of: 1 is out of range \(2\.\.64\)/);
  assert.equal(existsSync(join(dir, 'rm')) || existsSync(join(dir, 'run')) || existsSync(join(dir, 'p')), false);
});
