import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkTensors, expectedTensors, loadCheckpoint, saveCheckpoint, type Tensor,
} from './checkpoint.ts';
import { readSafetensors, writeSafetensors, asFloat, asInt } from './safetensors.ts';
import { parseHfConfig } from './config.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const root = mkdtempSync(join(tmpdir(), 'parley-ckpt-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `c${n++}`);

const tiny = {
  vocab_size: 11, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 10000, rms_norm_eps: 1e-5,
  max_position_embeddings: 32, tie_word_embeddings: false,
};

/** Random tensors with exactly the names and shapes a config expects. */
function randomTensors(config: Record<string, unknown>, seed = 1): Map<string, Tensor> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const out = new Map<string, Tensor>();
  for (const e of expectedTensors(parseHfConfig(config))) {
    if (e.optional) continue;
    const size = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, { shape: e.shape, data: Float32Array.from({ length: size }, rand) });
  }
  return out;
}

function assertSameTensors(a: Map<string, Tensor>, b: Map<string, Tensor>): void {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, t] of a) {
    assert.deepEqual(b.get(k)!.shape, t.shape, k);
    assert.deepEqual(b.get(k)!.data, t.data, k);
  }
}

test('expectedTensors lists HF names and [out, in] shapes, GQA and tying included', () => {
  const e = new Map(expectedTensors(parseHfConfig(tiny)).map((t) => [t.name, t]));
  assert.equal(e.size, 1 + 2 * 9 + 1 + 1);
  assert.deepEqual(e.get('model.embed_tokens.weight')!.shape, [11, 8]);
  assert.deepEqual(e.get('model.layers.1.self_attn.q_proj.weight')!.shape, [8, 8]);
  assert.deepEqual(e.get('model.layers.1.self_attn.k_proj.weight')!.shape, [4, 8]); // 2 kv heads × hd 2
  assert.deepEqual(e.get('model.layers.0.self_attn.o_proj.weight')!.shape, [8, 8]);
  assert.deepEqual(e.get('model.layers.0.mlp.down_proj.weight')!.shape, [8, 12]);
  assert.deepEqual(e.get('lm_head.weight'), { name: 'lm_head.weight', shape: [11, 8], optional: false });
  const tied = new Map(expectedTensors(parseHfConfig({ ...tiny, tie_word_embeddings: true })).map((t) => [t.name, t]));
  assert.equal(tied.get('lm_head.weight')!.optional, true);
  const headDim = expectedTensors(parseHfConfig({ ...tiny, head_dim: 6 }));
  assert.deepEqual(headDim.find((t) => t.name.endsWith('0.self_attn.q_proj.weight'))!.shape, [24, 8]);
  assert.deepEqual(headDim.find((t) => t.name.endsWith('0.self_attn.o_proj.weight'))!.shape, [8, 24]);
  const scalar = expectedTensors(parseHfConfig({ ...tiny, architectures: ['LlamaForSequenceClassification'] }));
  assert.deepEqual(scalar.slice(-2), [{ name: 'score.weight', shape: [1, 8] }, { name: 'score.bias', shape: [1], optional: true }]);
});

test('the committed PyTorch fixtures load, with exactly the tensors their configs call for', () => {
  const dirs = readdirSync(fixtures).filter((d) => existsSync(join(fixtures, d, 'config.json')));
  assert.deepEqual(dirs.sort(), ['llama-gqa', 'llama-tied', 'llama-tied-bf16', 'llama-tied-f16', 'llama-untied']);
  for (const d of dirs) {
    const ck = loadCheckpoint(join(fixtures, d));
    const config = parseHfConfig(ck.config);
    const expected = expectedTensors(config).filter((e) => !e.optional);
    assert.deepEqual([...ck.tensors.keys()].sort(), expected.map((e) => e.name).sort(), d);
    for (const e of expected) assert.deepEqual(ck.tensors.get(e.name)!.shape, e.shape, `${d} ${e.name}`);
    // The reference file has a gradient of the same shape for every parameter, and B×T ids in the vocab.
    const ref = readSafetensors(join(fixtures, d, 'reference.safetensors'));
    for (const [name, t] of ck.tensors) assert.deepEqual(ref.get(`grad.${name}`)?.shape, t.shape, `${d} grad.${name}`);
    const ids = asInt(ref.get('input_ids'), d, 'input_ids');
    assert.ok(ids.data.every((id) => id >= 0 && id < config.vocab_size));
    assert.deepEqual(ref.get('logits')!.shape, [...ids.shape, config.vocab_size]);
  }
  const gqa = parseHfConfig(loadCheckpoint(join(fixtures, 'llama-gqa')).config);
  assert.ok(gqa.num_key_value_heads < gqa.num_attention_heads);
});

test('BF16 and F16 fixtures hold the F32 weights rounded to those formats', () => {
  const f32 = loadCheckpoint(join(fixtures, 'llama-tied')).tensors;
  const bf16 = loadCheckpoint(join(fixtures, 'llama-tied-bf16')).tensors;
  const f16 = loadCheckpoint(join(fixtures, 'llama-tied-f16')).tensors;
  const u32 = new Uint32Array(1), f = new Float32Array(u32.buffer);
  let differs = 0;
  for (const [name, t] of f32) {
    const b = bf16.get(name)!.data, h = f16.get(name)!.data;
    for (let i = 0; i < t.data.length; i++) {
      // Round-to-nearest-even to the top 16 bits, as torch's .to(bfloat16) does for finite values.
      f[0] = t.data[i];
      u32[0] = (u32[0] + 0x7fff + ((u32[0] >>> 16) & 1)) & 0xffff0000;
      assert.equal(b[i], f[0], `${name}[${i}] bf16`);
      const halfUlp = Math.max(2 ** -25, 2 ** (Math.floor(Math.log2(Math.abs(t.data[i]))) - 11));
      assert.ok(Math.abs(h[i] - t.data[i]) <= halfUlp, `${name}[${i}] f16 ${h[i]} vs ${t.data[i]}`);
      if (h[i] !== t.data[i]) differs++;
    }
  }
  assert.ok(differs > 1000, 'the F16 copy really is rounded');
});

test('save → load round trip keeps every bit, the config, provenance and tokenizer', () => {
  const dir = fresh();
  const tensors = randomTensors(tiny);
  const tok = join(root, 'tokenizer.json');
  writeFileSync(tok, '{"model":{"type":"BPE"}}');
  saveCheckpoint(dir, { ...tiny, bos_token_id: 1, eos_token_id: 2 }, tensors, { parley: { stage: 'sft', parent: 'x' }, tokenizerPath: tok });
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'parley.json', 'tokenizer.json']);
  const ck = loadCheckpoint(dir);
  assertSameTensors(tensors, ck.tensors);
  assert.deepEqual(ck.config.architectures, ['LlamaForCausalLM']);
  assert.equal(ck.config.model_type, 'llama');
  assert.equal(ck.config.torch_dtype, 'float32');
  assert.equal(ck.config.num_key_value_heads, 2);
  assert.equal(ck.config.eos_token_id, 2);
  assert.deepEqual(ck.parley, { stage: 'sft', parent: 'x' });
  assert.equal(readFileSync(ck.tokenizerPath!, 'utf-8'), '{"model":{"type":"BPE"}}');
  assert.ok(!readdirSync(root).some((f) => f.includes('.tmp-') || f.includes('.old-')), 'no temporary dirs left');
});

test('tied and scalar-head checkpoints round trip with the right architecture', () => {
  const tiedCfg = { ...tiny, tie_word_embeddings: true };
  const tied = randomTensors(tiedCfg, 2);
  assert.ok(!tied.has('lm_head.weight'));
  const d1 = fresh();
  saveCheckpoint(d1, tiedCfg, tied);
  assertSameTensors(tied, loadCheckpoint(d1).tensors);

  const reward = randomTensors(tiny, 3);
  reward.set('score.weight', { shape: [1, 8], data: Float32Array.from({ length: 8 }, (_, i) => i) });
  reward.set('score.bias', { shape: [1], data: Float32Array.of(0.5) });
  const d2 = fresh();
  saveCheckpoint(d2, tiny, reward);
  const ck = loadCheckpoint(d2);
  assert.deepEqual(ck.config.architectures, ['LlamaForSequenceClassification']);
  assert.equal(ck.config.num_labels, 1);
  assertSameTensors(reward, ck.tensors);
});

test('saving over a checkpoint replaces it whole and keeps unrelated files', () => {
  const dir = fresh();
  saveCheckpoint(dir, tiny, randomTensors(tiny, 4), { parley: { v: 1 } });
  writeFileSync(join(dir, 'report.md'), '# run report');
  writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), 'stale shard');
  const second = randomTensors(tiny, 5);
  saveCheckpoint(dir, tiny, second, { parley: { v: 2 } });
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'parley.json', 'report.md']);
  assertSameTensors(second, loadCheckpoint(dir).tensors);
  assert.deepEqual(loadCheckpoint(dir).parley, { v: 2 });
});

test('a save with wrong tensors is refused and leaves nothing behind', () => {
  const dir = fresh();
  const t = randomTensors(tiny);
  t.delete('model.layers.1.mlp.up_proj.weight');
  t.set('model.norm.weight', { shape: [9], data: new Float32Array(9) });
  assert.throws(() => saveCheckpoint(dir, tiny, t),
    /missing tensors: model\.layers\.1\.mlp\.up_proj\.weight; wrong shapes: model\.norm\.weight is \[9\], config says \[8\]/);
  assert.ok(!existsSync(dir));
  assert.throws(() => saveCheckpoint(fresh(), { ...tiny, num_key_value_heads: 3 }, t), /not a multiple of num_key_value_heads 3/);
});

function shardedCheckpoint(): { dir: string; tensors: Map<string, Tensor> } {
  const dir = fresh();
  const tensors = randomTensors(tiny, 6);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...tiny, model_type: 'llama' }));
  const names = [...tensors.keys()];
  const shards = [names.slice(0, 7), names.slice(7)];
  const weightMap: Record<string, string> = {};
  shards.forEach((list, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), list.map((nm) => [nm, tensors.get(nm)!] as const));
    for (const nm of list) weightMap[nm] = file;
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  return { dir, tensors };
}

test('sharded checkpoints load through model.safetensors.index.json', () => {
  const { dir, tensors } = shardedCheckpoint();
  assertSameTensors(tensors, loadCheckpoint(dir).tensors);
});

test('bad sharded indexes name the index, shard and tensor', () => {
  const index = (dir: string) => join(dir, 'model.safetensors.index.json');
  const edit = (dir: string, f: (m: Record<string, string>) => void) => {
    const j = JSON.parse(readFileSync(index(dir), 'utf-8'));
    f(j.weight_map);
    writeFileSync(index(dir), JSON.stringify(j));
  };
  let c = shardedCheckpoint();
  rmSync(join(c.dir, 'model-00002-of-00002.safetensors'));
  assert.throws(() => loadCheckpoint(c.dir), /model-00002-of-00002\.safetensors: weights file missing/);
  c = shardedCheckpoint();
  edit(c.dir, (m) => { m['model.norm.weight'] = 'model-00001-of-00002.safetensors'; });
  assert.throws(() => loadCheckpoint(c.dir), /model-00001-of-00002\.safetensors: tensor "model\.norm\.weight" is not in this file/);
  c = shardedCheckpoint();
  edit(c.dir, (m) => { m['model.norm.weight'] = '../elsewhere.safetensors'; });
  assert.throws(() => loadCheckpoint(c.dir), /index\.json: tensor "model\.norm\.weight" maps to "\.\.\/elsewhere\.safetensors", not a file name/);
  c = shardedCheckpoint();
  writeFileSync(index(c.dir), '{"metadata":{}}');
  assert.throws(() => loadCheckpoint(c.dir), /index\.json: no "weight_map" object/);
});

test('checkpoint problems are reported by file and tensor name', () => {
  const good = () => {
    const dir = fresh();
    saveCheckpoint(dir, tiny, randomTensors(tiny));
    return dir;
  };
  const rewrite = (dir: string, f: (t: Map<string, Tensor>) => void) => {
    const t = new Map([...readSafetensors(join(dir, 'model.safetensors'))].map(([k, v]) => [k, asFloat(v, dir, k) as Tensor]));
    f(t);
    writeSafetensors(join(dir, 'model.safetensors'), t);
  };
  assert.throws(() => loadCheckpoint(join(root, 'nowhere')), /nowhere: checkpoint directory not found/);
  let dir = good();
  rmSync(join(dir, 'config.json'));
  assert.throws(() => loadCheckpoint(dir), /config\.json: missing/);
  dir = good();
  writeFileSync(join(dir, 'config.json'), '{"vocab_size": 11,');
  assert.throws(() => loadCheckpoint(dir), /config\.json: not valid JSON/);
  dir = good();
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'pytorch_model.bin'), '');
  assert.throws(() => loadCheckpoint(dir), /no model\.safetensors or model\.safetensors\.index\.json \(only PyTorch pickle weights/);

  dir = good();
  rewrite(dir, (t) => t.delete('model.layers.0.self_attn.v_proj.weight'));
  assert.throws(() => loadCheckpoint(dir), (e: Error) => e.name === 'UserError' && e.message.includes(dir) &&
    /missing tensors: model\.layers\.0\.self_attn\.v_proj\.weight$/.test(e.message));
  // The check can be skipped, e.g. to inspect a broken checkpoint.
  assert.equal(loadCheckpoint(dir, { check: false }).tensors.has('model.layers.0.self_attn.v_proj.weight'), false);

  dir = good();
  rewrite(dir, (t) => t.set('model.layers.1.self_attn.k_proj.weight', { shape: [8, 8], data: new Float32Array(64) }));
  assert.throws(() => loadCheckpoint(dir), /wrong shapes: model\.layers\.1\.self_attn\.k_proj\.weight is \[8, 8\], config says \[4, 8\]/);

  dir = good();
  rewrite(dir, (t) => t.set('model.layers.0.self_attn.q_proj.bias', { shape: [8], data: new Float32Array(8) }));
  assert.throws(() => loadCheckpoint(dir), /unexpected tensors: model\.layers\.0\.self_attn\.q_proj\.bias/);

  // HF's rotary inv_freq buffers are skipped, not loaded and not reported.
  dir = good();
  rewrite(dir, (t) => t.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [1], data: new Float32Array(1) }));
  assert.equal(loadCheckpoint(dir).tensors.has('model.layers.0.self_attn.rotary_emb.inv_freq'), false);

  dir = good();
  const ints = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>(
    [...readSafetensors(join(dir, 'model.safetensors'))].map(([k, v]) => [k, { shape: v.shape, data: v.data }]));
  ints.set('model.norm.weight', { shape: [8], data: new Int32Array(8) });
  writeSafetensors(join(dir, 'model.safetensors'), ints);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors: tensor "model\.norm\.weight" has dtype I32, expected a float tensor/);
});

test('configs the engine cannot run are refused by field', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...tiny, hidden_size: undefined }, /"hidden_size" is missing/],
    [{ ...tiny, num_attention_heads: 3 }, /hidden_size 8 is not divisible by num_attention_heads 3/],
    [{ ...tiny, rope_scaling: { rope_type: 'llama3', factor: 8 } }, /"rope_scaling" .*only plain rotary/],
    [{ ...tiny, attention_bias: true }, /"attention_bias" is true/],
    [{ ...tiny, rope_interleaved: true }, /"rope_interleaved" is true/],
    [{ ...tiny, hidden_act: 'gelu' }, /"hidden_act" is "gelu"/],
    [{ ...tiny, model_type: 'gpt2' }, /"model_type" is "gpt2"/],
    [{ ...tiny, rms_norm_eps: -1 }, /"rms_norm_eps" must be a positive number/],
    [{ ...tiny, head_dim: 3 }, /head_dim 3 must be even/],
    [{ ...tiny, tie_word_embeddings: 'yes' }, /"tie_word_embeddings" must be true or false/],
  ];
  for (const [cfg, re] of cases) assert.throws(() => parseHfConfig(cfg, 'x/config.json'), re);
  // HF defaults fill what a minimal config leaves out.
  const c = parseHfConfig({ vocab_size: 5, hidden_size: 4, intermediate_size: 6, num_hidden_layers: 1, num_attention_heads: 2 });
  assert.deepEqual([c.num_key_value_heads, c.head_dim, c.rope_theta, c.rms_norm_eps, c.tie_word_embeddings], [2, 2, 10000, 1e-6, false]);
  const p = checkTensors(expectedTensors(c), new Map([['model.norm.weight', { shape: [4] }], ['extra', { shape: [1] }]]));
  assert.equal(p.missing.length, expectedTensors(c).length - 1);
  assert.deepEqual(p.unexpected, ['extra']);
});

test("a real HF config (SmolLM2-135M's config.json) is accepted and sized right", () => {
  const smol = {
    architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 0, eos_token_id: 0,
    hidden_act: 'silu', hidden_size: 576, initializer_range: 0.041666666666666664, intermediate_size: 1536,
    is_llama_config: true, max_position_embeddings: 8192, mlp_bias: false, model_type: 'llama', num_attention_heads: 9,
    num_hidden_layers: 30, num_key_value_heads: 3, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_interleaved: false,
    rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16',
    transformers_version: '4.42.3', use_cache: true, vocab_size: 49152,
  };
  const expected = expectedTensors(parseHfConfig(smol)).filter((e) => !e.optional);
  const params = expected.reduce((sum, e) => sum + e.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(params, 134_515_008);
  assert.deepEqual(expected.find((e) => e.name === 'model.layers.29.self_attn.k_proj.weight')!.shape, [192, 576]);
});

test('each fixture reference is self-consistent: losses and log-probs follow from its logits', () => {
  for (const d of ['llama-untied', 'llama-tied', 'llama-gqa', 'llama-tied-bf16', 'llama-tied-f16']) {
    const file = join(fixtures, d, 'reference.safetensors');
    const ref = readSafetensors(file);
    const f = (name: string) => asFloat(ref.get(name), file, name).data;
    const ids = asInt(ref.get('input_ids'), file, 'input_ids');
    const targets = asInt(ref.get('targets'), file, 'targets').data;
    const [B, T] = ids.shape;
    const logits = f('logits'), tokenLoss = f('token_loss'), logp = f('target_logprobs'), w = f('loss_weights');
    const V = logits.length / (B * T);
    let sum = 0, count = 0, wsum = 0, wloss = 0;
    for (let r = 0; r < B * T; r++) {
      const t = targets[r];
      if (r % T === T - 1) assert.equal(t, -100, `${d}: last column is ignored`);
      else assert.equal(t, ids.data[r + 1], `${d}: targets are the next input ids`);
      if (t < 0) {
        assert.equal(tokenLoss[r], 0);
        continue;
      }
      // −log softmax(logits[r])[t] in float64
      const row = logits.subarray(r * V, (r + 1) * V);
      const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
      const lse = max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0));
      const ce = lse - row[t];
      assert.ok(Math.abs(ce - tokenLoss[r]) < 2e-5, `${d} row ${r}: ${ce} vs ${tokenLoss[r]}`);
      assert.equal(logp[r], -tokenLoss[r]);
      sum += ce; count++; wsum += w[r]; wloss += w[r] * ce;
    }
    assert.ok(Math.abs(sum / count - f('loss')[0]) < 1e-5, `${d}: loss is the mean token loss`);
    assert.ok(wsum > 0 && wsum < count, `${d}: the mask masks some but not all targets`);
    assert.ok(Math.abs(wloss / wsum - f('masked_loss')[0]) < 1e-5, `${d}: masked_loss`);
  }
});
