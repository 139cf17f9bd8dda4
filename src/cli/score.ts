// `parley score --model DIR --ids 5,17,3,...`: the mean next-token cross-entropy of a token
// sequence under a checkpoint, and the logits at its last position, as one JSON line.
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { parseIdList, checkVocab } from './lib/engine-flags.ts';

export function register(program: Command): void {
  program
    .command('score')
    .description('score a token sequence: prints {"loss": <mean next-token cross-entropy>, "last_logits": [...]}')
    .requiredOption('--model <dir>', 'checkpoint directory (HF layout: config.json + model.safetensors)')
    .requiredOption('--ids <ids>', 'comma-separated token ids, at least 2 (e.g. 5,17,3)')
    .action(async (o: { model: string; ids: string }) => {
      const ids = parseIdList('--ids', o.ids);
      if (ids.length < 2) throw new UserError('--ids: give at least 2 token ids (the loss predicts each next token)');
      const { initEngine } = await import('../engine/ops.ts');
      const { loadModel } = await import('../engine/load-model.ts');
      const { lmLoss } = await import('../engine/heads.ts');
      const { f32 } = await import('../engine/memory.ts');
      await initEngine();
      const { model } = loadModel(o.model);
      const V = model.config.vocabSize, T = ids.length;
      checkVocab('--ids', ids, V);
      const targets = [...ids.slice(1), -1];
      const { loss } = lmLoss(model, { B: 1, T, ids, targets });
      const last = Array.from(f32(model.acts.logits + (T - 1) * V * 4, V));
      process.stdout.write(JSON.stringify({ loss, last_logits: last }) + '\n');
    });
}
