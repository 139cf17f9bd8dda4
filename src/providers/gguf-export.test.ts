import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint, expectedTensors, type Tensor } from '../engine/checkpoint.ts';
import { parseHfConfig } from '../engine/config.ts';
import { trainTokenizer } from '../tokenizer/train.ts';
import { saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { SPECIAL, SPECIAL_TOKENS } from '../tokenizer/special-tokens.ts';
import { PARLEY_CHAT_TEMPLATE } from '../tokenizer/chat-template.ts';
import { GPT2_PATTERN } from '../tokenizer/pretokenize.ts';
import { exportGguf, permuteForGgmlRope } from './gguf-export.ts';
import { parseGgufHeader, readGgufTensor, metaNumber } from './gguf-reader.ts';
import { GgmlType, GgufTokenType, ggufTensorName } from './gguf-format.ts';
import { f16ToF32, f32ToF16 } from './half.ts';

// A GQA model (6 query heads over 2 kv heads, hd 8) with a vocabulary padded past its tokenizer.
const HF_CONFIG = {
  vocab_size: 300, hidden_size: 48, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 6,
  num_key_value_heads: 2, max_position_embeddings: 128, rope_theta: 50000, rms_norm_eps: 1e-5, tie_word_embeddings: false,
};

function randomCheckpoint(config: Record<string, unknown> = HF_CONFIG): { dir: string; tensors: Map<string, Tensor> } {
  const dir = join(mkdtempSync(join(tmpdir(), 'parley-gguf-')), 'model');
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  const tensors = new Map<string, Tensor>();
  for (const e of expectedTensors(parseHfConfig(config))) {
    if (e.optional) continue;
    const n = e.shape.reduce((a, b) => a * b, 1);
    tensors.set(e.name, { shape: e.shape, data: Float32Array.from({ length: n }, rand) });
  }
  saveCheckpoint(dir, config, tensors, { parley: { name: 'tiny-test', stage: 'test' } });
  const tok = trainTokenizer(['the cat sat on the mat', 'what is 12*(3+4)? it is 84.', 'hello there, the mat'], {
    vocabSize: SPECIAL_TOKENS.length + 256 + 20,
    specialTokens: SPECIAL_TOKENS,
  });
  saveTokenizer(tok, dir);
  return { dir, tensors };
}

test('f32ToF16 rounds to nearest even and round-trips every half value', () => {
  assert.equal(f32ToF16(1), 0x3c00);
  assert.equal(f32ToF16(-2), 0xc000);
  assert.equal(f32ToF16(65504), 0x7bff);
  assert.equal(f32ToF16(65520), 0x7c00, 'halfway above the largest half overflows to Inf');
  assert.equal(f32ToF16(1 + 2 ** -11), 0x3c00, 'tie rounds to even (down)');
  assert.equal(f32ToF16(1 + 3 * 2 ** -11), 0x3c02, 'tie rounds to even (up)');
  assert.equal(f32ToF16(2 ** -24), 0x0001, 'smallest subnormal');
  assert.equal(f32ToF16(2 ** -25), 0x0000, 'half of it ties to even zero');
  assert.equal(f32ToF16(1.5 * 2 ** -25), 0x0001);
  assert.equal(f32ToF16(-0), 0x8000);
  assert.equal(f32ToF16(NaN) & 0x7c00, 0x7c00);
  assert.ok(f32ToF16(NaN) & 0x3ff);
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaNs
    assert.equal(f32ToF16(f16ToF32(h)), h, `half 0x${h.toString(16)}`);
  }
});

// HF rotary (rotate_half): pairs (i, i+hd/2). ggml's normal rope: pairs (2i, 2i+1). Same frequencies.
function ropeHalf(x: Float32Array, hd: number, pos: number, theta: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let h = 0; h < x.length / hd; h++) {
    for (let i = 0; i < hd / 2; i++) {
      const a = pos * theta ** (-(2 * i) / hd);
      const x0 = x[h * hd + i], x1 = x[h * hd + i + hd / 2];
      out[h * hd + i] = x0 * Math.cos(a) - x1 * Math.sin(a);
      out[h * hd + i + hd / 2] = x1 * Math.cos(a) + x0 * Math.sin(a);
    }
  }
  return out;
}
function ropeInterleaved(x: Float32Array, hd: number, pos: number, theta: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let h = 0; h < x.length / hd; h++) {
    for (let i = 0; i < hd / 2; i++) {
      const a = pos * theta ** (-(2 * i) / hd);
      const x0 = x[h * hd + 2 * i], x1 = x[h * hd + 2 * i + 1];
      out[h * hd + 2 * i] = x0 * Math.cos(a) - x1 * Math.sin(a);
      out[h * hd + 2 * i + 1] = x1 * Math.cos(a) + x0 * Math.sin(a);
    }
  }
  return out;
}
function matVec(w: Float32Array, x: Float32Array): Float32Array {
  const rows = w.length / x.length;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < x.length; c++) out[r] += w[r * x.length + c] * x[c];
  return out;
}

test('permuted q/k weights under llama.cpp rope give the same attention scores as HF weights under rotate_half', () => {
  const hd = 8, heads = 3, dim = 5, theta = 10000;
  let s = 7;
  const rand = () => ((s = (s * 48271) % 2147483647) / 2147483647) - 0.5;
  const wq = Float32Array.from({ length: heads * hd * dim }, rand);
  const wk = Float32Array.from({ length: heads * hd * dim }, rand);
  const xq = Float32Array.from({ length: dim }, rand), xk = Float32Array.from({ length: dim }, rand);
  const pq = permuteForGgmlRope(wq, heads, dim), pk = permuteForGgmlRope(wk, heads, dim);
  for (const [posQ, posK] of [[5, 2], [17, 17], [40, 3]]) {
    const qh = ropeHalf(matVec(wq, xq), hd, posQ, theta), kh = ropeHalf(matVec(wk, xk), hd, posK, theta);
    const qg = ropeInterleaved(matVec(pq, xq), hd, posQ, theta), kg = ropeInterleaved(matVec(pk, xk), hd, posK, theta);
    for (let h = 0; h < heads; h++) {
      let a = 0, b = 0;
      for (let d = 0; d < hd; d++) {
        a += qh[h * hd + d] * kh[h * hd + d];
        b += qg[h * hd + d] * kg[h * hd + d];
      }
      assert.ok(Math.abs(a - b) < 1e-5, `head ${h} at positions ${posQ},${posK}: ${a} vs ${b}`);
    }
  }
  // And it is a real permutation, not the identity.
  assert.notDeepEqual(pq, wq);
  assert.deepEqual([...pq].sort(), [...wq].sort());
});

test('export writes a GGUF file whose header, metadata, tokenizer and every tensor read back exactly (F32)', () => {
  const { dir, tensors } = randomCheckpoint();
  const out = join(dir, '..', 'model-f32.gguf');
  const summary = exportGguf({ modelDir: dir, out, dtype: 'f32' });
  const buf = readFileSync(out);
  assert.equal(summary.bytes, buf.length);
  assert.equal(summary.pre, 'llama-bpe');
  const file = parseGgufHeader(buf)!;
  assert.equal(file.version, 3);
  assert.equal(file.alignment, 32);
  assert.equal(file.dataOffset % 32, 0);
  const meta = (k: string) => file.metadata.get(k);
  assert.equal(meta('general.architecture'), 'llama');
  assert.equal(meta('general.name'), 'tiny-test');
  assert.equal(meta('general.file_type'), 0);
  for (const [k, v] of Object.entries({
    'llama.vocab_size': 300, 'llama.context_length': 128, 'llama.embedding_length': 48, 'llama.block_count': 2,
    'llama.feed_forward_length': 64, 'llama.attention.head_count': 6, 'llama.attention.head_count_kv': 2,
    'llama.rope.dimension_count': 8, 'llama.rope.freq_base': 50000,
  })) assert.equal(metaNumber(file, k), v, k);
  assert.equal(meta('llama.attention.layer_norm_rms_epsilon'), Math.fround(1e-5));

  // Tokenizer: the byte-level vocabulary, padded to vocab_size, with types and merges.
  const tokJson = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const tokens = meta('tokenizer.ggml.tokens') as string[];
  const types = meta('tokenizer.ggml.token_type') as number[];
  assert.equal(meta('tokenizer.ggml.model'), 'gpt2');
  assert.equal(meta('tokenizer.ggml.pre'), 'llama-bpe');
  assert.equal(tokens.length, 300);
  for (const [t, id] of Object.entries(tokJson.model.vocab as Record<string, number>)) assert.equal(tokens[id], t);
  assert.equal(tokens[0], SPECIAL.pad);
  assert.equal(types[0], GgufTokenType.CONTROL);
  assert.equal(types[SPECIAL_TOKENS.length + 65], GgufTokenType.NORMAL);
  assert.equal(tokens[299], '[PAD299]');
  assert.equal(types[299], GgufTokenType.UNUSED);
  assert.deepEqual(meta('tokenizer.ggml.merges'), tokJson.model.merges);
  assert.equal(meta('tokenizer.ggml.bos_token_id'), SPECIAL_TOKENS.indexOf(SPECIAL.begin));
  assert.equal(meta('tokenizer.ggml.eos_token_id'), SPECIAL_TOKENS.indexOf(SPECIAL.endOfTurn));
  assert.equal(meta('tokenizer.ggml.eot_token_id'), SPECIAL_TOKENS.indexOf(SPECIAL.endOfTurn));
  assert.equal(meta('tokenizer.ggml.padding_token_id'), 0);
  assert.equal(meta('tokenizer.ggml.add_bos_token'), false, 'the template adds BOS itself');
  assert.equal(meta('tokenizer.chat_template'), PARLEY_CHAT_TEMPLATE);

  // Tensors: all 2 + 9·L + 1 of them, llama.cpp names, ggml dims, aligned, values exact (q/k permuted).
  assert.equal(file.tensors.length, tensors.size);
  let end = 0;
  for (const info of file.tensors) {
    const hfName = [...tensors.keys()].find((n) => ggufTensorName(n) === info.name)!;
    assert.ok(hfName, `unexpected tensor ${info.name}`);
    const t = tensors.get(hfName)!;
    assert.deepEqual(info.dims, [...t.shape].reverse(), info.name);
    assert.equal(info.type, GgmlType.F32);
    assert.equal(info.offset % 32, 0);
    let want = t.data;
    if (hfName.includes('q_proj')) want = permuteForGgmlRope(t.data, 6, 48);
    if (hfName.includes('k_proj')) want = permuteForGgmlRope(t.data, 2, 48);
    assert.deepEqual(readGgufTensor(buf, file, info), want, info.name);
    end = Math.max(end, file.dataOffset + info.offset + t.data.length * 4);
  }
  assert.ok(buf.length >= end && buf.length - end < 32, 'the file ends with the last tensor, padded');
  assert.ok(file.tensors.some((t) => t.name === 'output.weight'));
  assert.ok(file.tensors.some((t) => t.name === 'blk.1.ffn_down.weight'));
});

test('F16 export halves matrices (rounded to nearest), keeps norms F32, and omits a tied output', () => {
  const { dir, tensors } = randomCheckpoint({ ...HF_CONFIG, tie_word_embeddings: true });
  const out = join(dir, '..', 'model-f16.gguf');
  exportGguf({ modelDir: dir, out, dtype: 'f16', name: 'renamed' });
  const buf = readFileSync(out);
  const file = parseGgufHeader(buf)!;
  assert.equal(file.metadata.get('general.file_type'), 1);
  assert.equal(file.metadata.get('general.name'), 'renamed');
  assert.equal(file.tensors.some((t) => t.name === 'output.weight'), false);
  const embd = file.tensors.find((t) => t.name === 'token_embd.weight')!;
  assert.equal(embd.type, GgmlType.F16);
  const got = readGgufTensor(buf, file, embd);
  const src = tensors.get('model.embed_tokens.weight')!.data;
  for (let i = 0; i < src.length; i++) assert.equal(got[i], f16ToF32(f32ToF16(src[i])));
  const norm = file.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')!;
  assert.equal(norm.type, GgmlType.F32);
  assert.deepEqual(readGgufTensor(buf, file, norm), tensors.get('model.layers.0.input_layernorm.weight')!.data);
  assert.ok(statSync(out).size < statSync(join(dir, 'model.safetensors')).size * 0.6);
});

test('export refuses what llama.cpp could not run, saying why', () => {
  const { dir } = randomCheckpoint();
  const tokPath = join(dir, 'tokenizer.json');
  const tok = JSON.parse(readFileSync(tokPath, 'utf8'));
  tok.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, { type: 'ByteLevel', add_prefix_space: false, use_regex: true }] };
  writeFileSync(tokPath, JSON.stringify(tok));
  const out = join(dir, '..', 'x.gguf');
  assert.throws(() => exportGguf({ modelDir: dir, out }), /llama\.cpp has no known pre-tokenizer .*pass --pre NAME/);
  assert.equal(exportGguf({ modelDir: dir, out, pre: 'smollm' }).pre, 'smollm');
  tok.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: GPT2_PATTERN }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, use_regex: false }] };
  writeFileSync(tokPath, JSON.stringify(tok));
  assert.equal(exportGguf({ modelDir: dir, out }).pre, 'gpt-2');
  assert.throws(() => exportGguf({ modelDir: dir, out, dtype: 'q4' as 'f16' }), /--dtype must be f16 or f32/);
  assert.throws(() => exportGguf({ modelDir: join(dir, 'nope'), out }), /checkpoint directory not found/);
});

test('the reader rejects files that are not GGUF and reports a truncated header as incomplete', () => {
  const { dir } = randomCheckpoint();
  const out = join(dir, '..', 'm.gguf');
  exportGguf({ modelDir: dir, out });
  const buf = readFileSync(out);
  assert.equal(parseGgufHeader(buf.subarray(0, 100)), undefined);
  assert.throws(() => parseGgufHeader(Buffer.from('PK\x03\x04 not gguf at all')), /not a GGUF file/);
});

test('`parley export gguf` is registered on the export group and writes the file', async () => {
  const { Command } = await import('commander');
  const { registerGgufExport } = await import('./gguf-export-command.ts');
  const { dir } = randomCheckpoint();
  const out = join(dir, '..', 'cli.gguf');
  const program = new Command('parley').exitOverride();
  registerGgufExport(program.command('export'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    await program.parseAsync(['export', 'gguf', '--model', dir, '--out', out, '--dtype', 'f32'], { from: 'user' });
  } finally {
    console.log = log;
  }
  assert.match(lines[0], /wrote .*cli\.gguf: 21 tensors \(f32\), vocabulary 300, pre-tokenizer llama-bpe/);
  assert.equal(parseGgufHeader(readFileSync(out))!.metadata.get('general.file_type'), 0);
});

test('an independent GGUF parser (@huggingface/gguf) reads our file the same way, with typed metadata', async () => {
  const { gguf, GGUFValueType } = await import('@huggingface/gguf');
  const { dir, tensors } = randomCheckpoint();
  const out = join(dir, '..', 'hf-check.gguf');
  exportGguf({ modelDir: dir, out, dtype: 'f16' });
  const theirs = await gguf(out, { allowLocalFile: true, typedMetadata: true, computeParametersCount: true });
  const ours = parseGgufHeader(readFileSync(out))!;
  assert.equal(theirs.metadata.version, 3);
  assert.equal(Number(theirs.metadata.tensor_count), ours.tensors.length);
  assert.equal(theirs.metadata['general.architecture'], 'llama');
  assert.equal(theirs.typedMetadata['llama.block_count'].type, GGUFValueType.UINT32);
  assert.equal(theirs.typedMetadata['llama.rope.freq_base'].type, GGUFValueType.FLOAT32);
  assert.equal(theirs.typedMetadata['tokenizer.ggml.add_bos_token'].type, GGUFValueType.BOOL);
  for (const [key, value] of ours.metadata) {
    const t: unknown = (theirs.metadata as Record<string, unknown>)[key];
    if (typeof value === 'number') assert.ok(Math.abs(Number(t) - value) < 1e-6, key);
    else assert.deepEqual(t, value, key);
  }
  assert.deepEqual(
    theirs.tensorInfos.map((t) => ({ name: t.name, dims: t.shape.map(Number), type: Number(t.dtype), offset: Number(t.offset) })),
    ours.tensors,
  );
  const params = [...tensors.values()].reduce((a, t) => a + t.data.length, 0);
  assert.equal(theirs.parameterCount, params);
});
