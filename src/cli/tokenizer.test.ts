import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wordnetSentences } from '../tokenizer/wordnet-corpus.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
function parley(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'tokenizer', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('parley tokenizer: train, encode, decode round trip in a temp dir; bad flags are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tok-'));
  try {
    const input = join(dir, 'corpus.txt');
    writeFileSync(input, wordnetSentences(3000).join('\n'));
    const out = join(dir, 'tok');
    const trained = parley('train', '--input', input, '--vocab', '600', '--out', out);
    assert.equal(trained.code, 0, trained.err);
    assert.equal(JSON.parse(trained.out).vocab, 600);
    const config = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'));
    assert.match(config.chat_template, /<\|assistant\|>/);
    assert.equal(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')).model.type, 'BPE');

    const text = 'Hello, 贵重物品 👨‍👩‍👧 world';
    const enc = parley('encode', '--tokenizer', out, '--text', text);
    assert.equal(enc.code, 0, enc.err);
    const { ids } = JSON.parse(enc.out) as { ids: number[] };
    assert.ok(ids.length > 3);
    const dec = parley('decode', '--tokenizer', out, '--ids', ids.join(','));
    assert.equal(dec.code, 0, dec.err);
    assert.deepEqual(JSON.parse(dec.out), { text });

    const file = join(dir, 'in.txt');
    writeFileSync(file, text);
    assert.deepEqual(JSON.parse(parley('encode', '--tokenizer', out, '--file', file).out).ids, ids);

    const small = parley('train', '--input', input, '--vocab', '200', '--out', join(dir, 'x'));
    assert.equal(small.code, 2);
    assert.match(small.err, /--vocab 200 is too small: it must be at least 264/);
    const range = parley('decode', '--tokenizer', out, '--ids', '1,2,600');
    assert.equal(range.code, 2);
    assert.match(range.err, /token id 600 is out of range/);
    assert.match(parley('decode', '--tokenizer', out, '--ids', '1,x').err, /"x" is not a token id/);
    assert.match(parley('encode', '--tokenizer', out).err, /exactly one of --text or --file/);
    assert.match(parley('encode', '--tokenizer', join(dir, 'none'), '--text', 'a').err, /no tokenizer\.json/);
    assert.doesNotMatch(range.err, /at .*\.ts:\d+/); // no stack trace for user errors
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
