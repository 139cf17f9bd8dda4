// Reading the training datasets (formats in DESIGN.md), all validated before any training starts:
// every problem is a UserError naming the file and line, and an empty dataset is refused.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import type { ChatMessage } from '../providers/types.ts';
import { parseJsonl } from '../world/jsonl.ts';

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable().optional().transform((c) => c ?? ''),
  tool_calls: z
    .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
    .optional(),
  tool_call_id: z.string().optional(),
  weight: z.union([z.literal(0), z.literal(1)]).optional(),
}).passthrough();
const messages = z.array(message).min(1);

/** A chat message with OpenAI's optional per-turn `weight` (0 = do not learn this assistant turn). */
export type TrainMessage = ChatMessage & { weight?: 0 | 1 };

export interface SftExample { messages: TrainMessage[] }
export interface RankingExample { prompt: ChatMessage[]; completions: string[]; ranking: number[]; meta?: Record<string, unknown> }
export interface PairExample { prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] }
export interface PromptExample { prompt: ChatMessage[]; meta?: Record<string, unknown> }

function readLines(file: string, what: string) {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${what}: no such file ${file}`);
  const lines = parseJsonl(readFileSync(file, 'utf8'), file);
  if (lines.length === 0) throw new UserError(`${file}: the ${what} is empty (no JSON lines): nothing to train on`);
  return lines;
}

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(`${where}: ${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
  }
  return r.data;
}

/** Plain text for pretraining; refuses a missing or empty file. */
export function readText(file: string): string {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`text dataset: no such file ${file}`);
  const text = readFileSync(file, 'utf8');
  if (text.trim().length === 0) throw new UserError(`${file}: the text dataset is empty: nothing to train on`);
  return text;
}

/** OpenAI chat JSONL {"messages":[...]}; each conversation needs an assistant turn to learn from. */
export function readSft(file: string): SftExample[] {
  return readLines(file, 'SFT dataset').map((l) => {
    const where = `${file}:${l.line}`;
    const row = check(z.object({ messages }).passthrough(), l.value, where);
    const learn = row.messages.some((m) => m.role === 'assistant' && m.weight !== 0);
    if (!learn) throw new UserError(`${where}: no assistant turn to learn from (SFT trains only on assistant replies)`);
    return { messages: row.messages as TrainMessage[] };
  });
}

/** {"prompt","completions","ranking"}: K ≥ 2 replies and a ranking of ≥ 2 distinct indices, best first. */
export function readRankings(file: string): RankingExample[] {
  return readLines(file, 'rankings dataset').map((l) => {
    const where = `${file}:${l.line}`;
    const row = check(
      z.object({ prompt: messages, completions: z.array(z.string()), ranking: z.array(z.number().int()), meta: z.record(z.string(), z.unknown()).optional() }).passthrough(),
      l.value, where,
    );
    const K = row.completions.length;
    if (K < 2) throw new UserError(`${where}: a ranking needs K >= 2 completions, got ${K}`);
    if (row.ranking.length < 2) throw new UserError(`${where}: "ranking" must order at least 2 completions, got ${row.ranking.length}`);
    const seen = new Set<number>();
    for (const i of row.ranking) {
      if (i < 0 || i >= K) throw new UserError(`${where}: ranking index ${i} is outside 0..${K - 1}`);
      if (seen.has(i)) throw new UserError(`${where}: ranking names completion ${i} twice`);
      seen.add(i);
    }
    return { prompt: row.prompt as ChatMessage[], completions: row.completions, ranking: row.ranking, meta: row.meta };
  });
}

/** TRL-style pairs {"prompt":[...], "chosen":[...], "rejected":[...]} (a bare string reply is accepted too). */
export function readPairs(file: string): PairExample[] {
  const reply = z.union([z.string().transform((s) => [{ role: 'assistant' as const, content: s }]), messages]);
  return readLines(file, 'pairs dataset').map((l) => {
    const where = `${file}:${l.line}`;
    const row = check(z.object({ prompt: messages, chosen: reply, rejected: reply }).passthrough(), l.value, where);
    return { prompt: row.prompt as ChatMessage[], chosen: row.chosen as ChatMessage[], rejected: row.rejected as ChatMessage[] };
  });
}

/** {"prompt":[...], "meta":{...}} for RL; the prompt must end with a user (or tool) turn. */
export function readPrompts(file: string): PromptExample[] {
  return readLines(file, 'prompts dataset').map((l) => {
    const where = `${file}:${l.line}`;
    const row = check(z.object({ prompt: messages, meta: z.record(z.string(), z.unknown()).optional() }).passthrough(), l.value, where);
    const last = row.prompt[row.prompt.length - 1];
    if (last.role === 'assistant') throw new UserError(`${where}: the prompt ends with an assistant turn; it must end with the turn to reply to`);
    return { prompt: row.prompt as ChatMessage[], meta: row.meta };
  });
}
