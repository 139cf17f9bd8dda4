// `parley tokenizer train|encode|decode`: train a byte-level BPE tokenizer on text files and use it.
// The tokenizer directory holds tokenizer.json and tokenizer_config.json (HF layout), so it can also be
// an HF model directory.
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UserError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** "1,2,3", "1 2 3" or "[1,2,3]" → numbers; anything that is not an integer is named. */
export function parseIds(text: string): number[] {
  const parts = text.replace(/^\s*\[|\]\s*$/g, '').split(/[\s,]+/).filter((p) => p.length > 0);
  return parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new UserError(`--ids: ${JSON.stringify(p)} is not a token id (ids are whole numbers)`);
    return Number(p);
  });
}

export function register(program: Command): void {
  const cmd = program.command('tokenizer').description('train, encode and decode with a byte-level BPE tokenizer');

  cmd
    .command('train')
    .description("train a tokenizer with Parley's special tokens on text files")
    .requiredOption('--input <files...>', 'UTF-8 text files to learn from')
    .requiredOption('--vocab <n>', 'vocabulary size, special tokens and the 256 bytes included')
    .requiredOption('--out <dir>', 'directory to write tokenizer.json and tokenizer_config.json to')
    .option('--min-frequency <n>', 'never merge pairs seen fewer times than this', '1')
    .action(async (opts: { input: string[]; vocab: string; out: string; minFrequency: string }) => {
      const { existsSync, readFileSync, statSync } = await import('node:fs');
      const { SPECIAL_TOKENS } = await import('../tokenizer/special-tokens.ts');
      const { trainTokenizer } = await import('../tokenizer/train.ts');
      const { saveTokenizer } = await import('../tokenizer/tokenizer-files.ts');
      const vocabSize = positiveInt(opts.vocab, '--vocab');
      const minimum = SPECIAL_TOKENS.length + 256;
      if (vocabSize < minimum) {
        throw new UserError(`--vocab ${vocabSize} is too small: it must be at least ${minimum} (${SPECIAL_TOKENS.length} special tokens + 256 bytes)`);
      }
      const minFrequency = positiveInt(opts.minFrequency, '--min-frequency');
      for (const f of opts.input) {
        if (!existsSync(f) || !statSync(f).isFile()) throw new UserError(`--input: no such file ${f}`);
      }
      const texts = opts.input.map((f) => readFileSync(f, 'utf8'));
      const started = performance.now();
      const tokenizer = trainTokenizer(texts, {
        vocabSize,
        specialTokens: SPECIAL_TOKENS,
        minFrequency,
        onProgress: (n, target) => {
          if (process.stderr.isTTY) process.stderr.write(`\rtraining: ${n}/${target} tokens`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      saveTokenizer(tokenizer, opts.out);
      const seconds = (performance.now() - started) / 1000;
      if (tokenizer.vocabSize < vocabSize) {
        console.error(`parley: the input ran out of pairs to merge: vocabulary is ${tokenizer.vocabSize}, not ${vocabSize}`);
      }
      console.log(JSON.stringify({ out: opts.out, vocab: tokenizer.vocabSize, merges: tokenizer.spec.merges.length, seconds: Number(seconds.toFixed(3)) }));
    });

  cmd
    .command('encode')
    .description('print the token ids of a text as {"ids":[...]}')
    .requiredOption('--tokenizer <dir>', 'directory with tokenizer.json')
    .option('--text <s>', 'the text to encode')
    .option('--file <f>', 'a UTF-8 file to encode')
    .option('--allow-special', 'read special tokens spelled in the text as special tokens')
    .action(async (opts: { tokenizer: string; text?: string; file?: string; allowSpecial?: boolean }) => {
      if ((opts.text === undefined) === (opts.file === undefined)) throw new UserError('give exactly one of --text or --file');
      const { existsSync, readFileSync } = await import('node:fs');
      const { loadTokenizer } = await import('../tokenizer/tokenizer-files.ts');
      if (opts.file !== undefined && !existsSync(opts.file)) throw new UserError(`--file: no such file ${opts.file}`);
      const text = opts.text ?? readFileSync(opts.file!, 'utf8');
      const { tokenizer } = loadTokenizer(opts.tokenizer);
      console.log(JSON.stringify({ ids: tokenizer.encode(text, { allowSpecial: Boolean(opts.allowSpecial) }) }));
    });

  cmd
    .command('decode')
    .description('print the text of token ids as {"text": "..."}')
    .requiredOption('--tokenizer <dir>', 'directory with tokenizer.json')
    .requiredOption('--ids <ids>', 'token ids: "1,2,3", "1 2 3" or "[1,2,3]"')
    .option('--skip-special', 'leave special tokens out of the text')
    .action(async (opts: { tokenizer: string; ids: string; skipSpecial?: boolean }) => {
      const { loadTokenizer } = await import('../tokenizer/tokenizer-files.ts');
      const ids = parseIds(opts.ids);
      const { tokenizer } = loadTokenizer(opts.tokenizer);
      for (const id of ids) {
        if (id < 0 || id >= tokenizer.vocabSize || tokenizer.idToToken(id) === undefined) {
          throw new UserError(`--ids: token id ${id} is out of range (this tokenizer has ids 0..${tokenizer.vocabSize - 1})`);
        }
      }
      console.log(JSON.stringify({ text: tokenizer.decode(ids, { skipSpecial: Boolean(opts.skipSpecial) }) }));
    });
}
