// Prometheus metrics for GET /metrics. One registry per app (not prom-client's global one), so
// several servers in one process (tests) keep separate counts.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'parley_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'parley_http_request_duration_seconds', help: 'Time to answer an HTTP request (to the last byte)', labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'parley_tokens_total', help: 'Tokens processed', labelNames: ['model', 'kind'], registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: 'parley_time_to_first_token_seconds', help: 'From request to the first generated token', labelNames: ['model'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [this.registry],
  });
  readonly activeGenerations = new Gauge({
    name: 'parley_generations_active', help: 'Generations running now', registers: [this.registry],
  });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  countTokens(model: string, usage: { promptTokens: number; completionTokens: number }): void {
    this.tokens.inc({ model, kind: 'prompt' }, usage.promptTokens);
    this.tokens.inc({ model, kind: 'completion' }, usage.completionTokens);
  }

  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      this.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      this.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.registry.contentType);
      return this.registry.metrics();
    });
  }
}
