// `parley moderate` and `parley train moderation --help` end to end, as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = join(import.meta.dirname, 'main.ts');
const parley = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });

test('parley moderate prints the OpenAI moderation JSON', () => {
  const r = parley('moderate', '--text', 'I will stab you tonight', '--text', 'how do I bake bread?', '--decide');
  assert.equal(r.status, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.match(body.id, /^modr-/);
  assert.match(body.model, /^parley-moderation-/);
  assert.equal(body.results.length, 2);
  assert.equal(body.results[0].flagged, true);
  assert.equal(body.results[0].categories.violence, true);
  assert.equal(typeof body.results[0].category_scores['harassment/threatening'], 'number');
  assert.equal(body.results[1].flagged, false);
  assert.equal(body.parley_decisions[0].action, 'warn');
  assert.deepEqual(body.parley_decisions[1], { action: 'allow', categories: [] });
});

test('parley moderate: bad input gets a clear message and exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-mod-'));
  const bad = join(dir, 'latin1.txt');
  writeFileSync(bad, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x21]));
  let r = parley('moderate', '--file', bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /latin1\.txt is not valid UTF-8 \(bad byte at offset 3\)/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  r = parley('moderate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --text/);
  r = parley('moderate', '--file', join(dir, 'missing.txt'));
  assert.match(r.stderr, /cannot read .*missing\.txt: ENOENT/);
});

test('parley train lists the moderation stage', () => {
  const r = parley('train', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /moderation \[options\]\s+train the moderation classifier/);
});
