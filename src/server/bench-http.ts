// Load benchmark for a running Parley server (`npm start` first). Prints JSON lines:
//   {"bench":"route", route, target_rps, achieved_rps, p50_ms, p99_ms, errors}  — open-loop load on non-generation routes
//   {"bench":"stream", model, served?, concurrency, ttft_p50_ms, ttft_p95_ms, ttft_p99_ms, tokens_per_request,
//    tokens_per_s_per_stream (mean; p50 too), tokens_per_s_total}  — N concurrent streaming /v1/chat/completions
//   {"bench":"memory", rss_mb_before, rss_mb_after, rss_mb_max_sampled, peak_rss_mb?}
// Usage: npx tsx src/server/bench-http.ts [--url http://localhost:3000] [--rps 200] [--seconds 10]
//        [--model ID] [--max-tokens 64] [--temperature 0] [--concurrency 1,8,32] [--no-stream]
//        [--served TEXT] (copied into the stream lines: which checkpoint the server serves)
//        [--server-pid PID] (same machine: peak_rss_mb is the server's VmHWM from /proc/PID/status)
// A stream's tokens/s is its decode rate: (completion tokens − 1) / (last event − first content event);
// tokens_per_s_total is every stream's completion tokens / the wall time of the round.
// /v1 calls need a loopback server with no key configured (keyless local clients are not rate-limited),
// or PARLEY_BENCH_KEY. The signed-in /api route is limited per user: start the server with
// PARLEY_RATE_LIMIT_PER_MINUTE=0, as one bench user sends all of that load.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    rps: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    model: { type: 'string' },
    'max-tokens': { type: 'string', default: '64' },
    concurrency: { type: 'string', default: '1,8,32' },
    'no-stream': { type: 'boolean', default: false },
    temperature: { type: 'string', default: '0' },
    served: { type: 'string' },
    'server-pid': { type: 'string' },
  },
});
const base = o.url!.replace(/\/+$/, '');
const auth: Record<string, string> = process.env.PARLEY_BENCH_KEY ? { authorization: `Bearer ${process.env.PARLEY_BENCH_KEY}` } : {};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (x: number) => Math.round(x * 100) / 100;

let maxRss = 0;
async function rssMb(): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^parley_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  if (!m) return null;
  maxRss = Math.max(maxRss, Number(m[1]) / 1e6);
  return round(Number(m[1]) / 1e6);
}

/** The server's peak resident memory since it started (Linux /proc, same machine), or undefined. */
function peakRssMb(pid: string | undefined): number | undefined {
  if (!pid) return undefined;
  if (!/^\d+$/.test(pid)) throw new Error(`--server-pid must be a process id, got ${JSON.stringify(pid)}`);
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round((Number(m[1]) * 1024) / 1e6) : undefined;
  } catch {
    return undefined; // not Linux, or not this machine's process
  }
}

/** A signed-in bench account with some conversations, for the conversation list route. */
async function benchSession(): Promise<Record<string, string>> {
  const username = `bench-${Date.now().toString(36)}`;
  const res = await fetch(`${base}/api/auth/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'bench password 123' }),
  });
  if (res.status !== 201) throw new Error(`cannot sign up a bench user: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0].split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  for (let i = 0; i < 50; i++) {
    await fetch(`${base}/api/conversations`, {
      method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify({ title: `bench ${i}` }),
    });
  }
  return { cookie };
}

async function routeLoad(route: string, headers: Record<string, string>, rps: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const total = rps * seconds;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rps; // open loop: requests go out on schedule, not when the last one returns
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inflight.push(
      fetch(base + route, { headers })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status !== 200) errors++;
          latencies.push(performance.now() - t0);
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { bench: 'route', route, target_rps: rps, achieved_rps: round(latencies.length / elapsed), p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)), errors };
}

// Different questions per stream, as concurrent users would ask (prompts of different lengths).
const questions = [
  'Tell me about the sea.', 'What is the capital of France?', 'Write a short poem about autumn leaves.',
  'How do plants make food from sunlight?', 'What is 12 times 7?', 'Explain what a computer does, simply.',
  'Name three animals that live in the desert.', 'Why is the sky blue?',
];

async function streamOne(model: string, maxTokens: number, k = 0): Promise<{ ttft: number; tokens: number; genSeconds: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: questions[k % questions.length] }], max_tokens: maxTokens, stream: true, stream_options: { include_usage: true }, temperature: Number(o.temperature), seed: 1 }),
  });
  if (res.status !== 200) throw new Error(`stream: ${res.status} ${await res.text()}`);
  let first = 0;
  let tokens = 0;
  let buf = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const line = buf.slice(0, i).replace(/^data: /, '');
      buf = buf.slice(i + 2);
      if (line === '[DONE]') continue;
      const data = JSON.parse(line);
      if (!first && data.choices?.[0]?.delta?.content) first = performance.now();
      if (data.usage) tokens = data.usage.completion_tokens;
    }
  }
  const end = performance.now();
  return { ttft: (first || end) - t0, tokens, genSeconds: (end - (first || end)) / 1000 };
}

async function main() {
  const rps = Number(o.rps);
  const seconds = Number(o.seconds);
  const before = await rssMb();
  const session = await benchSession();
  for (const [route, headers] of [['/health', {}], ['/v1/models', auth], ['/api/conversations?limit=20', session]] as const) {
    await routeLoad(route, headers, rps, 1); // warm-up (JIT, connection pool), not reported
    console.log(JSON.stringify(await routeLoad(route, headers, rps, seconds)));
  }
  if (!o['no-stream']) {
    const res = await fetch(`${base}/v1/models`, { headers: auth });
    if (res.status !== 200) throw new Error(`GET /v1/models: ${res.status} ${await res.text()}`);
    const list = (await res.json()) as { data: { id: string }[] };
    const model = o.model ?? list.data[0]?.id;
    if (!model) {
      console.log(JSON.stringify({ bench: 'stream', skipped: 'the server has no model (run `parley pipeline` or configure one)' }));
    } else {
      await streamOne(model, 4); // loads the model (on its first request), not reported
      for (const n of o.concurrency!.split(',').map(Number)) {
        const t0 = performance.now();
        const runs = await Promise.all(Array.from({ length: n }, (_, k) => streamOne(model, Number(o['max-tokens']), k)));
        const wall = (performance.now() - t0) / 1000;
        await rssMb();
        const ttft = runs.map((r) => r.ttft).sort((a, b) => a - b);
        const perStream = runs.filter((r) => r.tokens > 1 && r.genSeconds > 0).map((r) => (r.tokens - 1) / r.genSeconds).sort((a, b) => a - b);
        const total = runs.reduce((s, r) => s + r.tokens, 0);
        console.log(JSON.stringify({
          bench: 'stream', model, ...(o.served ? { served: o.served } : {}), concurrency: n, max_tokens: Number(o['max-tokens']),
          ttft_p50_ms: round(percentile(ttft, 50)), ttft_p95_ms: round(percentile(ttft, 95)), ttft_p99_ms: round(percentile(ttft, 99)),
          tokens_per_request: round(total / n),
          tokens_per_s_per_stream: perStream.length ? round(perStream.reduce((s, x) => s + x, 0) / perStream.length) : null,
          tokens_per_s_per_stream_p50: perStream.length ? round(percentile(perStream, 50)) : null,
          tokens_per_s_total: round(total / wall),
        }));
      }
    }
  }
  const after = await rssMb();
  const peak = peakRssMb(o['server-pid']);
  console.log(JSON.stringify({
    bench: 'memory', rss_mb_before: before, rss_mb_after: after, rss_mb_max_sampled: round(maxRss), ...(peak !== undefined ? { peak_rss_mb: peak } : {}),
  }));
}

await main();
