// Hugging Face tokenizer.json for byte-level BPE (GPT-2, Llama 3, SmolLM): read into a TokenizerSpec and
// write one back. What is read: model (type "BPE", vocab, merges as "a b" strings or [a, b] arrays,
// ignore_merges), added_tokens, and the pre_tokenizer (ByteLevel, Split, Digits, or a Sequence of them).
// Added tokens are matched by exact content; their lstrip/rstrip/single_word flags are not applied
// (GPT-2, Llama 3 and SmolLM set them all false). Normalizers are not supported (none of these families uses one) and are refused rather than ignored.
// The post_processor (which adds BOS in Llama 3) is not applied: Parley adds BOS through the chat
// template, as HF's apply_chat_template does.
import { type PreTokenizeStep } from './pretokenize.ts';
import { type AddedToken, type TokenizerSpec } from './tokenizer.ts';

type Json = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new Error(`tokenizer.json: ${where}: ${message}`);
}

function readPreTokenizer(node: unknown, where: string): PreTokenizeStep[] {
  if (node === null || node === undefined) return [];
  const p = node as Json;
  switch (p.type) {
    case 'Sequence': {
      const list = p.pretokenizers;
      if (!Array.isArray(list)) fail(where, 'Sequence without a pretokenizers list');
      return list.flatMap((x, i) => readPreTokenizer(x, `${where}.pretokenizers[${i}]`));
    }
    case 'ByteLevel':
      return [{ kind: 'bytelevel', addPrefixSpace: Boolean(p.add_prefix_space), useRegex: p.use_regex !== false }];
    case 'Split': {
      const pat = p.pattern as Json | undefined;
      if (p.behavior !== 'Isolated') fail(where, `Split behavior ${JSON.stringify(p.behavior)} is not supported (only "Isolated")`);
      if (p.invert) fail(where, 'Split with invert: true is not supported');
      if (pat && typeof pat.Regex === 'string') return [{ kind: 'split', pattern: pat.Regex }];
      if (pat && typeof pat.String === 'string') {
        return [{ kind: 'split', pattern: pat.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }];
      }
      return fail(where, 'Split without a Regex or String pattern');
    }
    case 'Digits':
      return [{ kind: 'digits', individual: Boolean(p.individual_digits) }];
    default:
      return fail(where, `pre-tokenizer type ${JSON.stringify(p.type)} is not supported`);
  }
}

/** Parses the text of a tokenizer.json. Throws an Error naming the field that is wrong. */
export function readHfTokenizerJson(text: string): TokenizerSpec {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (e) {
    throw new Error(`tokenizer.json is not valid JSON: ${(e as Error).message}`);
  }
  const model = root.model as Json | undefined;
  if (!model || typeof model !== 'object') fail('model', 'missing');
  if (model.type !== undefined && model.type !== 'BPE') fail('model.type', `${JSON.stringify(model.type)} is not supported (only "BPE")`);
  if (root.normalizer) fail('normalizer', `${JSON.stringify((root.normalizer as Json).type)} is not supported`);
  if (model.byte_fallback) fail('model.byte_fallback', 'byte-fallback BPE (SentencePiece style) is not supported');
  if (model.continuing_subword_prefix || model.end_of_word_suffix) fail('model', 'subword prefixes/suffixes are not supported');

  const vocab = model.vocab as Record<string, number> | undefined;
  if (!vocab || typeof vocab !== 'object') fail('model.vocab', 'missing');
  const tokens: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) fail(`model.vocab[${JSON.stringify(tok)}]`, `id ${id} is not a non-negative integer`);
    tokens[id] = tok;
  }
  const added: AddedToken[] = [];
  const addedList = (root.added_tokens ?? []) as Json[];
  if (!Array.isArray(addedList)) fail('added_tokens', 'not a list');
  addedList.forEach((a, i) => {
    if (typeof a.content !== 'string' || !Number.isInteger(a.id)) fail(`added_tokens[${i}]`, 'needs a string content and an integer id');
    added.push({ id: a.id as number, content: a.content, special: Boolean(a.special) });
    tokens[a.id as number] = a.content;
  });

  const merges: Array<[number, number]> = [];
  const rawMerges = (model.merges ?? []) as unknown[];
  if (!Array.isArray(rawMerges)) fail('model.merges', 'not a list');
  rawMerges.forEach((m, i) => {
    let parts: unknown[];
    if (typeof m === 'string') {
      parts = m.split(' ');
      if (parts.length !== 2) fail(`model.merges[${i}]`, `${JSON.stringify(m)} is not two tokens separated by one space`);
    } else if (Array.isArray(m) && m.length === 2) parts = m;
    else return fail(`model.merges[${i}]`, 'must be "a b" or ["a", "b"]');
    const a = vocab[parts[0] as string], b = vocab[parts[1] as string];
    if (a === undefined || b === undefined) fail(`model.merges[${i}]`, `${JSON.stringify(m)} names a token not in the vocabulary`);
    merges.push([a, b]);
  });

  return {
    tokens,
    merges,
    added,
    preTokenizer: readPreTokenizer(root.pre_tokenizer, 'pre_tokenizer'),
    ignoreMerges: Boolean(model.ignore_merges),
  };
}

function writePreTokenizerStep(step: PreTokenizeStep): Json {
  if (step.kind === 'split') return { type: 'Split', pattern: { Regex: step.pattern }, behavior: 'Isolated', invert: false };
  if (step.kind === 'digits') return { type: 'Digits', individual_digits: step.individual };
  return { type: 'ByteLevel', add_prefix_space: step.addPrefixSpace, trim_offsets: true, use_regex: step.useRegex };
}

/** Serialises a spec as tokenizer.json. `mergePairs` writes merges as [a, b] arrays (the newer form). */
export function writeHfTokenizerJson(spec: TokenizerSpec, options: { mergePairs?: boolean } = {}): string {
  const vocab: Record<string, number> = {};
  spec.tokens.forEach((t, id) => {
    if (t !== undefined) vocab[t] = id;
  });
  const steps = spec.preTokenizer;
  const root = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.added.map((a) => ({
      id: a.id,
      content: a.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: a.special,
    })),
    normalizer: null,
    pre_tokenizer: steps.length === 1 ? writePreTokenizerStep(steps[0]) : { type: 'Sequence', pretokenizers: steps.map(writePreTokenizerStep) },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: Boolean(spec.ignoreMerges),
      vocab,
      merges: spec.merges.map(([a, b]) => (options.mergePairs ? [spec.tokens[a], spec.tokens[b]] : `${spec.tokens[a]} ${spec.tokens[b]}`)),
    },
  };
  return JSON.stringify(root, null, 1);
}
