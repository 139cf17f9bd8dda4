// Server-sent events on a hijacked Fastify reply. Proxies must not buffer (X-Accel-Buffering) and
// caches must not keep (Cache-Control) a stream of tokens.
import type { FastifyReply } from 'fastify';

export class SseStream {
  private closed = false;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;

  constructor(private readonly reply: FastifyReply) {
    const controller = new AbortController();
    this.signal = controller.signal;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.flushHeaders();
    reply.raw.on('close', () => {
      this.closed = true;
      controller.abort('client closed');
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes one event; `data` is JSON-encoded unless it is already a string. */
  send(data: unknown, fields: { event?: string; id?: number | string } = {}): void {
    if (this.closed) return;
    let out = '';
    if (fields.id !== undefined) out += `id: ${fields.id}\n`;
    if (fields.event) out += `event: ${fields.event}\n`;
    out += `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    this.reply.raw.write(out);
  }

  comment(text: string): void {
    if (!this.closed) this.reply.raw.write(`: ${text}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.reply.raw.end();
  }
}
