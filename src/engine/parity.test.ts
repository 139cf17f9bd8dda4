// Parity with PyTorch (llm.c's test_gpt2 pattern): the fixtures under fixtures/ hold small random
// Llama checkpoints and what a float64 PyTorch reimplementation of HF LlamaForCausalLM computes for
// them: logits, final hidden state, loss, per-token log-probs, masked loss and every parameter's
// gradient (see fixtures/README.md and bench/torch/llama_reference.py).
//
// Tolerances: the fixtures record that PyTorch itself in float32 lands ≈ 2.4e-6 (logits, abs) and
// ≈ 1.6e-6 (gradients, relative to the tensor's largest entry) from the float64 reference. Our
// kernels sum in other orders (SIMD lanes, blocked matmuls), which moves float32 results by a few
// ulps more (measured: ≤ 1.5e-6 relative on gradients, ≤ 2e-7 on the loss), so we allow ~5× PyTorch's
// own float32 drift: 1e-5 on logits and log-probs, 1e-5 on the loss, and 1e-5·max|ref| per
// gradient tensor. A wrong rotary pairing, mask or transpose gives errors of order 1e-1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine } from './ops.ts';
import { readSafetensors, asFloat, asInt } from './safetensors.ts';
import { loadModel } from './load-model.ts';
import { lmLoss, tokenLogprobs } from './heads.ts';
import { f32 } from './memory.ts';

before(() => initEngine());
after(() => shutdownEngine());

const here = dirname(fileURLToPath(import.meta.url));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of ['llama-untied', 'llama-tied', 'llama-gqa', 'llama-tied-bf16', 'llama-tied-f16']) {
  test(`matches PyTorch: ${name}`, () => {
    const dir = join(here, 'fixtures', name);
    const file = join(dir, 'reference.safetensors');
    const ref = readSafetensors(file);
    const get = (n: string) => asFloat(ref.get(n), file, n).data;
    const { model } = loadModel(dir);
    const c = model.config;
    const [B, T] = ref.get('input_ids')!.shape;
    const ids = asInt(ref.get('input_ids'), file, 'input_ids').data;
    const targets = asInt(ref.get('targets'), file, 'targets').data; // -100 = ignore, as in HF

    // Forward: logits and the final hidden state.
    const acts = model.forward(ids, B, T);
    assert.ok(maxAbsDiff(f32(acts.logits, B * T * c.vocabSize).slice(), get('logits')) < 1e-5, 'logits');
    assert.ok(maxAbsDiff(f32(acts.lnf, B * T * c.hiddenSize).slice(), get('hidden')) < 1e-5, 'hidden');

    // Per-token log-probs and the masked loss.
    const lp = tokenLogprobs(model, { B, T, ids, targets }).logprobs;
    assert.ok(maxAbsDiff(lp, get('target_logprobs')) < 1e-5, 'target_logprobs');
    const masked = lmLoss(model, { B, T, ids, targets, weights: get('loss_weights') }).loss;
    assert.ok(Math.abs(masked - get('masked_loss')[0]) < 1e-5, `masked loss ${masked} vs ${get('masked_loss')[0]}`);

    // Loss and every parameter gradient.
    model.enableGrads();
    model.zeroGrads();
    const { loss } = lmLoss(model, { B, T, ids, targets }, { grad: true });
    assert.ok(Math.abs(loss - get('loss')[0]) < 1e-5, `loss ${loss} vs ${get('loss')[0]}`);
    let checked = 0;
    for (const p of model.layout.list) {
      if (p.name === 'lm_head.weight' && c.tieWordEmbeddings) continue;
      const want = get(`grad.${p.name}`);
      let scale = 0;
      for (const v of want) scale = Math.max(scale, Math.abs(v));
      const err = maxAbsDiff(model.view(p.name, true).slice(), want);
      assert.ok(err <= 1e-5 * scale + 1e-9, `grad ${p.name}: max error ${err} (largest entry ${scale})`);
      checked++;
    }
    assert.equal(checked, [...ref.keys()].filter((k) => k.startsWith('grad.')).length, 'every reference gradient was compared');
    model.dispose();
  });
}
