// Runs replies apart from the HTTP request that asked for them. The assistant message is already
// stored as 'pending'; each piece of text becomes a numbered event, written to the store and then
// published, so any client can attach (or re-attach after a refresh) and resume after event N.
// Closing a tab does not stop a reply; stop() does. On shutdown, replies are marked 'interrupted'.
import type { ChatMessage, ChatProvider, SamplingOptions } from '../../providers/types.ts';
import type { GenerationEventRow, MessageRepo, StoredToolCall } from '../../store/messages.ts';
import type { MessageStatus } from '../../store/schema.ts';
import type { Metrics } from '../metrics.ts';
import type { Moderator } from '../moderation.ts';
import type { GenerationBus } from './bus.ts';
import { OutputGuard } from './output-guard.ts';

export interface StartGeneration {
  messageId: string;
  modelId: string;
  provider: ChatProvider;
  /** The conversation so far; a trailing assistant message is continued. */
  prompt: ChatMessage[];
  sampling: SamplingOptions;
  /** Events already stored for this message (non-zero when continuing). */
  lastSeq: number;
  /** Text already in the message (non-empty when continuing). */
  baseContent: string;
  /** Tool calls already on the message (when continuing), kept ahead of new ones. */
  baseToolCalls?: StoredToolCall[];
  /** Called once when the generation ends, with the tokens it used (to free slots and charge quotas). */
  onEnd?: (usage: { promptTokens: number; completionTokens: number }) => void;
}

/** A foreign-key failure: the message was deleted with its conversation while being generated. */
function isGone(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY/i.test(e?.message ?? '');
}

const TERMINAL = new Set(['done', 'stopped', 'error', 'interrupted']);
const CONTENT_SAVE_MS = 1000;
/** How often running replies tell the store they are alive; replicas treat 6× this as dead. */
export const HEARTBEAT_MS = 5000;
const RECHECK_MS = 5000;

export class GenerationManager {
  private readonly running = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  private readonly unsubscribe: () => void;
  private readonly beat: NodeJS.Timeout;

  constructor(
    private readonly messages: MessageRepo,
    private readonly bus: GenerationBus,
    private readonly metrics: Metrics,
    private readonly moderator: Moderator | null = null,
    private readonly onError: (err: unknown, messageId: string) => void = (err, id) => {
      if (!isGone(err)) console.error(`generation of message ${id} failed:`, err);
    },
    heartbeatMs = HEARTBEAT_MS,
  ) {
    this.unsubscribe = bus.subscribeControl((m) => {
      if (m.type === 'stop') this.running.get(m.messageId)?.controller.abort('stop');
    });
    this.beat = setInterval(() => {
      this.messages.heartbeat([...this.running.keys()]).catch(() => {});
    }, heartbeatMs);
    this.beat.unref();
  }

  /** Starts generating in the background; the promise settles when the reply is finished and stored. */
  start(s: StartGeneration): Promise<void> {
    const controller = new AbortController();
    // A reply can lose its row mid-way (its conversation deleted); that must not take the server down.
    const finished = this.run(s, controller.signal)
      .catch((err) => this.onError(err, s.messageId))
      .finally(() => this.running.delete(s.messageId));
    this.running.set(s.messageId, { controller, finished });
    return finished;
  }

  isRunning(messageId: string): boolean {
    return this.running.has(messageId);
  }

  /** Stops a reply wherever it runs (this process or, through the bus, another replica). */
  stop(messageId: string): void {
    const r = this.running.get(messageId);
    if (r) r.controller.abort('stop');
    else this.bus.publishControl({ type: 'stop', messageId });
  }

  /** Aborts every running reply, marking each 'interrupted' so it can be continued after restart. */
  async shutdown(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.beat);
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort('shutdown');
    await Promise.allSettled(all.map((r) => r.finished));
  }

  private async run(s: StartGeneration, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    let seq = s.lastSeq;
    let content = s.baseContent;
    let newText = '';
    let lastSave = Date.now();
    let finishReason: string | null = null;
    let usage = { promptTokens: 0, completionTokens: 0 };
    let status: MessageStatus = 'complete';
    let error: string | null = null;
    const toolCalls: StoredToolCall[] = [...(s.baseToolCalls ?? [])];
    const guard = new OutputGuard(this.moderator);
    const emit = async (e: Omit<GenerationEventRow, 'seq'>) => {
      const row = { ...e, seq: ++seq };
      await this.messages.appendEvents(s.messageId, [row]);
      this.bus.publish(s.messageId, row);
    };
    this.metrics.activeGenerations.inc();
    try {
      for await (const ev of s.provider.chat(s.prompt, s.sampling, signal)) {
        if (ev.type === 'delta') {
          if (ev.text === '') continue;
          if (newText === '') this.metrics.timeToFirstToken.observe({ model: s.modelId }, (performance.now() - started) / 1000);
          content += ev.text;
          newText += ev.text;
          await emit({ kind: 'delta', text: ev.text, data: null });
          if (await guard.blocks(newText, false)) {
            finishReason = 'content_filter';
            break;
          }
          if (Date.now() - lastSave > CONTENT_SAVE_MS) {
            lastSave = Date.now();
            await this.messages.update(s.messageId, { content });
          }
        } else if (ev.type === 'tool_call') {
          // A call the provider ran is kept with its result and where in the text it happened.
          const executed = ev.executed ? { result: ev.executed.result, offset: content.length } : undefined;
          toolCalls.push(executed ? { ...ev.call, executed } : ev.call);
          await emit({ kind: 'tool_call', text: '', data: { call: ev.call, ...(executed ? { executed } : {}) } });
        } else {
          finishReason = ev.finishReason;
          usage = ev.usage;
        }
      }
      if (finishReason !== 'content_filter' && (await guard.blocks(newText, true))) finishReason = 'content_filter';
    } catch (err) {
      if (signal.aborted && signal.reason === 'stop') status = 'stopped';
      else if (signal.aborted) status = 'interrupted';
      else {
        status = 'error';
        error = (err as Error).message ?? String(err);
      }
    }
    this.metrics.activeGenerations.dec();
    this.metrics.countTokens(s.modelId, usage);
    try {
      // The message row is settled before the terminal event, so a client that sees the event and
      // re-reads the message always finds it finished.
      await this.messages.update(s.messageId, {
        content, status, finishReason, error, usage, moderation: guard.last,
        ...(toolCalls.length ? { toolCalls } : {}),
      });
      const kind = status === 'complete' ? 'done' : status;
      await emit({ kind: kind as GenerationEventRow['kind'], text: '', data: { status, finishReason, usage, error } });
    } finally {
      s.onEnd?.(usage); // frees the user's slot even when the row is gone
    }
  }

  /**
   * The events of a reply after `after`, then live ones until it ends (or `signal` aborts).
   * Replays from the store first, so it works for finished replies and from any replica.
   */
  async *follow(messageId: string, after: number, signal: AbortSignal): AsyncGenerator<GenerationEventRow> {
    const queue: GenerationEventRow[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = this.bus.subscribe(messageId, (e) => {
      queue.push(e);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      let last = after;
      const replay = async function* (this: GenerationManager) {
        for (const e of await this.messages.eventsAfter(messageId, last)) {
          last = e.seq;
          yield e;
        }
      }.bind(this);
      yield* replay();
      const m = await this.messages.get(messageId);
      if (!m || m.status !== 'pending') {
        yield* replay(); // anything stored between the first read and the status check
        return;
      }
      while (!signal.aborted) {
        while (queue.length) {
          const e = queue.shift()!;
          if (e.seq <= last) continue;
          if (e.seq > last + 1) {
            yield* replay(); // a gap (a publication was missed): fill it from the store
            if (e.seq <= last) continue;
          }
          last = e.seq;
          yield e;
          if (TERMINAL.has(e.kind)) return;
        }
        const timedOut = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(true), RECHECK_MS);
          wake = () => {
            clearTimeout(t);
            resolve(false);
          };
        });
        wake = null;
        if (timedOut) {
          // No news for a while: the generation may have ended on a replica whose publication we missed.
          yield* replay();
          const now = await this.messages.get(messageId);
          if (!now || now.status !== 'pending') return;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }
}
