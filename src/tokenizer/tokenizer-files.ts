// A tokenizer on disk, in HF layout: DIR/tokenizer.json and DIR/tokenizer_config.json (special token
// names and the chat template), as in any HF model directory.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PARLEY_CHAT_TEMPLATE } from './chat-template.ts';
import { readHfTokenizerJson, writeHfTokenizerJson } from './hf-json.ts';
import { SPECIAL } from './special-tokens.ts';
import { Tokenizer } from './tokenizer.ts';
import { UserError } from '../util/errors.ts';

export interface TokenizerConfig {
  chat_template?: string;
  bos_token?: string | { content: string };
  eos_token?: string | { content: string };
  pad_token?: string | { content: string };
  [key: string]: unknown;
}

export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  config: TokenizerConfig; // {} when the directory has no tokenizer_config.json
}

/** Reads DIR/tokenizer.json (and tokenizer_config.json if present). Bad files give a UserError. */
export function loadTokenizer(dir: string): LoadedTokenizer {
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) throw new UserError(`no tokenizer.json in ${dir}`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(readHfTokenizerJson(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new UserError(`${path}: ${(e as Error).message}`);
  }
  const configPath = join(dir, 'tokenizer_config.json');
  let config: TokenizerConfig = {};
  if (existsSync(configPath)) {
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8')) as TokenizerConfig;
    } catch (e) {
      throw new UserError(`${configPath} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return { tokenizer, config };
}

/** The tokenizer_config.json Parley writes for its own tokenizers. */
export function parleyTokenizerConfig(tokenizer: Tokenizer): TokenizerConfig {
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const a of tokenizer.spec.added) {
    addedTokensDecoder[String(a.id)] = { content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: a.special };
  }
  return {
    added_tokens_decoder: addedTokensDecoder,
    bos_token: SPECIAL.begin,
    eos_token: SPECIAL.endOfTurn,
    pad_token: SPECIAL.pad,
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 1_000_000_000,
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template: PARLEY_CHAT_TEMPLATE,
  };
}

/** Writes tokenizer.json and tokenizer_config.json into DIR (created if needed). */
export function saveTokenizer(tokenizer: Tokenizer, dir: string, config: TokenizerConfig = parleyTokenizerConfig(tokenizer)): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), writeHfTokenizerJson(tokenizer.spec) + '\n');
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
}
