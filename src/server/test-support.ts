// TEST-ONLY helpers, imported by *.test.ts files and nothing else: a deterministic scripted
// ChatProvider (a test double: it never serves users), a server on a random port over either
// database backend, and a small cookie-keeping client for the /api routes.
import type { AddressInfo } from 'node:net';
import type { ChatMessage, ChatProvider, GenerationEvent, ModelInfo, SamplingOptions } from '../providers/types.ts';
import { ModelRegistry } from '../providers/registry.ts';
import type { TestBackend } from '../store/test-backends.ts';
import type { Store } from '../store/store.ts';
import { buildApp, type ParleyApp } from './app.ts';
import { defaultConfig, type ServerConfig } from './config.ts';
import type { Moderator } from './moderation.ts';
import type { GenerationBus } from './generation/bus.ts';
import type { CounterStore } from './limits.ts';

/**
 * Replies "Echo: <last user message>" followed by `extra` filler words, one word per token, waiting
 * `delayMs` between tokens. Honours maxTokens (finish "length"), stop strings, abort and logprobs.
 * With `continueFinalMessage` a trailing assistant message is continued from where its text ends
 * (without it, the reply starts afresh). `toolCall` makes it call the calculator after the first word:
 * 'executed' as the local provider does (it runs the call and goes on), 'client' as an upstream model
 * does (the reply ends with finish "tool_calls").
 */
export class ScriptedProvider implements ChatProvider {
  readonly info: ModelInfo;
  calls = 0;
  aborts = 0; // generations that ended because their signal aborted
  finished = 0;
  toolCall: 'executed' | 'client' | null = null;
  prompts: ChatMessage[][] = []; // every chat() prompt, in order

  constructor(id = 'scripted', public delayMs = 0, public extra = 0) {
    this.info = { id, ownedBy: 'test', contextLength: 4096, backend: 'local' };
  }

  script(messages: ChatMessage[]): string[] {
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const filler = Array.from({ length: this.extra }, (_, i) => `w${i}`);
    return ['Echo:', ...lastUser.split(/\s+/).filter(Boolean), ...filler].map((w, i) => (i === 0 ? w : ' ' + w));
  }

  chat(messages: ChatMessage[], options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    this.prompts.push(messages);
    let words = this.script(messages);
    const last = messages.at(-1);
    if (last?.role === 'assistant' && options.continueFinalMessage) {
      let have = '';
      let i = 0;
      while (i < words.length && have.length < last.content.length) have += words[i++];
      words = words.slice(i);
    }
    return this.run(words, messages.reduce((s, m) => s + m.content.split(/\s+/).length, 0), options, signal);
  }

  complete(prompt: string, options: SamplingOptions, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    return this.run(this.script([{ role: 'user', content: prompt }]), prompt.split(/\s+/).length, options, signal);
  }

  private async *run(words: string[], promptTokens: number, o: SamplingOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    this.calls++;
    try {
      yield* this.words(words, promptTokens, o, signal);
      this.finished++;
    } catch (err) {
      if (signal.aborted) this.aborts++;
      throw err;
    }
  }

  private async *words(words: string[], promptTokens: number, o: SamplingOptions, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    let text = '';
    let n = 0;
    for (const w of words) {
      if (signal.aborted) throw signal.reason;
      if (n >= o.maxTokens) {
        yield { type: 'done', finishReason: 'length', usage: { promptTokens, completionTokens: n } };
        return;
      }
      if (this.delayMs) await sleep(this.delayMs, signal);
      const next = text + w;
      const hit = o.stop.map((s) => next.indexOf(s)).filter((i) => i >= 0).sort((a, b) => a - b)[0];
      if (hit !== undefined) {
        if (hit > text.length) yield { type: 'delta', text: next.slice(text.length, hit) };
        yield { type: 'done', finishReason: 'stop', usage: { promptTokens, completionTokens: n + 1 } };
        return;
      }
      text = next;
      n++;
      const logprobs = o.logprobs
        ? [{ token: w, logprob: -0.25, top: Array.from({ length: o.topLogprobs }, (_, k) => ({ token: k === 0 ? w : `alt${k}`, logprob: -0.25 - k })) }]
        : undefined;
      yield { type: 'delta', text: w, ...(logprobs ? { logprobs } : {}) };
      if (n === 1 && this.toolCall) {
        const call = { id: 'call_1', type: 'function' as const, function: { name: 'calculator', arguments: '{"expression":"2+3"}' } };
        if (this.toolCall === 'client') {
          yield { type: 'tool_call', call };
          yield { type: 'done', finishReason: 'tool_calls', usage: { promptTokens, completionTokens: n } };
          return;
        }
        yield { type: 'tool_call', call, executed: { result: '5' } };
      }
    }
    yield { type: 'done', finishReason: 'stop', usage: { promptTokens, completionTokens: n } };
  }

  async close(): Promise<void> {}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Flags any text containing "forbidden" (blocked) or "iffy" (warned). */
export class KeywordModerator implements Moderator {
  readonly model = 'keyword-test';
  async moderate(texts: string[]) {
    const { emptyResult } = await import('../moderation/taxonomy.ts');
    return texts.map((t) => {
      const r = emptyResult();
      if (/forbidden|iffy/i.test(t)) {
        r.flagged = true;
        r.categories.violence = true;
        r.category_scores.violence = /forbidden/i.test(t) ? 0.99 : 0.6;
      }
      return r;
    });
  }
  decide(r: Awaited<ReturnType<KeywordModerator['moderate']>>[number]) {
    return r.category_scores.violence > 0.9 ? 'block' : r.flagged ? 'warn' : 'allow';
  }
}

export interface TestServer extends ParleyApp {
  url: string;
  store: Store;
  providers: ScriptedProvider[];
  stop(): Promise<void>;
}

export async function startTestServer(
  backend: TestBackend,
  opts: {
    config?: Partial<ServerConfig>; providers?: ScriptedProvider[]; moderator?: Moderator | null; store?: Store;
    bus?: GenerationBus; counters?: CounterStore;
  } = {},
): Promise<TestServer> {
  const store = opts.store ?? (await backend.open());
  const providers = opts.providers ?? [new ScriptedProvider()];
  const built = await buildApp({
    store, models: ModelRegistry.withProviders(providers), moderator: opts.moderator ?? null,
    config: defaultConfig(opts.config), processMetrics: false, bus: opts.bus, counters: opts.counters,
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (built.app.server.address() as AddressInfo).port;
  return {
    ...built, store, providers, url: `http://127.0.0.1:${port}`,
    async stop() {
      await built.close();
      if (!opts.store) await store.close();
    },
  };
}

/** A browser-like client: keeps the session cookie and sends the CSRF token on writes. */
export class AppClient {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && h['x-csrf-token'] === undefined) h['x-csrf-token'] = this.csrf;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair.startsWith('parley_session=')) this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (json && typeof json === 'object' && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: res.status, json, headers: res.headers, setCookie: set };
  }

  static async signUp(base: string, username: string, password = 'correct horse battery') {
    const c = new AppClient(base);
    const r = await c.call('POST', '/api/auth/signup', { username, password });
    if (r.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(r.json)}`);
    return Object.assign(c, { user: r.json.user as { id: string; role: string } });
  }

  /** Reads an SSE stream to its end; returns the parsed events. */
  async stream(path: string, headers: Record<string, string> = {}, stopAfter?: number) {
    const controller = new AbortController();
    const res = await fetch(this.base + path, { headers: { cookie: this.cookie, ...headers }, signal: controller.signal });
    const events: { id?: string; event?: string; data: any }[] = [];
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: { id?: string; event?: string; data: any } = { data: null };
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
          }
          if (e.data !== null) events.push(e);
          if (stopAfter !== undefined && events.length >= stopAfter) {
            controller.abort();
            return { res, events };
          }
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    return { res, events };
  }
}
