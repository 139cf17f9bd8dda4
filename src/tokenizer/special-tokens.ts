// Parley's reserved tokens. A trained tokenizer gives them the first ids in this order, so the ids are
// the same for every vocabulary size: <|pad|> is 0, <|begin_of_text|> is 1, and so on.
import type { Tokenizer } from './tokenizer.ts';

export const SPECIAL = {
  pad: '<|pad|>',
  begin: '<|begin_of_text|>',
  endOfTurn: '<|end_of_turn|>',
  system: '<|system|>',
  user: '<|user|>',
  assistant: '<|assistant|>',
  toolCall: '<|tool_call|>',
  toolOutput: '<|tool_output|>',
} as const;

export type SpecialName = keyof typeof SPECIAL;

/** In id order. */
export const SPECIAL_TOKENS: string[] = Object.values(SPECIAL);

export type SpecialIds = Record<SpecialName, number>;

/** The ids of Parley's special tokens in `tokenizer`; throws naming the first one it lacks. */
export function specialIds(tokenizer: Tokenizer): SpecialIds {
  const out = {} as SpecialIds;
  for (const [name, content] of Object.entries(SPECIAL) as Array<[SpecialName, string]>) {
    const id = tokenizer.tokenToId(content);
    if (id === undefined || !tokenizer.isSpecial(id)) {
      throw new Error(`this tokenizer has no special token ${content}: it was not made for Parley's chat format`);
    }
    out[name] = id;
  }
  return out;
}
