// Which token ids end a reply for a checkpoint: Parley's chat stop tokens when its tokenizer.json has
// them (end-of-turn and the role markers, `stopTokenIds`), else HF's eos_token_id from config.json.
import { dirname } from 'node:path';
import { stopTokenIds } from '../../tokenizer/chat.ts';
import { loadTokenizer } from '../../tokenizer/tokenizer-files.ts';
import { SPECIAL } from '../../tokenizer/special-tokens.ts';

/** hfConfig: config.json as found; tokenizerPath: the checkpoint's tokenizer.json, if it has one. */
export function modelStopIds(hfConfig: Record<string, unknown>, tokenizerPath?: string): number[] {
  if (tokenizerPath) {
    const { tokenizer } = loadTokenizer(dirname(tokenizerPath));
    const eot = tokenizer.tokenToId(SPECIAL.endOfTurn);
    // A tokenizer without Parley's specials (an imported HF model) falls through to config.json.
    if (eot !== undefined && tokenizer.isSpecial(eot)) {
      try {
        return stopTokenIds(tokenizer);
      } catch {
        // Some but not all of Parley's specials: only end-of-turn is meaningful then.
        return [eot];
      }
    }
  }
  const eos = hfConfig.eos_token_id;
  const list = Array.isArray(eos) ? eos : [eos];
  return list.filter((v): v is number => Number.isSafeInteger(v) && (v as number) >= 0);
}
