// Checkpoint directory ⇄ LlamaModel: the glue between checkpoint.ts (files, names, shapes) and the
// model's flat parameter block.
import { loadCheckpoint, saveCheckpoint, hasScalarHead, type SaveExtra, type HfLlamaConfig as HfConfig } from './checkpoint.ts';
import { parseLlamaConfig, toHfConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { join } from 'node:path';

export interface LoadedModel {
  model: LlamaModel;
  /** config.json as found (eos/bos ids and other fields the engine does not use). */
  hfConfig: Record<string, unknown>;
  tokenizerPath?: string;
  parley?: Record<string, unknown>;
}

/** Loads an HF-layout checkpoint directory into a model (a scalar head if config.json declares one). */
export function loadModel(dir: string): LoadedModel {
  const ck = loadCheckpoint(dir);
  const config = parseLlamaConfig(ck.config, join(dir, 'config.json'));
  const scalarHead = hasScalarHead(ck.config as HfConfig);
  const model = LlamaModel.fromTensors(config, ck.tensors, { scalarHead }, dir);
  return { model, hfConfig: ck.config, tokenizerPath: ck.tokenizerPath, parley: ck.parley };
}

/** Saves a model as an HF-layout checkpoint (float32). `hfConfig` fields (eos ids…) are kept. */
export function saveModel(dir: string, model: LlamaModel, extra: SaveExtra & { hfConfig?: Record<string, unknown> } = {}): void {
  const tensors = model.toTensors();
  if (model.config.tieWordEmbeddings) tensors.delete('lm_head.weight');
  saveCheckpoint(dir, { ...extra.hfConfig, ...toHfConfig(model.config) }, tensors, extra);
}
