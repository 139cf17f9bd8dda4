// The OpenAI-compatible API, exercised with the official `openai` npm client against a running server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { testBackends } from '../store/test-backends.ts';
import { KeywordModerator, ScriptedProvider, startTestServer, type TestServer } from './test-support.ts';
import { ProviderError } from '../providers/types.ts';

const sqlite = testBackends()[0];

describe('/v1 with no key configured (loopback clients need none)', () => {
  let s: TestServer;
  let client: OpenAI;
  before(async () => {
    s = await startTestServer(sqlite, {
      providers: [new ScriptedProvider('scripted'), new ScriptedProvider('org/slow', 20, 40)],
      moderator: new KeywordModerator(),
      config: { maxBodyBytes: 4096, maxChoices: 4 },
    });
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => s.stop());

  it('lists and describes models', async () => {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => m.id), ['scripted', 'org/slow']);
    const one = await client.models.retrieve('org/slow');
    assert.equal(one.id, 'org/slow');
    assert.equal(one.object, 'model');
    await assert.rejects(client.models.retrieve('nope'), (e: any) => e.status === 404 && e.code === 'model_not_found');
  });

  it('answers a chat completion with usage and honours max_tokens, stop and n', async () => {
    const r = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hello big world' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.content, 'Echo: hello big world');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.deepEqual(r.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });

    const short = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'a b c d' }], max_completion_tokens: 2 });
    assert.equal(short.choices[0].message.content, 'Echo: a');
    assert.equal(short.choices[0].finish_reason, 'length');
    const legacy = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 3 });
    assert.equal(legacy.choices[0].message.content, 'Echo: a b');

    const stopped = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'one two three' }], stop: [' two'] });
    assert.equal(stopped.choices[0].message.content, 'Echo: one');
    assert.equal(stopped.choices[0].finish_reason, 'stop');

    const many = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x' }], n: 3, seed: 7, temperature: 0.5, top_p: 0.9, presence_penalty: 0.1, frequency_penalty: 0.1, user: 'u1' });
    assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2]);
    assert.equal(many.usage?.completion_tokens, 6);
  });

  it('returns logprobs in the OpenAI shape', async () => {
    const r = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2 });
    const lp = r.choices[0].logprobs!.content!;
    assert.deepEqual(lp.map((t) => t.token), ['Echo:', ' hi']);
    assert.equal(lp[1].top_logprobs.length, 2);
    assert.deepEqual(lp[1].bytes, [...Buffer.from(' hi')]);
  });

  it('streams chunks with include_usage and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'scripted', messages: [{ role: 'user', content: 'stream me now' }], stream: true, stream_options: { include_usage: true }, n: 2,
    });
    const text = ['', ''];
    const finish: (string | null)[] = [null, null];
    let usage: unknown = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      for (const c of chunk.choices) {
        text[c.index] += c.delta.content ?? '';
        if (c.finish_reason) finish[c.index] = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.deepEqual(text, ['Echo: stream me now', 'Echo: stream me now']);
    assert.deepEqual(finish, ['stop', 'stop']);
    assert.deepEqual(usage, { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });
    assert.ok(chunks >= 2 + 8 + 2 + 1);
  });

  it('sends SSE headers that stop proxies buffering, and ends with data: [DONE]', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'scripted', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const body = await res.text();
    assert.ok(body.trimEnd().endsWith('data: [DONE]'));
  });

  it('stops generating when a streaming client disconnects', async () => {
    const slow = s.providers[1];
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'org/slow', messages: [{ role: 'user', content: 'go' }], stream: true },
      { signal: controller.signal },
    );
    let n = 0;
    try {
      for await (const _ of stream) if (++n === 3) controller.abort();
    } catch {
      // the client reports its own abort
    }
    for (let i = 0; i < 50 && slow.aborts === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(slow.aborts, 1, 'the provider saw the abort');
    assert.equal(slow.finished, 0);
  });

  it('answers text completions, streaming and not', async () => {
    const r = await client.completions.create({ model: 'scripted', prompt: 'once upon', max_tokens: 10, echo: true, logprobs: 1 });
    assert.equal(r.object, 'text_completion');
    assert.equal(r.choices[0].text, 'once uponEcho: once upon');
    assert.deepEqual(r.choices[0].logprobs?.tokens, ['Echo:', ' once', ' upon']);
    assert.deepEqual(r.choices[0].logprobs?.text_offset, [9, 14, 19]);
    const stream = await client.completions.create({ model: 'scripted', prompt: ['a', 'b c'], stream: true });
    const text = ['', ''];
    for await (const c of stream) for (const ch of c.choices) text[ch.index] += ch.text;
    assert.deepEqual(text, ['Echo: a', 'Echo: b c']);
  });

  it('moderates with the OpenAI response shape and filters blocked output', async () => {
    const m = await client.moderations.create({ input: ['a nice day', 'something forbidden'] });
    assert.deepEqual(m.results.map((r) => r.flagged), [false, true]);
    assert.equal(m.results[1].category_scores.violence, 0.99);
    const r = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'say forbidden' }] });
    assert.equal(r.choices[0].finish_reason, 'content_filter');
  });

  it('gives OpenAI-shaped errors with the right status', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      (e: any) => e.status === 404 && e.code === 'model_not_found' && e.param === 'model',
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x' }], temperature: 5 }),
      (e: any) => e.status === 400 && e.param === 'temperature' && e.type === 'invalid_request_error',
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'scripted', messages: [] }),
      (e: any) => e.status === 400 && e.param === 'messages',
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x' }], n: 9 }),
      (e: any) => e.status === 400 && e.param === 'n',
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      (e: any) => e.status === 413 && e.code === 'request_too_large',
    );
    const bad = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  });

  it('refuses keyless clients that are not on this machine', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/v1/models', remoteAddress: '10.1.2.3' });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error.type, 'authentication_error');
  });

  it('exports Prometheus metrics for requests, tokens and time to first token', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /parley_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="200"\} \d+/);
    assert.match(text, /parley_tokens_total\{model="scripted",kind="completion"\} \d+/);
    assert.match(text, /parley_time_to_first_token_seconds_count\{model="scripted"\} [1-9]/);
    const health = await (await fetch(`${s.url}/health`)).json();
    assert.equal(health.status, 'ok');
  });
});

describe('/v1 with PARLEY_API_KEYS set', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(sqlite, { config: { apiKeys: ['k1', 'k2'], requestsPerMinute: 3, tokensPerDay: 12 } });
  });
  after(() => s.stop());

  it('needs a valid Bearer key even from loopback, then rate-limits and enforces the token quota per key', async () => {
    const none = await fetch(`${s.url}/v1/models`);
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, 'missing_api_key');
    const wrong = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (e: any) => e.status === 401 && e.code === 'invalid_api_key');
    const k1 = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'k1', maxRetries: 0 });
    const r = await k1.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'a b c d e' }] });
    assert.equal(r.usage?.total_tokens, 11);
    await k1.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x' }] }); // 11 + 3 ≥ 12
    await assert.rejects(
      k1.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'x' }] }),
      (e: any) => e.status === 429 && e.code === 'insufficient_quota',
    );
    await assert.rejects(k1.models.list(), (e: any) => e.status === 429 && e.code === 'rate_limit_exceeded');
    const k2 = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'k2', maxRetries: 0 });
    assert.equal((await k2.models.list()).data.length, 1, 'limits are per key');
  });
});

describe('/v1 concurrency limit', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(sqlite, { providers: [new ScriptedProvider('slow', 30, 20)], config: { maxConcurrentPerUser: 2, apiKeys: ['k'] } });
  });
  after(() => s.stop());

  it('answers 429 beyond the per-key concurrency limit and frees slots afterwards', async () => {
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }] });
    const results = await Promise.allSettled([ask(), ask(), ask()]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(rejected.reason.status, 429);
    assert.equal(rejected.reason.code, 'concurrency_limit_exceeded');
    assert.equal((await ask()).choices[0].finish_reason, 'stop');
  });
});

describe('/v1 as the upstream of another Parley (the providers’ OpenAI-compatible backend)', () => {
  let upstream: TestServer;
  let front: TestServer;
  before(async () => {
    upstream = await startTestServer(sqlite, { config: { apiKeys: ['up-key'] } });
    const { ModelRegistry } = await import('../providers/registry.ts');
    const { buildApp } = await import('./app.ts');
    const { defaultConfig } = await import('./config.ts');
    const models = await ModelRegistry.fromEnvironment({
      PARLEY_OPENAI_BASE_URL: `${upstream.url}/v1`, PARLEY_OPENAI_MODELS: 'proxied=scripted', PARLEY_OPENAI_API_KEY: 'up-key',
      PARLEY_DATA: '/nonexistent-parley-test-dir',
    });
    const store = await sqlite.open();
    const built = await buildApp({ store, models, config: defaultConfig(), processMetrics: false });
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (built.app.server.address() as { port: number }).port;
    front = { ...built, store, providers: [], url: `http://127.0.0.1:${port}`, stop: async () => { await built.close(); await models.close(); await store.close(); } };
  });
  after(async () => {
    await front.stop();
    await upstream.stop();
  });

  it('streams through a chain of two servers with the wire format intact', async () => {
    const client = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'proxied', messages: [{ role: 'user', content: 'over the wire' }], stream: true, stream_options: { include_usage: true }, max_tokens: 3,
    });
    let text = '';
    let finish = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, 'Echo: over the');
    assert.equal(finish, 'length');
    const plain = await client.chat.completions.create({ model: 'proxied', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 1 });
    assert.equal(plain.choices[0].message.content, 'Echo: hi');
    assert.equal(plain.choices[0].logprobs?.content?.length, 2);
  });
});

describe('/v1 when a model fails', () => {
  let s: TestServer;
  before(async () => {
    const busy = new ScriptedProvider('busy');
    busy.chat = () => ({
      async *[Symbol.asyncIterator]() {
        throw new ProviderError('the queue is full', 429, 'server_busy');
      },
    });
    const flaky = new ScriptedProvider('flaky');
    flaky.chat = () => ({
      async *[Symbol.asyncIterator]() {
        yield { type: 'delta' as const, text: 'partial' };
        throw new Error('engine fell over');
      },
    });
    s = await startTestServer(sqlite, { providers: [busy, flaky] });
  });
  after(() => s.stop());

  it('answers with the provider’s status when it fails before the first token, even when streaming', async () => {
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });
    for (const stream of [false, true]) {
      await assert.rejects(
        (async () => {
          const r = await client.chat.completions.create({ model: 'busy', messages: [{ role: 'user', content: 'x' }], stream });
          if (stream) for await (const _ of r as AsyncIterable<unknown>);
        })(),
        (e: any) => e.status === 429 && e.code === 'server_busy',
      );
    }
  });

  it('ends a stream that fails midway with an OpenAI error event', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'flaky', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    const events = (await res.text()).trim().split('\n\n').map((b) => b.replace(/^data: /, ''));
    assert.equal(JSON.parse(events[1]).choices[0].delta.content, 'partial');
    const last = JSON.parse(events.at(-1)!);
    assert.equal(last.error.message, 'engine fell over');
    assert.equal(last.error.type, 'server_error');
  });
});

describe('/v1 tool calls: only the ones a client must run are reported', () => {
  let s: TestServer;
  let client: OpenAI;
  before(async () => {
    const local = Object.assign(new ScriptedProvider('local-calc'), { toolCall: 'executed' as const });
    const upstream = Object.assign(new ScriptedProvider('upstream-tools'), { toolCall: 'client' as const });
    s = await startTestServer(sqlite, { providers: [local, upstream] });
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => s.stop());

  it('a calculator call the provider already ran ends with "stop" and hands the client nothing to run', async () => {
    const messages = [{ role: 'user' as const, content: 'what is 2+3' }];
    const r = await client.chat.completions.create({ model: 'local-calc', messages });
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.choices[0].message.tool_calls, undefined);
    assert.equal(r.choices[0].message.content, 'Echo: what is 2+3');
    const chunks = [];
    for await (const c of await client.chat.completions.create({ model: 'local-calc', messages, stream: true })) chunks.push(c);
    assert.equal(chunks.some((c) => c.choices[0]?.delta.tool_calls), false);
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'stop');
  });

  it("an upstream model's call is the client's to run: finish_reason tool_calls", async () => {
    const r = await client.chat.completions.create({ model: 'upstream-tools', messages: [{ role: 'user', content: 'what is 2+3' }] });
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(r.choices[0].message.tool_calls?.map((c: any) => c.function), [{ name: 'calculator', arguments: '{"expression":"2+3"}' }]);
  });
});
