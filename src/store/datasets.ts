// Dataset export in DESIGN.md's JSONL formats, read page by page so memory stays flat:
//   SFT      {"messages":[...], "meta":{...}}            from demonstrations and thumbs-up replies
//   rankings {"prompt":[...], "completions":[...], "ranking":[...]}   from ranked (usable) rankings
//   pairs    {"prompt":[...], "chosen":[...], "rejected":[...]}       from rankings and up/down siblings
//   moderation-reports {"text", "kind", "categories", "status"}       from admin-confirmed filter reports,
//            the lines `parley train moderation --reports` reads (src/moderation/reports.ts)
import type { ChatMessage, ToolCall } from '../providers/types.ts';
import type { Message, MessageRepo, StoredToolCall } from './messages.ts';
import type { FeedbackRepo } from './feedback.ts';
import type { RankingRepo, Ranking } from './rankings.ts';
import type { DemonstrationRepo } from './demonstrations.ts';
import type { ModerationReportRepo } from './moderation-reports.ts';

export type DatasetKind = 'sft' | 'rankings' | 'pairs' | 'moderation-reports';
export const DATASET_KINDS: DatasetKind[] = ['sft', 'rankings', 'pairs', 'moderation-reports'];

interface Repos {
  messages: MessageRepo;
  feedback: FeedbackRepo;
  rankings: RankingRepo;
  demonstrations: DemonstrationRepo;
  moderationReports: ModerationReportRepo;
}

/**
 * A stored message as chat messages. A reply whose calls the provider ran itself becomes what the model
 * saw: the text up to each call with the call, the call's result as a tool message, and so on, so the
 * next prompt (and training data) replays the calculator use; only calls left to a client stay on it.
 */
export function toChat(m: Message): ChatMessage[] {
  const calls = m.toolCalls ?? [];
  const open = calls.filter((c) => !c.executed).map(plainCall);
  const out: ChatMessage[] = [];
  let at = 0;
  const executed = calls.filter((c) => c.executed);
  for (let i = 0; i < executed.length; ) {
    const offset = executed[i].executed!.offset;
    const group = [];
    while (i < executed.length && executed[i].executed!.offset === offset) group.push(executed[i++]);
    out.push({ role: 'assistant', content: m.content.slice(at, offset), tool_calls: group.map(plainCall) });
    for (const c of group) out.push({ role: 'tool', content: c.executed!.result, tool_call_id: c.id });
    at = offset;
  }
  const c: ChatMessage = { role: m.role, content: m.content.slice(at) };
  if (open.length) c.tool_calls = open;
  if (m.toolCallId) c.tool_call_id = m.toolCallId;
  out.push(c);
  return out;
}

function plainCall(c: StoredToolCall): ToolCall {
  return { id: c.id, type: c.type, function: c.function };
}

export async function* exportDataset(repos: Repos, kind: DatasetKind): AsyncGenerator<Record<string, unknown>> {
  if (kind === 'sft') yield* sft(repos);
  else if (kind === 'rankings') yield* rankingRows(repos);
  else if (kind === 'pairs') yield* pairs(repos);
  else yield* moderationReports(repos);
}

// Only confirmed reports: a pending one is a user's claim, not yet a label. A confirmed false negative
// always has categories (the review route refuses to confirm one without), so every line trains.
async function* moderationReports(r: Repos) {
  for await (const rep of pages((cursor) => r.moderationReports.list(null, { status: 'confirmed', cursor, limit: 500 }))) {
    yield { text: rep.text, kind: rep.kind, categories: rep.categories, status: rep.status };
  }
}

async function* sft(r: Repos) {
  for await (const d of pages((cursor) => r.demonstrations.list(null, { cursor, limit: 500 }))) {
    yield { messages: [...d.prompt, { role: 'assistant', content: d.response }], meta: { source: 'demonstration', id: d.id } };
  }
  for await (const f of pages((cursor) => r.feedback.listByThumb('up', { cursor, limit: 500 }))) {
    const m = await r.messages.get(f.messageId);
    if (!m || m.role !== 'assistant' || m.status !== 'complete') continue;
    const path = await r.messages.path(m.conversationId, m.id);
    yield {
      messages: path.flatMap(toChat),
      meta: { source: 'thumbs_up', message_id: m.id, model: f.model, sampling: f.sampling, category: f.category },
    };
  }
}

function usable(k: Ranking): k is Ranking & { ranking: number[] } {
  return !k.unusable && k.ranking !== null && k.ranking.length >= 2;
}

async function* rankingRows(r: Repos) {
  for await (const k of pages((cursor) => r.rankings.list(null, { cursor, limit: 500 }))) {
    if (!usable(k)) continue;
    yield { prompt: k.prompt, completions: k.completions, ranking: k.ranking, meta: { id: k.id, model: k.model } };
  }
}

async function* pairs(r: Repos) {
  // Every ordered pair of a ranking (InstructGPT uses all K-choose-2 comparisons of a prompt).
  for await (const k of pages((cursor) => r.rankings.list(null, { cursor, limit: 500 }))) {
    if (!usable(k)) continue;
    for (let i = 0; i < k.ranking.length; i++) {
      for (let j = i + 1; j < k.ranking.length; j++) {
        yield {
          prompt: k.prompt,
          chosen: [{ role: 'assistant', content: k.completions[k.ranking[i]] }],
          rejected: [{ role: 'assistant', content: k.completions[k.ranking[j]] }],
          meta: { source: 'ranking', id: k.id },
        };
      }
    }
  }
  // A thumbs-up reply beats a thumbs-down sibling (same parent: a regenerated alternative).
  const down = new Map<string, Message[]>();
  for await (const f of pages((cursor) => r.feedback.listByThumb('down', { cursor, limit: 500 }))) {
    const m = await r.messages.get(f.messageId);
    if (!m || m.role !== 'assistant' || m.parentId === null) continue;
    const list = down.get(m.parentId) ?? [];
    list.push(m);
    down.set(m.parentId, list);
  }
  for await (const f of pages((cursor) => r.feedback.listByThumb('up', { cursor, limit: 500 }))) {
    const m = await r.messages.get(f.messageId);
    if (!m || m.role !== 'assistant' || m.parentId === null || m.status !== 'complete') continue;
    const losers = down.get(m.parentId);
    if (!losers) continue;
    const prompt = (await r.messages.path(m.conversationId, m.parentId)).flatMap(toChat);
    for (const l of losers) {
      yield {
        prompt,
        chosen: [{ role: 'assistant', content: m.content }],
        rejected: [{ role: 'assistant', content: l.content }],
        meta: { source: 'thumbs', chosen_id: m.id, rejected_id: l.id },
      };
    }
  }
}

async function* pages<T>(fetch: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>) {
  let cursor: string | null = null;
  do {
    const page = await fetch(cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
