// Upstream protocol tests: a real HTTP server in this process speaks the OpenAI wire format (as vLLM,
// Ollama or llama.cpp would) and records what the provider sent it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAICompatibleProvider } from './openai-compatible.ts';
import { parseSse } from './sse.ts';
import { ProviderError, type GenerationEvent, type SamplingOptions } from './types.ts';

const sampling: SamplingOptions = {
  maxTokens: 16, temperature: 0, topP: 1, topK: 0, presencePenalty: 0, frequencyPenalty: 0,
  repetitionPenalty: 1, stop: [], logprobs: false, topLogprobs: 0,
};

type Handler = (req: IncomingMessage, body: any, res: ServerResponse) => void;
let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: { path: string; auth?: string; body: any }[] = [];
let lastClosed: Promise<void> = Promise.resolve();

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      lastClosed = new Promise((resolve) => res.on('close', () => resolve()));
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function sse(res: ServerResponse, events: unknown[], done = true): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  // Split the bytes at awkward places: mid-line and between \r and \n.
  const text = events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join('') + (done ? 'data: [DONE]\r\n\r\n' : '');
  const cuts = [7, 8, 31, 64, 65, 200];
  let at = 0;
  for (const c of cuts) {
    if (c > at && c < text.length) {
      res.write(text.slice(at, c));
      at = c;
    }
  }
  res.end(text.slice(at));
}

const chunk = (delta: object, finish: string | null = null) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });

async function collect(it: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

test('chat streams deltas, finish reason and usage, and sends the mapped request', async () => {
  handler = (_req, _body, res) =>
    sse(res, [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo, wörld' }),
      chunk({}, 'length'),
      { object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } },
    ]);
  const p = new OpenAICompatibleProvider({ id: 'mine', baseUrl: baseUrl + '/', apiKey: 'sk-test', upstreamModel: 'llama3:8b' });
  const events = await collect(
    p.chat([{ role: 'user', content: 'hi' }], { ...sampling, stop: ['\n\n'], seed: 7, topK: 40 }, new AbortController().signal),
  );
  const text = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('');
  assert.equal(text, 'Hello, wörld');
  assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'length', usage: { promptTokens: 9, completionTokens: 3 } });
  const req = seen.at(-1)!;
  assert.equal(req.path, '/v1/chat/completions');
  assert.equal(req.auth, 'Bearer sk-test');
  assert.equal(req.body.model, 'llama3:8b');
  assert.equal(req.body.stream, true);
  assert.deepEqual(req.body.stream_options, { include_usage: true });
  assert.deepEqual(req.body.stop, ['\n\n']);
  assert.equal(req.body.seed, 7);
  assert.equal(req.body.top_k, 40);
  assert.equal(req.body.max_tokens, 16);
  assert.equal('top_p' in req.body, false, 'default top_p is not sent');
  assert.equal('repetition_penalty' in req.body, false, 'non-standard fields are only sent when set');
  assert.deepEqual(req.body.messages, [{ role: 'user', content: 'hi' }]);
  assert.equal(p.info.ownedBy, new URL(baseUrl).host);
});

test('streamed tool-call fragments are assembled into tool_call events', async () => {
  handler = (_req, _body, res) =>
    sse(res, [
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"expr' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ession":"2+2"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl });
  const events = await collect(p.chat([{ role: 'user', content: '2+2?' }], sampling, new AbortController().signal));
  assert.deepEqual(events, [
    { type: 'tool_call', call: { id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+2"}' } } },
    { type: 'done', finishReason: 'tool_calls', usage: { promptTokens: 0, completionTokens: 4 } },
  ]);
  assert.equal(seen.at(-1)!.auth, undefined, 'no key configured → no Authorization header');
});

test('continuing a reply sends the partial as the last assistant message, as Open WebUI does', async () => {
  handler = (_req, _body, res) => sse(res, [chunk({ content: ' world' }), chunk({}, 'stop')]);
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl });
  const partial = [{ role: 'user' as const, content: 'say hello world' }, { role: 'assistant' as const, content: 'hello' }];
  const events = await collect(p.chat(partial, { ...sampling, continueFinalMessage: true }, new AbortController().signal));
  assert.deepEqual(events[0], { type: 'delta', text: ' world' });
  const body = seen.at(-1)!.body;
  assert.deepEqual(body.messages, partial);
  // Only OpenAI's own fields: a strict upstream (OpenAI) refuses unknown ones such as vLLM's continue_final_message.
  assert.deepEqual(Object.keys(body).filter((k) => /continue/i.test(k)), []);
});

test('completions map text and legacy logprobs', async () => {
  handler = (_req, _body, res) =>
    sse(res, [
      { object: 'text_completion', choices: [{ index: 0, text: ' world', logprobs: { tokens: [' world'], token_logprobs: [-0.25], top_logprobs: [{ ' world': -0.25, ' there': -1.5 }] }, finish_reason: null }] },
      { object: 'text_completion', choices: [{ index: 0, text: '', finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } },
    ]);
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl });
  const events = await collect(p.complete('hello', { ...sampling, logprobs: true, topLogprobs: 2 }, new AbortController().signal));
  assert.deepEqual(events[0], {
    type: 'delta', text: ' world',
    logprobs: [{ token: ' world', logprob: -0.25, top: [{ token: ' world', logprob: -0.25 }, { token: ' there', logprob: -1.5 }] }],
  });
  assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } });
  assert.equal(seen.at(-1)!.path, '/v1/completions');
  assert.equal(seen.at(-1)!.body.prompt, 'hello');
  assert.equal(seen.at(-1)!.body.logprobs, 2);
});

test('upstream HTTP errors become ProviderErrors with a status for our client and the upstream message', async () => {
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl, apiKey: 'bad' });
  const cases: [number, number, string][] = [
    [401, 502, 'upstream_auth'],
    [404, 502, 'upstream_not_found'],
    [429, 429, 'upstream_rate_limited'],
    [400, 400, 'upstream_invalid_request'],
    [500, 502, 'upstream_error'],
  ];
  for (const [status, ours, code] of cases) {
    handler = (_req, _body, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `nope ${status}`, type: 'x' } }));
    };
    await assert.rejects(collect(p.chat([{ role: 'user', content: 'x' }], sampling, new AbortController().signal)), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.status, ours);
      assert.equal(err.code, code);
      assert.match(err.message, new RegExp(`answered ${status}: nope ${status}`));
      return true;
    });
  }
});

test('an unreachable upstream and a truncated or failing stream give clear errors', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const gone = new OpenAICompatibleProvider({ id: 'm', baseUrl: `http://127.0.0.1:${port}/v1` });
  await assert.rejects(collect(gone.chat([{ role: 'user', content: 'x' }], sampling, new AbortController().signal)), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.code, 'upstream_unreachable');
    assert.match(err.message, new RegExp(`cannot reach upstream http://127\\.0\\.0\\.1:${port}/v1/chat/completions \\(ECONNREFUSED\\)`));
    return true;
  });
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl });
  handler = (_req, _body, res) => sse(res, [chunk({ content: 'half' })], false);
  await assert.rejects(collect(p.chat([{ role: 'user', content: 'x' }], sampling, new AbortController().signal)), /ended the stream before the reply finished/);
  handler = (_req, _body, res) => sse(res, [chunk({ content: 'a' }), { error: { message: 'out of memory' } }]);
  await assert.rejects(collect(p.chat([{ role: 'user', content: 'x' }], sampling, new AbortController().signal)), /failed mid-stream: out of memory/);
});

test('aborting mid-stream stops promptly, throws the abort reason and closes the upstream connection', async () => {
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'first' }))}\n\n`);
    // ...and never finishes: only the client's abort can end this request.
  };
  const p = new OpenAICompatibleProvider({ id: 'm', baseUrl });
  const ac = new AbortController();
  const got: string[] = [];
  const started = Date.now();
  await assert.rejects(
    (async () => {
      for await (const e of p.chat([{ role: 'user', content: 'x' }], sampling, ac.signal)) {
        if (e.type === 'delta') got.push(e.text);
        ac.abort();
      }
    })(),
    (err: unknown) => (err as Error).name === 'AbortError',
  );
  assert.deepEqual(got, ['first']);
  await lastClosed; // the upstream saw the connection go away
  assert.ok(Date.now() - started < 5000);
});

test('the SSE parser handles CR, LF, CRLF, multi-line data, comments and a missing final blank line', async () => {
  const bytes = new TextEncoder().encode(': keep-alive\r\nevent: note\rdata: a\ndata: b\r\n\r\ndata: x\n\nid: 5\ndata: last');
  async function* pieces() {
    for (let i = 0; i < bytes.length; i += 3) yield bytes.slice(i, i + 3);
  }
  const events = [];
  for await (const e of parseSse(pieces())) events.push(e);
  assert.deepEqual(events, [
    { event: 'note', data: 'a\nb' },
    { event: 'message', data: 'x' },
    { event: 'message', data: 'last', id: '5' },
  ]);
});
