import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorld } from './knowledge/index.ts';
import { BASE_COUNTS, generateDataset, SFT_FAMILY_WEIGHTS } from './dataset.ts';
import { parseJsonl, writeFilesAtomically } from './jsonl.ts';
import { TASKS } from './tasks/index.ts';
import { FAMILIES, type TaskMeta, type WorldMessage } from './types.ts';

const world = loadWorld();
const scale = 0.02;
const a = generateDataset(world, { seed: 5, scale });

test('same seed gives identical files; another seed gives different ones', () => {
  const again = generateDataset(world, { seed: 5, scale });
  assert.deepEqual(again.files, a.files);
  const other = generateDataset(world, { seed: 6, scale });
  for (const name of ['pretrain.txt', 'sft.jsonl', 'prompts.jsonl', 'eval.jsonl'] as const) assert.notEqual(other.files[name], a.files[name]);
});

test('counts follow the scale, per family, and stats agree with the files', () => {
  const sft = parseJsonl(a.files['sft.jsonl'], 'sft');
  const prompts = parseJsonl(a.files['prompts.jsonl'], 'prompts');
  const evalRows = parseJsonl(a.files['eval.jsonl'], 'eval');
  const wantSft = FAMILIES.reduce((n, f) => n + Math.round(BASE_COUNTS.sft * (SFT_FAMILY_WEIGHTS[f] ?? 1) * scale), 0);
  assert.equal(sft.length, wantSft);
  assert.ok(wantSft > FAMILIES.length * Math.round(BASE_COUNTS.sft * scale), 'some family is weighted up (safety)');
  const safety = sft.filter((l) => (l.value as { meta: TaskMeta }).meta.task === 'safety').length;
  const factual = sft.filter((l) => (l.value as { meta: TaskMeta }).meta.task === 'factual').length;
  assert.equal(safety, Math.round(BASE_COUNTS.sft * 2 * scale));
  assert.equal(factual, Math.round(BASE_COUNTS.sft * scale));
  assert.equal(prompts.length, FAMILIES.length * Math.round(BASE_COUNTS.prompts * scale));
  assert.equal(evalRows.length, a.stats.totals.eval);
  const stats = JSON.parse(a.files['stats.json']);
  for (const f of FAMILIES) {
    assert.equal(stats.families[f].sft, sft.filter((l) => (l.value as { meta: TaskMeta }).meta.task === f).length);
    assert.ok(stats.families[f].eval >= 1);
  }
  assert.equal(stats.files['sft.jsonl'].lines, sft.length);
  assert.equal(stats.files['pretrain.txt'].bytes, Buffer.byteLength(a.files['pretrain.txt']));
});

test('sft rows are OpenAI chat conversations whose final assistant turn grades as ideal', () => {
  let system = 0;
  let withContext = 0;
  for (const l of parseJsonl(a.files['sft.jsonl'], 'sft')) {
    const row = l.value as { messages: WorldMessage[]; meta: TaskMeta };
    assert.ok(FAMILIES.includes(row.meta.task));
    const last = row.messages[row.messages.length - 1];
    assert.equal(last.role, 'assistant');
    const turns = TASKS[row.meta.task].demonstrate(row.meta).length;
    const prompt = row.messages.slice(0, row.messages.length - turns);
    assert.ok(TASKS[row.meta.task].grade(prompt, last.content, row.meta).ok);
    for (const m of row.messages) assert.ok(['system', 'user', 'assistant', 'tool'].includes(m.role));
    row.messages.slice(1).forEach((m) => assert.notEqual(m.role, 'system'));
    if (row.messages[0].role === 'system') system++;
    if (row.meta.task === 'factual' && row.messages.filter((m) => m.role === 'user').length > 1) withContext++;
  }
  // Some conversations open with a system message; some single questions follow an earlier exchange.
  assert.ok(system > 5, String(system));
  assert.ok(withContext > 0, String(withContext));
});

test('eval prompts never repeat a training prompt and carry what the grader needs', () => {
  const key = (m: unknown) => JSON.stringify(m);
  const train = new Set<string>();
  for (const l of parseJsonl(a.files['prompts.jsonl'], 'p')) train.add(key((l.value as { prompt: unknown }).prompt));
  for (const l of parseJsonl(a.files['sft.jsonl'], 's')) {
    const r = l.value as { messages: WorldMessage[]; meta: TaskMeta };
    const n = TASKS[r.meta.task].demonstrate(r.meta).length;
    train.add(key(r.messages.slice(0, -n).map(({ weight: _w, ...m }) => m)));
  }
  for (const l of parseJsonl(a.files['eval.jsonl'], 'e')) {
    const r = l.value as { prompt: WorldMessage[]; meta: TaskMeta };
    assert.equal(r.meta.split, 'eval');
    assert.ok(!train.has(key(r.prompt)));
    assert.ok(r.prompt.every((m) => !('weight' in m)), 'prompts carry only standard message fields');
    assert.deepEqual(TASKS[r.meta.task].parseMeta(r.meta), r.meta);
    assert.ok(TASKS[r.meta.task].grade(r.prompt, r.meta.reference, r.meta).ok);
  }
});

test('pretraining prose mentions eval-only entities too (they are learned from reading)', () => {
  const big = generateDataset(world, { seed: 1, scale: 0.1 }).files['pretrain.txt'];
  const evalCountries = world.countries.eval;
  const mentioned = evalCountries.filter((c) => big.includes(`${c.capital}`));
  assert.equal(mentioned.length, evalCountries.length);
  assert.match(big, /"[A-Z][a-z]+" means /);
});

test('bad options are refused', () => {
  assert.throws(() => generateDataset(world, { seed: -1, scale }), /seed/);
  assert.throws(() => generateDataset(world, { seed: 1, scale: 0 }), /scale/);
});

test('jsonl: malformed lines are named; atomic writes leave nothing behind on failure', () => {
  assert.throws(() => parseJsonl('{"a":1}\n\n{"b":\n', 'f.jsonl'), /f\.jsonl:3: malformed JSON/);
  assert.deepEqual(parseJsonl('{"a":1}\n\n[2]\n', 'f').map((l) => l.line), [1, 3]);
  const dir = mkdtempSync(join(tmpdir(), 'parley-jsonl-'));
  try {
    assert.throws(() => writeFilesAtomically({ [join(dir, 'one.txt')]: 'x', [join(dir, 'missing', 'two.txt')]: 'y' }));
    assert.deepEqual(readdirSync(dir), []);
    writeFilesAtomically({ [join(dir, 'one.txt')]: 'x', [join(dir, 'two.txt')]: 'y' });
    assert.deepEqual(readdirSync(dir).sort(), ['one.txt', 'two.txt']);
    assert.equal(readFileSync(join(dir, 'two.txt'), 'utf8'), 'y');
    assert.ok(!existsSync(join(dir, 'missing')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a token counter, stats give total and longest token counts per file', () => {
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  const counter = {
    text: words,
    conversation: (m: { content: string }[]) => m.reduce((s, x) => s + words(x.content) + 2, 0),
    prompt: (m: { content: string }[]) => m.reduce((s, x) => s + words(x.content) + 2, 1),
  };
  const d = generateDataset(world, { seed: 5, scale, countTokens: counter });
  const f = d.stats.files;
  assert.equal(f['pretrain.txt'].tokens, d.files['pretrain.txt'].split('\n\n').reduce((s, p) => s + words(p), 0));
  for (const name of ['sft.jsonl', 'prompts.jsonl', 'eval.jsonl']) {
    assert.ok(f[name].tokens! > 0 && f[name].maxTokens! > 0 && f[name].maxTokens! < f[name].tokens!);
  }
  // Counting tokens changes only stats.json, never the data.
  assert.equal(d.files['sft.jsonl'], a.files['sft.jsonl']);
  assert.equal(a.stats.files['sft.jsonl'].tokens, undefined);
});
