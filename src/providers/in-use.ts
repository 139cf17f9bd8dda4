// Counts a provider's running generations so a replaced provider (another checkpoint now serves its
// model id) can be closed once the replies it is still producing have finished, not under them.
import type { ChatProvider, GenerationEvent } from './types.ts';

export interface InUse {
  /** The provider as handed out: the same object to callers (instanceof and fields work), counted. */
  readonly provider: ChatProvider;
  /** Generations started and not yet finished. */
  readonly running: number;
  /** Closes the provider as soon as no generation runs (at once if none does). */
  retire(): Promise<void>;
}

export function trackInUse(inner: ChatProvider): InUse {
  let running = 0;
  let retiring: (() => void) | null = null;
  let closed: Promise<void> | null = null;
  const closeIfIdle = () => {
    if (retiring && running === 0 && !closed) {
      closed = inner.close();
      closed.then(retiring, retiring);
    }
  };
  async function* counted(events: AsyncIterable<GenerationEvent>): AsyncGenerator<GenerationEvent> {
    running++;
    try {
      yield* events;
    } finally {
      running--;
      closeIfIdle();
    }
  }
  const provider = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'chat') return (...args: Parameters<ChatProvider['chat']>) => counted(target.chat(...args));
      if (prop === 'complete') return (...args: Parameters<ChatProvider['complete']>) => counted(target.complete(...args));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    provider,
    get running() {
      return running;
    },
    retire() {
      return new Promise<void>((resolve) => {
        retiring = resolve;
        closeIfIdle();
      });
    },
  };
}
