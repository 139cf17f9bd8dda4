// A small Server-Sent Events parser (the WHATWG event-stream format) for reading upstream streams.
// Written here rather than pulled in because it is ~50 lines and the upstream protocol is ours to test.

export interface SseEvent {
  event: string; // "message" unless the stream named it
  data: string; // data lines joined with "\n"
  id?: string;
}

/** Yields the events of a byte stream; lines may be split anywhere across chunks. */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  // A "\r" at the very end of a chunk may be the first half of "\r\n": wait for the next chunk.
  const takeLines = function* (final: boolean): Generator<string> {
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buffer);
      if (!m) break;
      if (m[0] === '\r' && m.index === buffer.length - 1 && !final) break;
      yield buffer.slice(0, m.index);
      buffer = buffer.slice(m.index + m[0].length);
    }
  };
  const handle = (line: string): SseEvent | undefined => {
    if (line === '') {
      if (data.length === 0) {
        event = '';
        return undefined;
      }
      const out: SseEvent = { event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) };
      data = [];
      event = '';
      return out;
    }
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    return undefined;
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (const line of takeLines(false)) {
      const ev = handle(line);
      if (ev) yield ev;
    }
  }
  buffer += decoder.decode();
  for (const line of takeLines(true)) {
    const ev = handle(line);
    if (ev) yield ev;
  }
  // A final event without its blank line is dispatched anyway: some servers close right after it.
  if (buffer !== '') handle(buffer);
  const last = handle('');
  if (last) yield last;
}
