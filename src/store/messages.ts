// Messages form a tree per conversation (parent_id); the branch on screen is the path from the root
// to the conversation's current leaf. A reply being generated is a 'pending' message plus numbered
// generation events, so a client can resume from event N and a restart can recover the text so far.
import { sql, type Kysely } from 'kysely';
import type { DB, MessageStatus } from './schema.ts';
import { newId, now } from './ids.ts';
import { clampLimit, decodeCursor, parseJson, toPage, type Page, type PageRequest } from './pagination.ts';
import type { SamplingOptions, ToolCall } from '../providers/types.ts';

/**
 * A tool call on a stored reply. `executed` is set when the provider ran the call itself (the local
 * calculator): its result, and `offset`, the length the reply's content had when the call was made.
 */
export interface StoredToolCall extends ToolCall {
  executed?: { result: string; offset: number };
}

export interface Message {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  status: MessageStatus;
  model: string | null;
  sampling: SamplingOptions | null;
  toolCalls: StoredToolCall[] | null;
  toolCallId: string | null;
  moderation: unknown;
  finishReason: string | null;
  error: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewMessage {
  conversationId: string;
  parentId: string | null;
  role: Message['role'];
  content: string;
  status: MessageStatus;
  model?: string | null;
  sampling?: SamplingOptions | null;
  toolCalls?: StoredToolCall[] | null;
  toolCallId?: string | null;
}

export interface GenerationEventRow {
  seq: number;
  kind: DB['generation_events']['kind'];
  text: string;
  data: Record<string, unknown> | null;
}

export class MessageRepo {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  async insert(m: NewMessage): Promise<Message> {
    const t = now();
    const row: DB['messages'] = {
      id: newId(), conversation_id: m.conversationId, parent_id: m.parentId, role: m.role, content: m.content,
      status: m.status, model: m.model ?? null, sampling: m.sampling ? JSON.stringify(m.sampling) : null,
      tool_calls: m.toolCalls ? JSON.stringify(m.toolCalls) : null, tool_call_id: m.toolCallId ?? null,
      moderation: null, finish_reason: null, error: null, usage: null, heartbeat_at: m.status === 'pending' ? t : null,
      created_at: t, updated_at: t,
    };
    await this.db.insertInto('messages').values(row).execute();
    await this.db.updateTable('conversations').set({ updated_at: t }).where('id', '=', m.conversationId).execute();
    return toMessage(row);
  }

  async get(id: string): Promise<Message | null> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  /** The message if it belongs to a conversation owned by userId. */
  async getOwned(userId: string, id: string): Promise<Message | null> {
    const row = await this.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .selectAll('messages')
      .where('messages.id', '=', id)
      .where('conversations.user_id', '=', userId)
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  }

  /** Every message of a conversation in creation order (ids sort by time), paginated. */
  async list(conversationId: string, page: PageRequest = {}): Promise<Page<Message>> {
    const limit = clampLimit(page.limit, 500, 1000);
    let q = this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .limit(limit + 1);
    if (page.cursor) q = q.where('id', '>', decodeCursor(page.cursor, 1)[0]);
    return toPage(await q.execute(), limit, toMessage, (r) => [r.id]);
  }

  /** Root-first path ending at leafId (empty if leafId is not in the conversation). */
  async path(conversationId: string, leafId: string): Promise<Message[]> {
    const r = await sql<DB['messages']>`
      with recursive path(id, depth) as (
        select id, 0 from messages where id = ${leafId} and conversation_id = ${conversationId}
        union all
        select m.parent_id, path.depth + 1 from messages m join path on m.id = path.id where m.parent_id is not null
      )
      select messages.* from path join messages on messages.id = path.id order by path.depth desc`.execute(this.db);
    return r.rows.map(toMessage);
  }

  async update(
    id: string,
    changes: Partial<{
      content: string; status: MessageStatus; finishReason: string | null; error: string | null;
      usage: Message['usage']; moderation: unknown; toolCalls: StoredToolCall[] | null;
    }>,
  ): Promise<void> {
    const set: Partial<DB['messages']> = { updated_at: now() };
    if (changes.content !== undefined) set.content = changes.content;
    if (changes.status !== undefined) set.status = changes.status;
    if (changes.finishReason !== undefined) set.finish_reason = changes.finishReason;
    if (changes.error !== undefined) set.error = changes.error;
    if (changes.usage !== undefined) set.usage = changes.usage ? JSON.stringify(changes.usage) : null;
    if (changes.moderation !== undefined) set.moderation = changes.moderation == null ? null : JSON.stringify(changes.moderation);
    if (changes.toolCalls !== undefined) set.tool_calls = changes.toolCalls ? JSON.stringify(changes.toolCalls) : null;
    await this.db.updateTable('messages').set(set).where('id', '=', id).execute();
  }

  // ---- generation events ----

  async appendEvents(messageId: string, events: GenerationEventRow[]): Promise<void> {
    if (events.length === 0) return;
    const t = now();
    const rows = events.map((e) => ({
      message_id: messageId, seq: e.seq, kind: e.kind, text: e.text, data: e.data ? JSON.stringify(e.data) : null, created_at: t,
    }));
    if (this.dialect === 'postgres') {
      // One commit per token would wait for a disk flush each time. Events may skip that wait: a
      // crash of the server process loses nothing (PostgreSQL has the row); only a crash of the
      // database machine itself can lose the last fraction of a second of a reply's events.
      await this.db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await trx.insertInto('generation_events').values(rows).execute();
      });
      return;
    }
    await this.db
      .insertInto('generation_events')
      .values(rows)
      .execute();
  }

  async eventsAfter(messageId: string, after: number, limit = 10_000): Promise<GenerationEventRow[]> {
    const rows = await this.db
      .selectFrom('generation_events')
      .select(['seq', 'kind', 'text', 'data'])
      .where('message_id', '=', messageId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, text: r.text, data: parseJson(r.data) }));
  }

  async lastEventSeq(messageId: string): Promise<number> {
    const r = await this.db
      .selectFrom('generation_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  /** Marks the given pending replies as alive now (called periodically by the generation manager). */
  async heartbeat(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('messages').set({ heartbeat_at: now() }).where('id', 'in', ids).where('status', '=', 'pending').execute();
  }

  /**
   * After a crash: a 'pending' message whose generation is gone gets its text rebuilt from the stored
   * events, is marked 'interrupted' (it can be continued), and gets a final event so that clients
   * streaming it see it end. A single server recovers every pending message at startup; replicas
   * recover only those whose heartbeat is older than `staleBefore` (their replica stopped beating).
   */
  async recoverInterrupted(opts: { staleBefore?: string } = {}): Promise<string[]> {
    let q = this.db.selectFrom('messages').select('id').where('status', '=', 'pending');
    if (opts.staleBefore) {
      const before = opts.staleBefore;
      q = q.where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', before)]));
    }
    const recovered: string[] = [];
    for (const { id } of await q.execute()) {
      // Deltas are stored before they are sent, so their concatenation is everything any client saw.
      const events = await this.eventsAfter(id, 0, 1_000_000);
      const content = events.filter((e) => e.kind === 'delta').map((e) => e.text).join('');
      const seq = (events.at(-1)?.seq ?? 0) + 1;
      try {
        await this.appendEvents(id, [{ seq, kind: 'interrupted', text: '', data: { status: 'interrupted' } }]);
      } catch {
        continue; // another replica recovered it (same seq), or its generation wrote meanwhile
      }
      await this.update(id, { status: 'interrupted', content });
      recovered.push(id);
    }
    return recovered;
  }
}

export function toMessage(r: DB['messages']): Message {
  return {
    id: r.id, conversationId: r.conversation_id, parentId: r.parent_id, role: r.role, content: r.content,
    status: r.status, model: r.model, sampling: parseJson(r.sampling), toolCalls: parseJson(r.tool_calls),
    toolCallId: r.tool_call_id, moderation: parseJson(r.moderation), finishReason: r.finish_reason, error: r.error,
    usage: parseJson(r.usage), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
