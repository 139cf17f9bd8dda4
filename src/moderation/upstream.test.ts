// The optional upstream, tested against a small OpenAI-compatible /v1/moderations server.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { createModerationService, createUpstreamModerator, upstreamFromEnv } from './upstream.ts';
import type { Moderator } from './moderator.ts';
import { emptyResult } from './taxonomy.ts';

let server: Server;
let base = '';
const seen: { auth?: string; body: unknown; url?: string }[] = [];

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

before(async () => {
  server = createServer(async (req, res) => {
    const json = JSON.parse(await body(req)) as { input: string[] };
    seen.push({ auth: req.headers.authorization, body: json, url: req.url });
    if (json.input.includes('fail')) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
      return;
    }
    if (json.input.includes('short')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}');
      return;
    }
    // Flags "hate" on any text containing "bad"; leaves out the newer categories, as older servers do.
    const results = json.input.map((t) => ({
      flagged: t.includes('bad'),
      categories: { hate: t.includes('bad'), violence: false },
      category_scores: { hate: t.includes('bad') ? 0.9 : 0.01, violence: 0.02 },
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'modr-1', model: 'm', results }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('upstream results come back in our shape, with the key sent as a bearer token', async () => {
  const up = createUpstreamModerator({ url: base, apiKey: 'sk-test', model: 'omni' });
  const [a, b] = await up.moderate(['a bad thing', 'a fine thing']);
  assert.equal(a.flagged, true);
  assert.equal(a.categories.hate, true);
  assert.equal(a.category_scores.hate, 0.9);
  assert.equal(a.category_scores['sexual/minors'], 0, 'a category the upstream does not know reads 0');
  assert.equal(b.flagged, false);
  const last = seen.at(-1)!;
  assert.equal(last.auth, 'Bearer sk-test');
  assert.equal(last.url, '/v1/moderations');
  assert.deepEqual(last.body, { input: ['a bad thing', 'a fine thing'], model: 'omni' });
});

test('combine takes the stricter of local and upstream; replace uses the upstream alone', async () => {
  const local: Moderator = {
    model: 'local',
    moderate: (inputs) =>
      inputs.map((t) => {
        const r = emptyResult();
        if (t.includes('thing')) {
          r.category_scores.violence = 0.8;
          r.categories.violence = r.flagged = true;
        }
        return r;
      }),
  };
  const up = createUpstreamModerator({ url: `${base}/v1/` });
  const [both] = await createModerationService(local, up, 'combine').moderate(['a bad thing']);
  assert.equal(both.categories.violence, true);
  assert.equal(both.categories.hate, true);
  assert.equal(both.category_scores.violence, 0.8);
  const [only] = await createModerationService(local, up, 'replace').moderate(['a bad thing']);
  assert.equal(only.categories.violence, false);
  assert.equal(only.categories.hate, true);
  const [mine] = await createModerationService(local).moderate(['a bad thing']);
  assert.equal(mine.categories.hate, false);
});

test('upstream failures are clear errors', async () => {
  const up = createUpstreamModerator({ url: base });
  await assert.rejects(up.moderate(['fail']), /answered 503: .*overloaded/);
  await assert.rejects(up.moderate(['short']), /returned 0 results for 1 inputs/);
  await assert.rejects(createUpstreamModerator({ url: 'http://127.0.0.1:1', timeoutMs: 2000 }).moderate(['x']), /did not answer/);
});

test('upstream configuration from the environment', () => {
  assert.equal(upstreamFromEnv({}), undefined);
  const cfg = upstreamFromEnv({ PARLEY_MODERATION_UPSTREAM_URL: 'http://h:1/v1', PARLEY_MODERATION_UPSTREAM_KEY: 'k', PARLEY_MODERATION_UPSTREAM_MODE: 'replace' });
  assert.deepEqual(cfg, { options: { url: 'http://h:1/v1', apiKey: 'k', model: undefined }, mode: 'replace' });
  assert.throws(() => upstreamFromEnv({ PARLEY_MODERATION_UPSTREAM_URL: 'not a url' }), /is not a URL/);
  assert.throws(() => upstreamFromEnv({ PARLEY_MODERATION_UPSTREAM_URL: 'http://h', PARLEY_MODERATION_UPSTREAM_MODE: 'both' }), /replace or combine/);
});
