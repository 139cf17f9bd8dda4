// Generates the world's datasets from a seed: pretraining prose, SFT demonstrations, RL prompts,
// held-out evaluation prompts and statistics. Pure: the same seed and scale give the same strings.
//
//   pretrain.txt   paragraphs separated by blank lines
//   sft.jsonl      {"messages":[...], "meta":{task, intent, ...}}          OpenAI chat format
//   prompts.jsonl  {"prompt":[...], "meta":{...}}                          for RL and best-of-n
//   eval.jsonl     {"prompt":[...], "meta":{..., reference}}               held-out phrasings and entities
//   stats.json     counts per family, unique prompts, characters (and tokens with a tokenizer)
import { Rng } from './rng.ts';
import type { Split, World } from './knowledge/index.ts';
import { pretrainParagraphs } from './pretrain.ts';
import { TASKS } from './tasks/index.ts';
import { demonstrate } from './trainers/demonstrator.ts';
import { FAMILIES, type FamilyName, type TaskMeta, type WorldMessage } from './types.ts';
import type { ChatMessage } from '../providers/types.ts';

// Conversations do not always start fresh: some open with a system message, and single-question
// families sometimes follow an unrelated earlier exchange, so the model learns to answer the latest
// turn. (Not for `clarify`: earlier context could resolve its ambiguity.)
const SYSTEM_PROMPTS = {
  train: [
    'You are Parley, a helpful AI assistant.', 'You are Parley. Answer briefly and accurately.', 'You are a helpful assistant.',
    'Be concise.',
  ],
  eval: ['You are Parley, an assistant that gives short, correct answers.'],
};
const WITH_CONTEXT: ReadonlySet<FamilyName> = new Set(['factual', 'calculator', 'premise', 'safety']);

function dress(rng: Rng, world: World, family: FamilyName, split: Split, prompt: WorldMessage[]): WorldMessage[] {
  let out = prompt;
  if (WITH_CONTEXT.has(family) && rng.chance(0.15)) {
    const earlier = TASKS.factual.generate(rng, world, split);
    out = [...earlier.prompt, ...demonstrate(earlier.meta), ...out];
  }
  if (rng.chance(0.15)) out = [{ role: 'system', content: rng.pick(SYSTEM_PROMPTS[split]) }, ...out];
  return out;
}

/** Per family at scale 1. */
export const BASE_COUNTS = { sft: 1500, prompts: 500, eval: 200 };

/**
 * Demonstrations per family relative to BASE_COUNTS.sft. Safety counts twice: it is graded both ways
 * (refusal recall on harmful requests and false refusals on their benign twins) over six categories,
 * and was the weakest family of the session-2 default model (refusal recall 0.35, false refusals 0.45).
 */
export const SFT_FAMILY_WEIGHTS: Partial<Record<FamilyName, number>> = { safety: 2 };

/** Demonstrations of one family at a scale. */
export function sftCount(family: FamilyName, scale: number): number {
  return count(BASE_COUNTS.sft * (SFT_FAMILY_WEIGHTS[family] ?? 1), scale);
}

export interface GenerateOptions {
  seed: number;
  scale: number;
  /** Counts tokens for stats when given (e.g. a trained Parley tokenizer). */
  countTokens?: { text(s: string): number; conversation(m: ChatMessage[]): number; prompt(m: ChatMessage[]): number };
  log?: (message: string) => void;
}

export interface GeneratedDataset {
  files: { 'pretrain.txt': string; 'sft.jsonl': string; 'prompts.jsonl': string; 'eval.jsonl': string; 'stats.json': string };
  stats: DatasetStats;
}

export interface FamilyStats {
  sft: number;
  prompts: number;
  eval: number;
  uniquePrompts: { sft: number; prompts: number; eval: number };
  intents: Record<string, number>; // in sft
}

export interface FileStats {
  bytes: number;
  characters: number;
  lines: number;
  tokens?: number;
  maxTokens?: number; // the longest line (paragraph, conversation, prompt), to choose a context length
}

export interface DatasetStats {
  seed: number;
  scale: number;
  families: Record<FamilyName, FamilyStats>;
  totals: { sft: number; prompts: number; eval: number; uniquePrompts: number; pretrainParagraphs: number };
  files: Record<string, FileStats>;
}

/** Prompts go to other tools (OpenAI-compatible servers among them): only standard message fields. */
function plain(messages: WorldMessage[]): ChatMessage[] {
  return messages.map(({ weight: _w, ...m }) => m);
}

function promptKey(messages: readonly ChatMessage[]): string {
  return JSON.stringify(messages.map((m) => [m.role, m.content, m.tool_calls ?? null]));
}

function count(base: number, scale: number): number {
  return Math.max(1, Math.round(base * scale));
}

function fileStats(text: string, lines: number, tokenCounts?: number[]): FileStats {
  const s: FileStats = { bytes: Buffer.byteLength(text, 'utf8'), characters: text.length, lines };
  if (tokenCounts) {
    s.tokens = tokenCounts.reduce((a, b) => a + b, 0);
    s.maxTokens = tokenCounts.reduce((a, b) => Math.max(a, b), 0);
  }
  return s;
}

export function generateDataset(world: World, options: GenerateOptions): GeneratedDataset {
  const { seed, scale } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  if (!(scale > 0 && scale <= 1000)) throw new Error(`scale must be > 0 and <= 1000, got ${scale}`);
  const log = options.log ?? (() => {});
  const root = new Rng(seed);

  const proseStarted = performance.now();
  const paragraphs = pretrainParagraphs(root.fork('pretrain'), world, scale);
  log(`pretraining prose: ${paragraphs.length} paragraphs (${Math.round(performance.now() - proseStarted)} ms)`);
  const pretrain = paragraphs.join('\n\n') + '\n';

  const families = {} as Record<FamilyName, FamilyStats>;
  const sftRows: { messages: WorldMessage[]; meta: TaskMeta }[] = [];
  const promptRows: { prompt: ChatMessage[]; meta: TaskMeta }[] = [];
  const evalRows: { prompt: ChatMessage[]; meta: TaskMeta }[] = [];
  const trainKeys = new Set<string>();

  for (const family of FAMILIES) {
    const started = performance.now();
    const task = TASKS[family];
    const st: FamilyStats = { sft: 0, prompts: 0, eval: 0, uniquePrompts: { sft: 0, prompts: 0, eval: 0 }, intents: {} };
    const keys = { sft: new Set<string>(), prompts: new Set<string>(), eval: new Set<string>() };

    const sftRng = root.fork(`sft:${family}`);
    const dressRng = root.fork(`dress:${family}`);
    for (let i = 0; i < sftCount(family, scale); i++) {
      const it = task.generate(sftRng, world, 'train');
      it.prompt = dress(dressRng, world, family, 'train', it.prompt);
      sftRows.push({ messages: [...it.prompt, ...demonstrate(it.meta)], meta: it.meta });
      const k = promptKey(it.prompt);
      keys.sft.add(k);
      trainKeys.add(k);
      st.intents[it.meta.intent] = (st.intents[it.meta.intent] ?? 0) + 1;
    }
    const promptRng = root.fork(`prompts:${family}`);
    for (let i = 0; i < count(BASE_COUNTS.prompts, scale); i++) {
      const it = task.generate(promptRng, world, 'train');
      const prompt = plain(dress(dressRng, world, family, 'train', it.prompt));
      promptRows.push({ prompt, meta: it.meta });
      const k = promptKey(prompt);
      keys.prompts.add(k);
      trainKeys.add(k);
    }
    // Evaluation: held-out templates and entities; a prompt that happens to equal a training prompt
    // (short small talk can) is dropped so evaluation never scores memorised text, and so is a repeat.
    const evalRng = root.fork(`eval:${family}`);
    const wanted = count(BASE_COUNTS.eval, scale);
    let n = 0;
    for (let tries = 0; n < wanted && tries < wanted * 20; tries++) {
      const it = task.generate(evalRng, world, 'eval');
      const prompt = plain(dress(dressRng, world, family, 'eval', it.prompt));
      const k = promptKey(prompt);
      if (trainKeys.has(k) || keys.eval.has(k)) continue;
      evalRows.push({ prompt, meta: it.meta });
      keys.eval.add(k);
      n++;
    }
    st.sft = sftCount(family, scale);
    st.prompts = count(BASE_COUNTS.prompts, scale);
    st.eval = n;
    st.uniquePrompts = { sft: keys.sft.size, prompts: keys.prompts.size, eval: keys.eval.size };
    families[family] = st;
    log(`${family}: ${st.sft} demonstrations, ${st.prompts} prompts, ${st.eval} eval (${Math.round(performance.now() - started)} ms)`);
  }

  log('writing');
  const order = root.fork('order');
  const sftLines = order.shuffle(sftRows).map((r) => JSON.stringify(r));
  const promptLines = order.shuffle(promptRows).map((r) => JSON.stringify(r));
  const evalLines = evalRows.map((r) => JSON.stringify(r)); // grouped by family, stable for reading
  const sft = sftLines.join('\n') + '\n';
  const prompts = promptLines.join('\n') + '\n';
  const evalText = evalLines.join('\n') + '\n';

  const ct = options.countTokens;
  const tok = (f: () => number[]) => (ct ? f() : undefined);
  const stats: DatasetStats = {
    seed,
    scale,
    families,
    totals: {
      sft: sftRows.length,
      prompts: promptRows.length,
      eval: evalRows.length,
      uniquePrompts: new Set([...sftRows.map((r) => promptKey(r.messages.slice(0, lastUser(r.messages) + 1))), ...promptRows.map((r) => promptKey(r.prompt))]).size,
      pretrainParagraphs: paragraphs.length,
    },
    files: {
      'pretrain.txt': fileStats(pretrain, paragraphs.length, tok(() => paragraphs.map((p) => ct!.text(p)))),
      'sft.jsonl': fileStats(sft, sftRows.length, tok(() => sftRows.map((r) => ct!.conversation(plain(r.messages))))),
      'prompts.jsonl': fileStats(prompts, promptRows.length, tok(() => promptRows.map((r) => ct!.prompt(r.prompt)))),
      'eval.jsonl': fileStats(evalText, evalRows.length, tok(() => evalRows.map((r) => ct!.prompt(r.prompt)))),
    },
  };
  return {
    files: { 'pretrain.txt': pretrain, 'sft.jsonl': sft, 'prompts.jsonl': prompts, 'eval.jsonl': evalText, 'stats.json': JSON.stringify(stats, null, 2) + '\n' },
    stats,
  };
}

function lastUser(messages: WorldMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return -1;
}
