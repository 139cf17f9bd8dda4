import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLlamaConfig, parseHfConfig, toHfConfig, makeConfig } from './config.ts';

const smol = {
  vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
  num_attention_heads: 9, num_key_value_heads: 3, rms_norm_eps: 1e-5, rope_theta: 100000,
  max_position_embeddings: 8192, tie_word_embeddings: true, hidden_act: 'silu', rope_scaling: null,
};

test('parses an HF Llama config (SmolLM2-135M shape)', () => {
  const c = parseLlamaConfig(smol);
  assert.equal(c.headDim, 64);
  assert.equal(c.numKvHeads, 3);
  assert.equal(c.tieWordEmbeddings, true);
  assert.equal(c.ropeTheta, 100000);
});

test('round-trips through toHfConfig', () => {
  const c = makeConfig({ vocab: 100, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, tied: true });
  assert.deepEqual(parseLlamaConfig(toHfConfig(c)), c);
});

test('defaults num_key_value_heads to num_attention_heads and honours head_dim', () => {
  const { num_key_value_heads: _, ...noKv } = smol;
  assert.equal(parseLlamaConfig(noKv).numKvHeads, 9);
  assert.equal(parseLlamaConfig({ ...smol, head_dim: 128 }).headDim, 128);
});

test('rejects bad configs with the field named', () => {
  assert.throws(() => parseLlamaConfig({ ...smol, vocab_size: undefined }, 'm/config.json'), /m\/config\.json: "vocab_size" is missing/);
  assert.throws(() => parseLlamaConfig({ ...smol, hidden_size: 0 }), /"hidden_size" must be a positive integer/);
  assert.throws(() => parseLlamaConfig({ ...smol, num_key_value_heads: 2 }), /not a multiple of num_key_value_heads 2/);
  assert.throws(() => parseLlamaConfig({ ...smol, hidden_size: 577 }), /not divisible/);
  assert.throws(() => parseLlamaConfig({ ...smol, hidden_act: 'gelu' }), /"hidden_act" is "gelu"/);
  assert.throws(() => parseLlamaConfig({ ...smol, rope_scaling: { type: 'linear' } }), /rope_scaling/);
  assert.throws(() => parseLlamaConfig([]), /config is not a JSON object/);
});

test('the engine path refuses what checkpoints refuse (one validator for both)', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...smol, rope_interleaved: true }, /"rope_interleaved" is true/],
    [{ ...smol, model_type: 'mistral' }, /"model_type" is "mistral"/],
    [{ ...smol, mlp_bias: true }, /"mlp_bias" is true/],
    [{ ...smol, vocab_size: 1.5 }, /"vocab_size" must be a positive integer/],
  ];
  for (const [cfg, re] of cases) {
    assert.throws(() => parseLlamaConfig(cfg, 'a/config.json'), re);
    assert.throws(() => parseHfConfig(cfg, 'a/config.json'), re);
  }
});

test('parseHfConfig keeps HF names and unknown fields, fills defaults, and agrees with parseLlamaConfig', () => {
  const { num_key_value_heads: _, ...noKv } = smol;
  const hf = parseHfConfig({ ...noKv, bos_token_id: 1, custom: 'x' });
  assert.equal(hf.num_key_value_heads, 9);
  assert.equal(hf.head_dim, 64);
  assert.equal(hf.bos_token_id, 1);
  assert.equal(hf.custom, 'x');
  assert.deepEqual(parseLlamaConfig(hf), parseLlamaConfig(noKv));
});
