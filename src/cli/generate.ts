// `parley generate --model DIR --ids 5,17,3 --max-tokens 12 --temperature 0`: continues a token
// sequence with a checkpoint and prints {"ids":[<new ids only>]} as one JSON line. By default it stops at
// the model's end-of-turn / end-of-sequence tokens (the chat format's stop tokens when the checkpoint's
// tokenizer has Parley's specials, else config.json's eos_token_id), so a chat prompt gives one reply.
import type { Command } from 'commander';
import { parseIdList, parseInteger, parseNumber, checkVocab } from './lib/engine-flags.ts';

interface Flags {
  model: string; ids: string; maxTokens: string; temperature: string; topK: string; topP: string;
  repetitionPenalty: string; frequencyPenalty: string; presencePenalty: string; seed?: string; stop?: string;
  logprobs?: boolean; stopEos: boolean;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('continue a token sequence: prints {"ids":[<new ids only>]}; stops at the end-of-turn token unless --no-stop-eos')
    .requiredOption('--model <dir>', 'checkpoint directory (HF layout: config.json + model.safetensors)')
    .requiredOption('--ids <ids>', 'prompt token ids, comma-separated (e.g. 5,17,3)')
    .option('--max-tokens <n>', 'tokens to generate at most', '16')
    .option('--temperature <t>', 'sampling temperature; 0 = greedy', '1')
    .option('--top-k <k>', 'sample among the k most likely tokens; 0 = off', '0')
    .option('--top-p <p>', 'nucleus sampling mass in (0, 1]; 1 = off', '1')
    .option('--repetition-penalty <r>', 'divide logits of tokens already seen (prompt or output) by r; 1 = off', '1')
    .option('--frequency-penalty <f>', 'subtract f per earlier occurrence in the output', '0')
    .option('--presence-penalty <p>', 'subtract p from tokens already in the output', '0')
    .option('--seed <n>', 'seed for sampling (the same seed gives the same output)')
    .option('--stop <ids>', 'comma-separated token ids that end generation (not printed)')
    .option('--no-stop-eos', "don't stop at the model's end-of-turn / end-of-sequence tokens (by default generation " +
      "ends there when the checkpoint has a tokenizer with Parley's chat specials or config.json names eos_token_id)")
    .option('--logprobs', 'also print "logprobs" (log p of each new token) and "finish_reason"')
    .action(async (o: Flags) => {
      const ids = parseIdList('--ids', o.ids);
      const opts = {
        maxTokens: parseInteger('--max-tokens', o.maxTokens, 0, 1 << 20),
        temperature: parseNumber('--temperature', o.temperature),
        topK: parseInteger('--top-k', o.topK, 0),
        topP: parseNumber('--top-p', o.topP), // ranges are checked by validateSampler
        repetitionPenalty: parseNumber('--repetition-penalty', o.repetitionPenalty),
        frequencyPenalty: parseNumber('--frequency-penalty', o.frequencyPenalty),
        presencePenalty: parseNumber('--presence-penalty', o.presencePenalty),
        seed: o.seed === undefined ? undefined : parseInteger('--seed', o.seed, 0, 2 ** 32 - 1),
        stopIds: o.stop === undefined ? [] : parseIdList('--stop', o.stop),
      };
      const { initEngine } = await import('../engine/ops.ts');
      const { loadModel } = await import('../engine/load-model.ts');
      const { generate } = await import('../engine/generate.ts');
      await initEngine();
      const { modelStopIds } = await import('./lib/model-stops.ts');
      const { model, hfConfig, tokenizerPath } = loadModel(o.model);
      checkVocab('--ids', ids, model.config.vocabSize);
      checkVocab('--stop', opts.stopIds, model.config.vocabSize);
      if (o.stopEos) {
        const extra = modelStopIds(hfConfig, tokenizerPath).filter((id) => id < model.config.vocabSize);
        opts.stopIds = [...new Set([...opts.stopIds, ...extra])];
      }
      const [g] = generate(model, [ids], opts);
      const out: Record<string, unknown> = { ids: g.ids };
      if (o.logprobs) Object.assign(out, { logprobs: g.logprobs, finish_reason: g.finishReason });
      process.stdout.write(JSON.stringify(out) + '\n');
    });
}
